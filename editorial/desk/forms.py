"""Forms of the desk: validation in plain words, next to the field."""

import copy

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError

from editorial import roles, targets
from editorial.models import Publication, State
from translations import characters, languages


def split_keywords(value: str) -> list[str]:
    return [k.strip() for k in value.replace("،", ",").split(",") if k.strip()]


class RefusesForbiddenCharacters:
    """A form whose text fields refuse what no stored text may hold (translations.characters), as the API does."""

    checked_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        for name in self.checked_fields:
            found = characters.first_forbidden(cleaned.get(name) or "")
            if found:
                self.add_error(name, f"This holds {found.describe()} at character {found.position}: remove it.")
        return cleaned


class NewArticleForm(forms.Form):
    title = forms.CharField(max_length=1000, required=False, help_text="The headline as the outlet published it.")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 12, "dir": "auto"}), required=False,
                           help_text="Plain text (paragraphs separated by a blank line) or HTML.")
    url = forms.URLField(max_length=1000, required=False, assume_scheme="https",
                         help_text="The original's address. Leave the title and body empty to fetch them from it.")
    outlet = forms.CharField(max_length=200)
    author = forms.CharField(max_length=200, required=False)
    published_at = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                       label="Originally published")
    language = forms.ChoiceField(label="Language of the original")
    keywords = forms.CharField(max_length=1000, required=False, help_text="Separated by commas.")
    standfirst = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [(lang.code, lang.name) for lang in languages.source_languages()]
        self.fields["language"].initial = languages.source_codes()[0]

    def clean(self):
        data = super().clean()
        has_text = data.get("title") and data.get("body")
        if not has_text and not data.get("url"):
            raise ValidationError("Paste the title and the body, or give the original's address to fetch them.")
        if data.get("body") and not data.get("title"):
            self.add_error("title", "Give the headline too.")
        if data.get("title") and not data.get("body") and not data.get("url"):
            self.add_error("body", "Paste the article's text.")
        return data


class DetailsForm(forms.Form):
    standfirst = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    keywords = forms.CharField(max_length=1000, required=False, help_text="Separated by commas.")
    credit_story = forms.BooleanField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CommentForm(forms.Form):
    text = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 2}), label="Comment")


class NewUserForm(forms.Form):
    username = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=[(r, r) for r in roles.ROLES])
    password = forms.CharField(widget=forms.PasswordInput(render_value=False), strip=False,
                               help_text="At least 8 characters, not all digits, not a common password.")

    def clean_username(self):
        User = get_user_model()
        username = self.cleaned_data["username"]
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("That username is taken.")
        return username

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("username"):
            user = get_user_model()(username=data["username"], email=data.get("email", ""))
            try:
                password_validation.validate_password(data["password"], user)
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


class InviteForm(forms.Form):
    """Invite a colleague: they set their own password from the emailed link."""

    # Labels apart from the add-a-person form's, which shares the page.
    username = forms.CharField(max_length=150, label="Their name to sign in with",
                               help_text="Letters, digits and @ . + - _ only.")
    email = forms.EmailField(label="Send the invitation to", help_text="Their email address.")
    role = forms.ChoiceField(choices=[(r, r) for r in roles.ROLES], label="Their role")

    clean_username = NewUserForm.clean_username


class UserRoleForm(forms.Form):
    role = forms.ChoiceField(choices=[(r, r) for r in roles.ROLES])


class PublicationForm(RefusesForbiddenCharacters, forms.ModelForm):
    checked_fields = ("name", "disclaimer_template")

    class Meta:
        model = Publication
        fields = ["name", "disclaimer_template"]
        widgets = {"disclaimer_template": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"disclaimer_template": "{publication} is replaced by the publication's name."}

    def clean_disclaimer_template(self):
        value = self.cleaned_data["disclaimer_template"].strip()
        if "{publication}" not in value:
            raise ValidationError("Keep {publication} in the text: the disclaimer must name the publication.")
        return value


class ArticleSearchForm(forms.Form):
    q = forms.CharField(label="Search headlines, sources and translations", required=False, max_length=200)
    state = forms.ChoiceField(label="State", required=False, choices=[("", "Any state"), *State.choices])
    assignee = forms.CharField(label="Assigned to (a username, or me)", required=False, max_length=150)
    outlet = forms.CharField(label="Outlet", required=False, max_length=200)
    keyword = forms.CharField(label="Keyword", required=False, max_length=100)
    since = forms.DateField(label="Imported from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="Imported until", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(label="Sort", required=False, choices=[
        ("", "Best match first (with a search), else newest"), ("newest", "Newest first"),
        ("oldest", "Oldest first"), ("updated", "Recently changed"),
        ("deadline", "Deadline")])


class TargetForm(RefusesForbiddenCharacters, forms.Form):
    """A publish target, as an admin adds it on the team page (the API takes the same); options as its kind declares."""

    checked_fields = ("name", "username")
    kind = forms.ChoiceField(choices=[("wordpress", "WordPress"), ("webhook", "Webhook")])
    name = forms.CharField(max_length=200)
    url = forms.URLField(max_length=1000, label="Address", assume_scheme="https",
                         help_text="The WordPress site's home page, or the webhook's address.")
    username = forms.CharField(max_length=200, required=False, label="WordPress user",
                               help_text="WordPress: the user who publishes.")
    secret = forms.CharField(max_length=500, required=False, widget=forms.PasswordInput,
                             label="Secret", help_text="WordPress: the user's Application Password; a webhook: "
                             "its signing key. Never shown again once saved.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.option_fields().items():
            self.fields[name] = copy.deepcopy(field)

    def option_fields(self) -> dict[str, forms.Field]:
        return targets.option_fields()

    def options(self) -> dict:
        """The options of the kind chosen (a WordPress option typed for a webhook is not its option)."""
        declared = targets.kinds()[self.cleaned_data["kind"]].option_fields
        return {name: self.cleaned_data[name] for name in declared}


class TargetChangeForm(TargetForm):
    """A target as an admin edits it: its kind stays, and an empty secret keeps the one saved."""

    kind = None

    def __init__(self, row, *args, **kwargs):
        self.row = row
        kwargs.setdefault("prefix", f"target-{row.pk}")  # one form per target on the page, each with its own ids
        kwargs.setdefault("initial", {"name": row.name, "url": row.url, "username": row.username, **row.options})
        super().__init__(*args, **kwargs)
        self.fields["secret"].help_text = "Leave it empty to keep the one saved (it is never shown)."

    def option_fields(self) -> dict[str, forms.Field]:
        kind = targets.kinds().get(self.row.kind)
        return kind.option_fields if kind else {}

    def options(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.option_fields()}


class CodeForm(forms.Form):
    """The sign-in's second step. Not a numeric keyboard: a recovery code has letters."""

    code = forms.CharField(max_length=64, label="Code", strip=True, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
        help_text="The 6 digits your authenticator app shows now, or one of your recovery codes.")


class SetupCodeForm(CodeForm):
    """The first code from the app, which turns two-factor sign-in on."""

    code = forms.CharField(max_length=12, label="Code from the app", strip=True, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "off", "spellcheck": "false"}),
        help_text="The 6 digits the app shows for Tarjama, to check it is set up right.")
