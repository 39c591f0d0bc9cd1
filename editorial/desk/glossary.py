"""The glossary page: editors keep names and terms; everyone can read and export them."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from editorial import roles
from translations import glossary
from translations.models import GlossaryTerm
from translations.normalize import normalize

from . import confirming
from .access import needs
from .forms import RefusesForbiddenCharacters

MAX_CSV_BYTES = 2 * 1024 * 1024


class TermForm(RefusesForbiddenCharacters, forms.ModelForm):
    checked_fields = ("source_term", "target_term", "note")

    class Meta:
        model = GlossaryTerm
        fields = ["source_term", "target_term", "note", "do_not_translate"]
        labels = {"source_term": "Arabic term", "target_term": "English rendering",
                  "do_not_translate": "A name: do not translate"}
        widgets = {"source_term": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"})}

    def clean_source_term(self):
        value = self.cleaned_data["source_term"].strip()
        if len(normalize(value)) > GlossaryTerm._meta.get_field("normalized_term").max_length:
            raise forms.ValidationError("This term is too long.")
        if GlossaryTerm.objects.filter(normalized_term=normalize(value)).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("This term is in the glossary already.")
        return value


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Columns: source_term, target_term, note, do_not_translate.")


def _page(request, form=None, import_form=None, status=200):
    return render(request, "desk/glossary.html", {
        "nav": "glossary", "terms": GlossaryTerm.objects.order_by("source_term"),
        "form": form or TermForm(), "import_form": import_form or ImportForm(),
        "may_edit": roles.may(request.user, "manage_glossary"),
    }, status=status)


@login_required
def page(request):
    if request.method != "POST":
        return _page(request)
    if not roles.may(request.user, "manage_glossary"):
        raise Http404
    form = TermForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        with transaction.atomic():
            form.save()
    except IntegrityError:  # added by someone else between the form's check and now
        form.add_error("source_term", "This term is in the glossary already.")
        return _page(request, form=form, status=409)
    messages.success(request, f"Added {form.instance.source_term} → {form.instance.target_term}.")
    return redirect("desk:glossary")


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
    return redirect("desk:glossary")


@login_required
def export(request):
    response = HttpResponse(glossary.export_csv("ar", "en"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="glossary-ar-en.csv"'
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
        created, updated = glossary.import_csv(text, "ar", "en")
    except UnicodeDecodeError:
        form.add_error("file", "The file is not UTF-8 text.")
        return _page(request, import_form=form, status=400)
    except glossary.CsvError as exc:
        form.add_error("file", str(exc))
        return _page(request, import_form=form, status=413 if isinstance(exc, glossary.TooManyRows) else 400)
    messages.success(request, f"Imported: {created} new term(s), {updated} updated.")
    return redirect("desk:glossary")
