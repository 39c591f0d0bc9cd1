"""Input serializers validate requests strictly; output serializers say what the API returns."""

import re

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from editorial import roles, syncing, watch, workflow
from editorial.errors import Refused
from editorial.models import WireItem
from editorial.wire import gists, stories
from translations import characters, languages
from translations.models import Segment


class SchemaPattern(RegexValidator):
    """A pattern the published schema states and the service enforces itself, with a message that names the
    character and its position (translations.characters); here it only describes."""

    def __call__(self, value):
        return None


_C = characters.BMP_CLASS


class StrictCharField(serializers.CharField):
    """A string, and only a string: 123 or true is a wrong type, not text. A NUL (which no database stores) is
    refused here, by position; the other characters no text may hold are the services' rule.

    `text` says which rule the services apply, so the schema can say it too: "typed" (refused if it holds a
    character no text may hold) or "imported" (such characters are removed). A field that may not be blank says
    so with minLength and a pattern needing one character that is neither a space nor removed."""

    def __init__(self, *, text: str | None = None, **kwargs):
        patterns = []
        if not kwargs.get("allow_blank", False):
            kwargs.setdefault("min_length", 1)
            if text == "typed":
                patterns.append(f"^[^{_C}]*[^\\s{_C}][^{_C}]*$")
            else:
                patterns.append(f"[^\\s{_C}]" if text == "imported" else "\\S")
        elif text == "typed":
            patterns.append(f"^[^{_C}]*$")
        kwargs["validators"] = [*kwargs.get("validators", []), *(SchemaPattern(p) for p in patterns)]
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a string.", code="invalid_type")
        if "\x00" in data:
            found = characters.Found("\x00", data.index("\x00") + 1)
            raise serializers.ValidationError(f"Holds {found.describe()} at character {found.position}: remove it.",
                                              code="invalid_character")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            raise serializers.ValidationError("Must be a whole number.", code="invalid_type")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            raise serializers.ValidationError("Must be true or false.", code="invalid_type")
        return data


MAX_ID = 2**63 - 1  # the widest integer column any supported database has

validate_language = RegexValidator(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", "Use a language code such as 'ar' or 'en'.")


class SourceLanguageValidator(RegexValidator):
    """One of the languages this desk translates from (SOURCE_LANGUAGES), with or without a region ("ar-SY"). A
    pattern, so that the schema tells clients (and the API fuzzing) which codes are taken; read from the settings
    at each use."""

    def __init__(self):
        super().__init__()

    @property
    def regex(self):
        codes = "|".join(re.escape(code) for code in languages.source_codes())
        return re.compile(rf"^(?:{codes})(?:-[A-Za-z0-9]{{2,8}})?$")

    @regex.setter
    def regex(self, value):
        pass  # RegexValidator's constructor sets one: ours is the settings'

    def __call__(self, value):
        problem = languages.not_a_source_language(str(value))
        if problem or not self.regex.search(str(value)):
            raise DjangoValidationError(problem or "Use a language code such as 'ar'.", code="invalid")


validate_source_language = SourceLanguageValidator()


def first_source_language() -> str:
    return languages.source_codes()[0]


# Input ------------------------------------------------------------------------------------------


class TokenInput(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=1024, trim_whitespace=False)
    otp = StrictCharField(max_length=64, required=False, help_text=(
        "For an account with two-factor sign-in: the code from the authenticator app, or a recovery code."))


class SourceInput(serializers.Serializer):
    """The original: its title and body, or only its address (`url`), from which they are read as the desk's
    import by address reads them."""

    title = StrictCharField(max_length=1000, text="imported", required=False)
    body = StrictCharField(trim_whitespace=False, text="imported", required=False)
    language = StrictCharField(max_length=12, validators=[validate_source_language])
    outlet = StrictCharField(max_length=200, text="imported")
    # The original's address, printed as a link: http(s) with a host, nothing else (what the schema says too).
    url = StrictCharField(max_length=1000, required=False, allow_blank=True, default="",
                          validators=[RegexValidator(r"^https?://[^\s/?#@]+(?:[/?#]\S*)?$",
                                                     "Give the original's full http:// or https:// address.")])
    author = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    published_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate(self, data):
        """A body needs its title; without a body, the page at `url` is read (its title too, unless given)."""
        if data.get("body") and not data.get("title"):
            raise serializers.ValidationError({"title": ["This field is required."]})
        if not data.get("body") and not data.get("url"):
            raise serializers.ValidationError({"body": ["Required unless the original's address (url) is given."]})
        return data


class ArticleCreateInput(serializers.Serializer):
    source = SourceInput()
    target_language = StrictCharField(max_length=12, default="en", validators=[validate_language])
    keywords = serializers.ListField(child=StrictCharField(max_length=100, text="typed"), default=list, max_length=20)
    standfirst = StrictCharField(max_length=2000, required=False, allow_blank=True, default="", text="typed")


class ArticleUpdateInput(serializers.Serializer):
    version = StrictIntegerField(min_value=1)
    standfirst = StrictCharField(max_length=2000, required=False, allow_blank=True, text="typed")
    keywords = serializers.ListField(child=StrictCharField(max_length=100, text="typed"), required=False,
                                     max_length=20)
    deadline = serializers.DateTimeField(required=False, allow_null=True,
                                         help_text="When the editor wants it done (editors and admins; null clears)")
    credit_story = StrictBooleanField(required=False, help_text="Credit the other outlets of its story when "
                                                                "published (the wire desk's stories)")


class ActionInput(serializers.Serializer):
    comment = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")
    assignee = StrictCharField(max_length=150, required=False, allow_null=True, default=None)
    publish_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class SegmentUpdateInput(serializers.Serializer):
    text = StrictCharField(allow_blank=True, trim_whitespace=False, text="typed")
    version = StrictIntegerField(min_value=1)


class RevertInput(serializers.Serializer):
    segment = StrictIntegerField(min_value=1, required=False, allow_null=True, default=None,
                                 help_text="Restore this segment's text only (the standfirst and keywords stay).")


class UserCreateInput(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=1024, trim_whitespace=False)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=roles.ROLES)

    def validate_username(self, value):
        User = get_user_model()
        try:
            User.username_validator(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("That username is taken.", code="unique")
        return value

    def validate(self, data):
        User = get_user_model()
        try:
            password_validation.validate_password(data["password"], User(username=data["username"],
                                                                          email=data["email"]))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": exc.messages}) from None
        return data


class UserUpdateInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=roles.ROLES, required=False)
    is_active = StrictBooleanField(required=False)


