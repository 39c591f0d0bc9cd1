"""The desk's post-editing report for editors: tables, bar charts drawn as inline SVG, and the CSV."""

import csv

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from editorial import reports
from editorial.models import State
from translations.spreadsheet import to_cell

from .access import needs

ARTICLE_ROWS = 100
CSV_HEADER = ["article_id", "position", "engine", "translator", "published_on", "machine_text", "final_text",
              "edit_distance", "words", "hter"]


class ReportFilterForm(forms.Form):
    """The report's filters, read from the query string: ?from=&to=&engine=&translator=."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Added here because "from" is a Python keyword; the API uses the same parameter names.
        self.fields["from"] = forms.DateField(required=False, label="Published from",
                                              widget=forms.DateInput(attrs={"type": "date"}))
        self.fields["to"] = forms.DateField(required=False, label="Published until",
                                            widget=forms.DateInput(attrs={"type": "date"}))
        self.fields["engine"] = forms.ChoiceField(
            required=False, choices=[("", "Any engine"), *((name, name) for name in settings.MT_ENGINES)])
        self.fields["translator"] = forms.CharField(required=False, max_length=150,
                                                    help_text="A username; empty for everyone.")

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            raise ValidationError("The first day comes after the last one.", code="date_order")
        return data

    def filters(self) -> dict:
        data = self.cleaned_data
        return {"date_from": data["from"], "date_to": data["to"], "engine": data["engine"] or None,
                "translator": data["translator"].strip() or None}


def _rate(value: float | None) -> str:
    return "none" if value is None else f"{value:.2f}"


def _bar_chart(key: str, title: str, rows: list[dict], label_key: str, blank_label: str) -> dict:
    """Horizontal bars of each row's edit rate, laid out for the template (coordinates as strings)."""
    rows = [row for row in rows if row["hter"] is not None]
    label_width, bar_width, row_height = 150, 320, 26
    scale = max([1.0, *(row["hter"] for row in rows)])
    bars = []
    for i, row in enumerate(rows):
        label = row[label_key] or blank_label
        y = 10 + i * row_height
        width = bar_width * row["hter"] / scale
        bars.append({
            "x": str(label_width), "y": str(y), "width": f"{width:.1f}", "height": str(row_height - 8),
            "label": label, "label_x": str(label_width - 8), "label_y": str(y + 13), "label_anchor": "end",
            "value": _rate(row["hter"]), "value_x": f"{label_width + width + 6:.1f}", "value_y": str(y + 13),
        })
    bottom = 10 + len(rows) * row_height
    return {
        "key": key, "title": title, "width": str(label_width + bar_width + 60), "height": str(bottom + 10),
        "axis": {"x1": str(label_width), "y1": "4", "x2": str(label_width), "y2": str(bottom)}, "value_anchor": "start",
        "description": "; ".join(f"{bar['label']}: {bar['value']}" for bar in bars), "bars": bars,
    }


def _month_chart(rows: list[dict]) -> dict:
    """Vertical bars of the edit rate per month, oldest month first."""
    rows = [row for row in rows if row["hter"] is not None]
    left, plot_height, slot, top = 10, 160, 56, 20
    scale = max([1.0, *(row["hter"] for row in rows)])
    bars = []
    for i, row in enumerate(rows):
        height = plot_height * row["hter"] / scale
        x = left + i * slot
        y = top + plot_height - height
        bars.append({
            "x": str(x + 8), "y": f"{y:.1f}", "width": str(slot - 16), "height": f"{height:.1f}",
            "label": row["month"], "label_x": str(x + slot // 2), "label_y": str(top + plot_height + 16),
            "label_anchor": "middle", "value": _rate(row["hter"]), "value_x": str(x + slot // 2),
            "value_y": f"{y - 4:.1f}",
        })
    width = left * 2 + len(rows) * slot
    baseline = str(top + plot_height)
    return {
        "key": "month", "title": "Edit rate per month of publication", "width": str(width),
        "height": str(top + plot_height + 26), "value_anchor": "middle",
        "axis": {"x1": str(left), "y1": baseline, "x2": str(width - left), "y2": baseline},
        "description": "; ".join(f"{bar['label']}: {bar['value']}" for bar in bars), "bars": bars,
    }


@needs("view_reports")
def post_editing(request):
    form = ReportFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "desk/reports.html", {"nav": "reports", "form": form}, status=400)
    report = reports.post_editing(**form.filters())
    charts = [
        _bar_chart("engine", "Edit rate per engine", report["by_engine"], "engine", "none"),
        _bar_chart("translator", "Edit rate per translator", report["by_translator"], "translator", "unassigned"),
        _month_chart(report["by_month"]),
    ]
    return render(request, "desk/reports.html", {
        "nav": "reports", "form": form, "report": report, "charts": [c for c in charts if c["bars"]],
        "articles": report["by_article"][:ARTICLE_ROWS],
        "time_in_state": [{**row, "label": State(row["state"]).label} for row in report["time_in_state"]],
        "query": request.GET.urlencode(),
    })


@needs("view_reports")
def post_editing_csv(request):
    form = ReportFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="post-editing.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for segment in reports.published_segments(**form.filters()):
        writer.writerow([
            segment.article_id, segment.position, to_cell(segment.engine or ""), to_cell(segment.translator or ""),
            timezone.localdate(segment.published_at).isoformat(), to_cell(segment.machine_text or ""),
            to_cell(segment.final_text),
            "" if segment.edits is None else segment.edits, segment.words,
            "" if segment.hter is None else f"{segment.hter:.4f}",
        ])
    return response
