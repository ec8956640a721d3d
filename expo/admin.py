from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from expo.banners import BannerCampaign, BannerFee, BannerSlot
from expo.models import Office, OfficeMembership, Region, Sector, User
from expo.report_models import ApiToken, PotentialDeal, ReportJob


class OfficeMembershipInline(admin.TabularInline):
    model = OfficeMembership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "country", "language", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "language", "country"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("name", "country", "language", "time_zone")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "province", "email"]
    search_fields = ["name", "province"]
    prepopulated_fields = {"slug": ["province"]}
    inlines = [OfficeMembershipInline]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "province", "code"]
    list_filter = ["province", "kind"]
    search_fields = ["name", "code"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "name_id", "position"]


# --- Reports and banners: read-mostly for platform admins; changes go through the workspaces'
# services (permissions, audit log, the serving pool's cache), so only slots are edited here.


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BannerSlot)
class BannerSlotAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "width", "height", "shows", "position"]


@admin.register(BannerCampaign)
class BannerCampaignAdmin(_ReadOnly):
    list_display = ["title_en", "expo", "slot", "vendor", "status", "price", "starts_on", "ends_on"]
    list_filter = ["status", "slot"]
    search_fields = ["title_en", "title_id", "vendor__name"]
    list_select_related = ["expo", "slot", "vendor"]


@admin.register(BannerFee)
class BannerFeeAdmin(_ReadOnly):
    list_display = ["reference", "expo", "amount", "status", "paid_at"]
    list_filter = ["status"]
    search_fields = ["reference"]


@admin.register(PotentialDeal)
class PotentialDealAdmin(_ReadOnly):
    list_display = ["buyer_company", "expo", "vendor", "estimated_value", "status", "verification"]
    list_filter = ["status", "verification"]
    search_fields = ["buyer_company", "vendor__name", "product"]
    list_select_related = ["expo", "vendor"]


@admin.register(ApiToken)
class ApiTokenAdmin(_ReadOnly):
    list_display = ["name", "office", "lookup", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["office"]
    exclude = ["token_hash"]


@admin.register(ReportJob)
class ReportJobAdmin(_ReadOnly):
    list_display = ["expo", "language", "status", "progress", "step"]
    list_filter = ["status"]
