"""Report records for platform admins, read-only: they change through the reports' services."""

from django.contrib import admin

from expo.admin import ReadOnlyAdmin
from expo.reports.models import ApiToken, PotentialDeal, ReportJob


@admin.register(PotentialDeal)
class PotentialDealAdmin(ReadOnlyAdmin):
    list_display = ["buyer_company", "expo", "vendor", "estimated_value", "status", "verification"]
    list_filter = ["status", "verification"]
    search_fields = ["buyer_company", "vendor__name", "product"]
    list_select_related = ["expo", "vendor"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "office", "lookup", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["office"]
    exclude = ["token_hash"]


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    list_display = ["expo", "language", "status", "progress", "step"]
    list_filter = ["status"]
