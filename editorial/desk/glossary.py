"""The glossary page: editors keep names and terms; everyone can read and export them. One glossary per source
language (`?language=fa`), the first of SOURCE_LANGUAGES by default."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from editorial import roles
from translations import glossary, languages
from translations.models import GlossaryTerm
from translations.normalize import fold

from . import confirming
from .access import needs
from .forms import RefusesForbiddenCharacters

MAX_CSV_BYTES = 2 * 1024 * 1024


def _language(request) -> languages.Language:
    """The glossary asked for (?language= or the form's language), one of SOURCE_LANGUAGES; the first by default."""
    code = request.POST.get("language") or request.GET.get("language") or languages.source_codes()[0]
    if code not in languages.source_codes():
        raise Http404(languages.not_a_source_language(code))
    return languages.get(code)


class TermForm(RefusesForbiddenCharacters, forms.ModelForm):
    checked_fields = ("source_term", "target_term", "note")

    class Meta:
        model = GlossaryTerm
        fields = ["source_term", "target_term", "note", "do_not_translate"]
        labels = {"target_term": "English rendering", "do_not_translate": "A name: do not translate"}

    def __init__(self, *args, language: languages.Language, **kwargs):
        super().__init__(*args, **kwargs)
        self.language = self.instance.source_language = language.code
        self.fields["source_term"].label = f"{language.name} term"
        self.fields["source_term"].widget.attrs.update({"dir": language.direction, "lang": language.code})

    def clean_source_term(self):
        value = self.cleaned_data["source_term"].strip()
        folded = fold(value, self.language)
        if len(folded) > GlossaryTerm._meta.get_field("normalized_term").max_length:
            raise forms.ValidationError("This term is too long.")
        if GlossaryTerm.objects.filter(source_language=self.language, normalized_term=folded).exclude(
                pk=self.instance.pk).exists():
            raise forms.ValidationError("This term is in the glossary already.")
        return value


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Columns: source_term, target_term, note, do_not_translate.")


def _page(request, form=None, import_form=None, status=200):
    language = _language(request)
    return render(request, "desk/glossary.html", {
        "nav": "glossary", "language": language, "languages": languages.source_languages(),
        "terms": GlossaryTerm.objects.filter(source_language=language.code).order_by("source_term"),
        "form": form or TermForm(language=language), "import_form": import_form or ImportForm(),
        "may_edit": roles.may(request.user, "manage_glossary"),
    }, status=status)


def _back(language: languages.Language):
    url = reverse("desk:glossary")
    return redirect(url if language.code == languages.source_codes()[0] else f"{url}?language={language.code}")


@login_required
def page(request):
    if request.method != "POST":
        return _page(request)
    if not roles.may(request.user, "manage_glossary"):
        raise Http404
    language = _language(request)
    form = TermForm(request.POST, language=language)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        with transaction.atomic():
            form.save()
    except IntegrityError:  # added by someone else between the form's check and now
        form.add_error("source_term", "This term is in the glossary already.")
        return _page(request, form=form, status=409)
    messages.success(request, f"Added {form.instance.source_term} → {form.instance.target_term}.")
    return _back(language)


@needs("manage_glossary")
@require_POST
def delete(request, term_id):
    term = GlossaryTerm.objects.filter(pk=term_id).first()
    if term is not None and not confirming.confirmed(request):
        return confirming.ask(
            request, title=f"Remove {term.source_term} from the glossary?", confirm_label="Remove",
            cancel=reverse("desk:glossary"), nav="glossary", consequences=[
                f"{term.source_term} → {term.target_term} is no longer suggested in the workspace or checked in "
                "translations.", "Export the glossary first to keep a copy."])
    GlossaryTerm.objects.filter(pk=term_id).delete()
    messages.success(request, "Term removed.")
    return _back(languages.get(term.source_language) if term is not None else _language(request))


@login_required
def export(request):
    language = _language(request)
    response = HttpResponse(glossary.export_csv(language.code, "en"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="glossary-{language.code}-en.csv"'
    return response


@needs("manage_glossary")
@require_POST
def import_csv(request):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_CSV_BYTES:
        form.add_error("file", "The file is larger than 2 MB.")
        return _page(request, import_form=form, status=413)
    try:
        text = upload.read().decode("utf-8-sig")
        created, updated = glossary.import_csv(text, _language(request).code, "en")
    except UnicodeDecodeError:
        form.add_error("file", "The file is not UTF-8 text.")
        return _page(request, import_form=form, status=400)
    except glossary.CsvError as exc:
        form.add_error("file", str(exc))
        return _page(request, import_form=form, status=413 if isinstance(exc, glossary.TooManyRows) else 400)
    messages.success(request, f"Imported: {created} new term(s), {updated} updated.")
    return _back(_language(request))
