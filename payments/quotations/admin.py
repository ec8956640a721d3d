"""Requests for quotation, quotations (with their revisions and lines) and leads in Django admin:
read only, since they change only through their services (the audit log says who did what)."""

from django.contrib import admin

from booths.models import Lead, LeadActivity, QuoteRequest, QuoteRequestLine
from expo.admin import ReadOnlyAdmin
from payments.models import Quotation, QuotationLine, QuotationRevision


class QuoteRequestLineInline(admin.TabularInline):
    model = QuoteRequestLine
    extra = 0
    can_delete = False
    readonly_fields = ["product", "description", "quantity", "unit"]


@admin.register(QuoteRequest)
class QuoteRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "expo",
        "vendor",
        "buyer_company",
        "buyer_country",
        "status",
        "created_at",
    ]
    list_filter = ["status", "incoterm", "expo"]
    search_fields = ["code", "vendor__name", "buyer_company", "buyer__email"]
    inlines = [QuoteRequestLineInline]


class QuotationLineInline(admin.TabularInline):
    model = QuotationLine
    extra = 0
    can_delete = False
    readonly_fields = ["name_en", "quantity", "unit", "min_quantity", "unit_price", "hs_code"]
    fields = readonly_fields


@admin.register(QuotationRevision)
class QuotationRevisionAdmin(ReadOnlyAdmin):
    list_display = ["quotation", "number", "total", "payment_terms", "valid_until", "created_at"]
    inlines = [QuotationLineInline]


@admin.register(Quotation)
class QuotationAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "expo",
        "vendor",
        "buyer_country",
        "status",
        "revision",
        "total",
        "order",
    ]
    list_filter = ["status", "expo"]
    search_fields = ["code", "vendor__name", "request__code", "order__code"]


class LeadActivityInline(admin.TabularInline):
    model = LeadActivity
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "ref_id", "label", "occurred_at"]


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = ["booth", "buyer", "rating", "tags", "last_seen_at"]
    list_filter = ["expo", "rating"]
    search_fields = ["booth__vendor__name", "buyer__email"]
    inlines = [LeadActivityInline]
