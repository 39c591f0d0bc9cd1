"""Destructive desk actions ask first, saying what they will do (as Wagtail asks before it deletes or
unpublishes). The buttons carry `data-confirm` so the browser asks in place (desk.js); without it, or when the
form is posted by anything else, the view answers with this page, which posts the same fields again with
`confirmed=1`. Only a confirmed POST does the work."""

from django.shortcuts import render


def confirmed(request) -> bool:
    return request.POST.get("confirmed") == "1"


def ask(request, *, title: str, consequences: list[str], confirm_label: str, cancel: str, changes=None,
        nav: str = "desk", danger: bool = True):
    fields = [(name, value) for name, value in request.POST.items() if name not in ("csrfmiddlewaretoken", "confirmed")]
    return render(request, "desk/confirm.html", {
        "nav": nav, "title": title, "consequences": consequences, "confirm_label": confirm_label, "cancel": cancel,
        "changes": changes or [], "fields": fields, "action": request.path, "danger": danger,
    })
