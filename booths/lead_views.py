"""The vendor's leads (``/vendor/<slug>/leads/``, namespace ``vendor``): every buyer who chatted,
asked privately, met, asked for a quotation or bought at one of its booths, with what they did and
when; the buyer's business profile only while their consent stands. The vendor rates (0–5), tags
and notes each lead, filters the list, and exports it as CSV or XLSX (formula-safe).

Behind the vendor workspace's gate (:func:`booths.vendor_views.vendor_page`); a lead is looked up
through the vendor, so another vendor's answers 404.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from booths.models import LeadActivity
from booths.selectors import leads as selectors
from booths.services import leads as services
from booths.vendor_views import Workspace, vendor_page
from expo.countries import country_name
from expo.refusals import Refused, add_to_form
from expo.spreadsheets import csv_response, neutralise

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LeadFilterForm(forms.Form):
    expo = forms.CharField(required=False, max_length=80)
    kind = forms.ChoiceField(
        required=False,
        choices=[("", gettext_lazy("Anything"))] + list(LeadActivity.Kind.choices),
        label=gettext_lazy("What they did"),
    )
    min_rating = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=0,
        choices=[(0, gettext_lazy("Any rating"))] + [(n, "★" * n) for n in range(1, 6)],
        label=gettext_lazy("Rating"),
    )
    tag = forms.CharField(required=False, max_length=30, label=gettext_lazy("Tag"))
    q = forms.CharField(required=False, max_length=80, label=gettext_lazy("Search"))

    def filters(self) -> selectors.LeadFilters:
        if not self.is_valid():
            return selectors.LeadFilters()
        data = self.cleaned_data
        return selectors.LeadFilters(
            expo=data.get("expo") or "",
            kind=data.get("kind") or "",
            min_rating=data.get("min_rating") or 0,
            tag=(data.get("tag") or "").strip(),
            q=(data.get("q") or "").strip(),
        )


class LeadForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Rating"),
        coerce=int,
        choices=[(n, str(n)) for n in range(6)],
        widget=forms.RadioSelect,
    )
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Separated by commas, e.g. importer, halal, follow up."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _rows(request: HttpRequest, ws: Workspace) -> tuple[LeadFilterForm, list[Any], dict[int, Any]]:
    form = LeadFilterForm(request.GET or None)
    leads = list(selectors.vendor_leads(vendor=ws.vendor, filters=form.filters())[:500])
    return form, leads, selectors.profiles(vendor=ws.vendor, leads=leads)


@require_safe
@vendor_page
def leads(request: HttpRequest, ws: Workspace) -> HttpResponse:
    form, rows, profiles = _rows(request, ws)
    for lead in rows:
        lead.profile = profiles.get(lead.buyer_id)
    query = request.GET.urlencode()
    return render(
        request,
        "vendor/leads.html",
        {
            "ws": ws,
            "vendor": ws.vendor,
            "filter_form": form,
            "leads": rows,
            "expos": selectors.lead_expos(vendor=ws.vendor),
            "kinds": LeadActivity.Kind.choices,
            "query": query,
        },
    )


@require_http_methods(["GET", "POST"])
@vendor_page
def lead(request: HttpRequest, ws: Workspace, lead_id: int) -> HttpResponse:
    found = selectors.vendor_lead(vendor=ws.vendor, lead_id=lead_id)
    if found is None:
        raise Http404
    status = 200
    if request.method == "POST":
        form = LeadForm(request.POST)
        if form.is_valid():
            try:
                services.lead_update(lead=found, by=request.user, **form.cleaned_data)
            except (ValidationError, Refused) as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("The lead was saved."))
                return redirect("vendor:lead", ws.vendor.slug, found.pk)
        status = 400
    else:
        form = LeadForm(initial={"rating": found.rating, "tags": found.tags, "note": found.note})
    found.profile = selectors.profiles(vendor=ws.vendor, leads=[found]).get(found.buyer_id)
    return render(
        request,
        "vendor/lead.html",
        {"ws": ws, "vendor": ws.vendor, "lead": found, "form": form},
        status=status,
    )


def _columns() -> list[str]:
    return [
        _("Buyer"),
        _("Company"),
        _("Country"),
        _("Type of buyer"),
        _("Expo"),
        _("What they did"),
        _("First seen"),
        _("Last seen"),
        _("Rating"),
        _("Tags"),
        _("Note"),
    ]


def _export_rows(rows: list[Any], profiles: dict[int, Any]) -> Iterator[list[Any]]:
    for lead in rows:
        profile = profiles.get(lead.buyer_id)
        did = ", ".join(
            f"{label} ×{getattr(lead, f'n_{kind}')}"
            for kind, label in LeadActivity.Kind.choices
            if getattr(lead, f"n_{kind}", 0)
        )
        yield [
            lead.buyer.name or lead.buyer.get_short_name(),
            profile.company if profile else "",
            country_name(profile.country) if profile else "",
            profile.get_buyer_type_display() if profile else "",
            lead.expo.title,
            did,
            timezone.localtime(lead.first_seen_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(lead.last_seen_at).strftime("%Y-%m-%d %H:%M"),
            lead.rating,
            lead.tags,
            lead.note,
        ]


@require_safe
@vendor_page
def leads_export(request: HttpRequest, ws: Workspace, fmt: str) -> HttpResponse:
    _form, rows, profiles = _rows(request, ws)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"leads-{ws.vendor.slug}-{stamp}"
    if fmt == "csv":
        return csv_response(_columns(), _export_rows(rows, profiles), filename=f"{name}.csv")
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Leads")[:31]
    sheet.append([str(c) for c in _columns()])
    for row in _export_rows(rows, profiles):
        sheet.append([neutralise(cell) for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
