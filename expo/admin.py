from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from expo.models import BuyerConsent, BuyerProfile, Office, OfficeMembership, Region, Sector, User


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through services (permissions, audit log, caches)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BuyerConsentInline(admin.TabularInline):
    """The record of what the buyer agreed to and when: kept as it was given."""

    model = BuyerConsent
    extra = 0
    can_delete = False
    fields = ("given_at", "withdrawn_at", "language", "wording")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BuyerProfile)
class BuyerProfileAdmin(admin.ModelAdmin):
    list_display = ["company", "user", "country", "buyer_type", "updated_at"]
    list_filter = ["buyer_type", "country"]
    search_fields = ["company", "user__email", "user__name"]
    list_select_related = ["user"]
    readonly_fields = ["user", "created_at", "updated_at"]
    inlines = [BuyerConsentInline]

    def has_add_permission(self, request) -> bool:
        return False