class MemoryQuery(serializers.Serializer):
    """GET /api/v1/memory/: the text to look up (control characters in it are ignored) and the language pair."""

    q = StrictCharField(max_length=2000)
    source = StrictCharField(default=first_source_language, validators=[validate_source_language])
    target = StrictCharField(default="en", validators=[validate_language])


class RevisionQuery(serializers.Serializer):
    to = serializers.CharField(required=False, default="current")

    def to_internal_value(self, data):
        result = super().to_internal_value(data)
        result["from"] = _revision_id(data.get("from", ""), "from", "Give a revision id: ?from=REV.")
        if result["to"] == "current":
            result["to"] = None
        else:
            result["to"] = _revision_id(result["to"], "to", "Give a revision id or 'current'.")
        return result


def _revision_id(value, field: str, message: str) -> int:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]+", value.strip()):
        raise serializers.ValidationError({field: [message]})
    number = int(value)
    if number > MAX_ID:
        raise Refused(404, "not_found", f"There is no revision {number}.")
    return number


# Output -----------------------------------------------------------------------------------------


class UserOut(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    role = serializers.SerializerMethodField()
    is_active = serializers.BooleanField()
    date_joined = serializers.DateTimeField()

    def get_role(self, user) -> str | None:
        return roles.role_of(user)


class SegmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = serializers.CharField()
    source_text = serializers.CharField()
    machine_text = serializers.CharField(allow_null=True)
    text = serializers.CharField(allow_null=True)
    origin = serializers.CharField(allow_null=True)
    engine = serializers.CharField()
    version = serializers.IntegerField()
    changed_by = serializers.CharField(source="changed_by.username", default=None, allow_null=True)
    changed_at = serializers.DateTimeField(allow_null=True)
    # The original changed under this translation: the source it was made from, until saved or confirmed.
    source_changed = serializers.BooleanField()
    previous_source = serializers.CharField(allow_blank=True)
    issues = serializers.SerializerMethodField()

    def get_issues(self, segment) -> list[dict]:
        return self.context.get("issues", {}).get(segment.pk, [])


class SourceOut(serializers.Serializer):
    title = serializers.CharField(source="document.source_title")
    body = serializers.CharField(source="document.source_body")
    language = serializers.CharField(source="document.source_language")
    url = serializers.CharField(source="source_url")
    outlet = serializers.CharField(source="source_outlet")
    author = serializers.CharField(source="source_author")
    published_at = serializers.DateTimeField(source="source_published_at", allow_null=True)


class WatchOut(serializers.Serializer):
    """The watch on the original (editorial.watch): its switch, the last check, and the change it found."""

    enabled = serializers.BooleanField(source="watch_enabled")
    checked_at = serializers.DateTimeField(source="watch_checked_at", allow_null=True)
    outcome = serializers.CharField(source="watch_outcome", allow_blank=True)
    changed_at = serializers.DateTimeField(source="watch_changed_at", allow_null=True)
    failures = serializers.IntegerField(source="watch_failures")
    decision = serializers.CharField(source="watch_decision", allow_blank=True)
    changes = serializers.JSONField(source="watch_changes")
    summary = serializers.SerializerMethodField()

    def get_summary(self, article) -> str:
        return watch.summary(article)


class GistOut(serializers.Serializer):
    """The wire desk's gist of the source (editorial.wire.gists): a machine translation of its headline and first
    paragraph, for choosing; `note` says why there is none."""

    state = serializers.CharField(source="gist_state")
    headline = serializers.CharField(source="gist_headline")
    lead = serializers.CharField(source="gist_lead")
    engine = serializers.CharField(source="gist_engine")
    note = serializers.SerializerMethodField()

    def get_note(self, item) -> str:
        return gists.describe(item)


class WireOut(serializers.Serializer):
    gist = GistOut(source="*")
    story = serializers.IntegerField(source="story_id", allow_null=True)
    # The other outlets of its story: those "also reported by" names when `credit_story` is on.
    other_outlets = serializers.SerializerMethodField()

    def get_other_outlets(self, item) -> list[str]:
        return stories.other_outlets(item.article) if item.story_id else []


class FoundOut(serializers.Serializer):
    rank = serializers.FloatField()
    title = serializers.CharField(help_text="HTML: the headline, escaped, with the matched words in <mark>")
    snippet = serializers.CharField(help_text="HTML: a piece of the text around a matched word, marked alike")


class ArticleSummaryOut(serializers.Serializer):
    """An article in a list: everything but the segments, with progress."""

    id = serializers.IntegerField()
    state = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.SerializerMethodField()
    standfirst = serializers.CharField()
    slug = serializers.CharField(allow_null=True)
    keywords = serializers.SerializerMethodField()
    target_language = serializers.CharField(source="document.target_language")
    source = SourceOut(source="*")
    assignee = serializers.CharField(source="assignee.username", default=None, allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    publish_at = serializers.DateTimeField(allow_null=True)
    deadline = serializers.DateTimeField(allow_null=True)
    watch = WatchOut(source="*")
    wire = serializers.SerializerMethodField()
    credit_story = serializers.BooleanField()
    found = serializers.SerializerMethodField()
    public_url = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    disclaimer = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    def _segments(self, article):
        return article.document.segments.all()

    def get_title(self, article) -> str | None:
        if hasattr(article, "title_text"):  # a list's article (selectors.article_list)
            return article.title_text
        titles = [s for s in self._segments(article) if s.kind == Segment.Kind.TITLE]
        return titles[0].text if titles else None

    def get_keywords(self, article) -> list[str]:
        return [k.name for k in article.keywords.all()]

    @extend_schema_field(FoundOut(allow_null=True))
    def get_found(self, article) -> dict | None:
        """With `?q=`: the match's rank and its words marked (<mark>) in the headline and a snippet; else null."""
        return getattr(article, "found", None)

    @extend_schema_field(WireOut(allow_null=True))
    def get_wire(self, article) -> dict | None:
        """The wire desk's view of the source (null until the wire desk has seen it)."""
        try:
            return WireOut(article.wire).data
        except WireItem.DoesNotExist:
            return None

    def get_public_url(self, article) -> str | None:
        return reverse("public-article", args=[article.slug]) if article.live_version_id and article.slug else None

    def get_actions(self, article) -> list[str]:
        user = self.context["request"].user
        actions = workflow.allowed_actions(article, user)
        if watch.pending(article) and syncing.refusal(article, user) is None:
            actions.append("sync")
        return actions

    def get_disclaimer(self, article) -> str:
        if article.disclaimer:
            return article.disclaimer
        return self.context["publication"].render_disclaimer()

    def get_progress(self, article) -> dict:
        if hasattr(article, "segments_total"):
            return {"done": article.segments_done, "total": article.segments_total}
        segments = self._segments(article)
        return {"done": sum(1 for s in segments if s.has_text), "total": len(segments)}


class DeliveryOut(serializers.Serializer):
    target = serializers.CharField(source="target.name")
    kind = serializers.CharField(source="target.kind")
    state = serializers.CharField()
    event = serializers.CharField()
    remote_id = serializers.CharField()
    remote_url = serializers.CharField()
    attempts = serializers.IntegerField()
    error = serializers.CharField()
    job = serializers.IntegerField(source="job_id", allow_null=True)


class ArticleOut(ArticleSummaryOut):
    segments = SegmentOut(source="document.segments.all", many=True)
    # Where the article went besides the public site (editorial.delivering), one row per publish target.
    deliveries = DeliveryOut(source="deliveries.all", many=True)


class JobOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    state = serializers.CharField()
    progress = serializers.SerializerMethodField()
    error = serializers.CharField(allow_null=True)
    attempts = serializers.IntegerField()
    engine = serializers.CharField()
    notes = serializers.ListField(child=serializers.DictField())
    article = serializers.IntegerField(source="article_id", allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_progress(self, job) -> dict:
        return {"done": job.done, "total": job.total}


class RevisionOut(serializers.Serializer):
    id = serializers.IntegerField(source="revision_id")
    created_at = serializers.DateTimeField(source="revision.date_created")
    user = serializers.CharField(source="revision.user.username", default=None, allow_null=True)
    comment = serializers.CharField(source="revision.comment")
    state = serializers.CharField()

