"""Banners for platform admins: slots are edited here; campaigns and fees change only through the
workspaces' services (permissions, audit log, the serving pool's cache), so they are read-only."""

from django.contrib import admin

from expo.admin import ReadOnlyAdmin
from expo.banners.models import BannerCampaign, BannerFee, BannerSlot


@admin.register(BannerSlot)
class BannerSlotAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "width", "height", "shows", "position"]


@admin.register(BannerCampaign)
class BannerCampaignAdmin(ReadOnlyAdmin):
    list_display = ["title_en", "expo", "slot", "vendor", "status", "price", "starts_on", "ends_on"]
    list_filter = ["status", "slot"]
    search_fields = ["title_en", "title_id", "vendor__name"]
    list_select_related = ["expo", "slot", "vendor"]


@admin.register(BannerFee)
class BannerFeeAdmin(ReadOnlyAdmin):
    list_display = ["reference", "expo", "amount", "status", "paid_at"]
    list_filter = ["status"]
    search_fields = ["reference"]
