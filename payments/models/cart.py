"""The cart: an account's own, or a guest's found through the session."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Cart(models.Model):
    """A buyer's cart: an account's own (one per account), or a guest's, found through the
    session. A guest's cart joins the account's when they log in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cart",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return f"cart #{self.pk}"


class CartItem(models.Model):
    """A product and quantity in a cart, with the price the buyer last saw (so a change between
    adding it and paying is shown, never silently charged)."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        "booths.Product", on_delete=models.CASCADE, related_name="cart_items"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price_seen = models.PositiveBigIntegerField(_("price seen (Rp)"))
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cart item")
        verbose_name_plural = _("cart items")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="one_cart_item_per_product"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="cart_quantity_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"
