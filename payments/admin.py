"""Admin: a read-mostly view for platform admins. Orders, payments, refunds and the ledger change
only through the services (so stock, e-mails, the ledger and the audit log stay right)."""

from django.contrib import admin

from expo.admin import ReadOnlyAdmin
from payments.models import (
    Cart,
    CartItem,
    Charge,
    CollectingAccount,
    ExchangeRate,
    Order,
    OrderLine,
    OrderPart,
    Payment,
    Refund,
    SalesLedgerEntry,
    SettlementPayout,
    VendorShippingRate,
    WebhookEvent,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderPartInline(ReadOnlyInline):
    model = OrderPart
    fields = [
        "vendor",
        "status",
        "subtotal",
        "shipping_method",
        "shipping_amount",
        "courier",
        "tracking_number",
    ]


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["name_en", "unit_price", "quantity", "is_preorder", "ships_by", "refunded_amount"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["provider", "amount", "status", "reference", "provider_ref", "confirmed_at"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["code", "expo", "name", "email", "country", "status", "total", "placed_at"]
    list_filter = ["status", "provider", "channel", "expo"]
    search_fields = ["code", "email", "name"]
    list_select_related = ["expo"]
    date_hierarchy = "placed_at"
    inlines = [OrderPartInline, OrderLineInline, PaymentInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["order", "charge", "provider", "amount", "status", "reference", "created_at"]
    list_filter = ["provider", "status"]
    search_fields = ["order__code", "charge__code", "reference", "provider_ref"]
    list_select_related = ["order", "charge"]


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = ["code", "label", "expo", "amount", "status", "paid_at"]
    list_filter = ["status", "purpose"]
    search_fields = ["code", "label"]
    list_select_related = ["expo"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["order", "amount", "shipping", "status", "provider_ref", "created_at"]
    list_filter = ["status"]
    search_fields = ["order__code", "provider_ref"]
    list_select_related = ["order"]


@admin.register(SalesLedgerEntry)
class SalesLedgerEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "occurred_at",
        "kind",
        "amount",
        "expo",
        "vendor",
        "region",
        "channel",
        "buyer_country",
    ]
    list_filter = ["kind", "channel", "expo", "sector", "size_class"]
    search_fields = ["order__code", "vendor__name"]
    list_select_related = ["expo", "vendor", "region"]


@admin.register(SettlementPayout)
class SettlementPayoutAdmin(ReadOnlyAdmin):
    list_display = ["paid_at", "expo", "vendor", "amount", "fee", "reference"]
    list_filter = ["expo"]
    list_select_related = ["expo", "vendor"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "type", "event_id", "deliveries", "processed_at"]
    list_filter = ["provider", "type"]
    search_fields = ["event_id", "object_id"]


@admin.register(CollectingAccount)
class CollectingAccountAdmin(admin.ModelAdmin):
    list_display = ["expo", "bank_name", "account_number", "account_holder", "updated_at"]
    list_select_related = ["expo"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["expo", "currency", "idr_per_unit", "updated_at"]
    list_filter = ["currency", "expo"]


@admin.register(VendorShippingRate)
class VendorShippingRateAdmin(admin.ModelAdmin):
    list_display = ["vendor", "zone", "method", "amount"]
    list_filter = ["zone", "method"]
    search_fields = ["vendor__name"]


class CartItemInline(admin.TabularInline):
    model = CartItem
    extra = 0
    raw_id_fields = ["product"]


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ["pk", "user", "updated_at"]
    inlines = [CartItemInline]
    raw_id_fields = ["user"]


# Requests for quotation, quotations and leads (their own module).
from payments.quotations import admin as _quotations_admin  # noqa: E402, F401
