"""Vendors (UMKM), their members, and (later in this module) applications, booths and products."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Vendor(models.Model):
    """An UMKM: a business with one or more member accounts."""

    class SizeClass(models.TextChoices):
        MIKRO = "mikro", _("Micro (mikro)")
        KECIL = "kecil", _("Small (kecil)")
        MENENGAH = "menengah", _("Medium (menengah)")

    name = models.CharField(_("business name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=170, unique=True)
    owner_name = models.CharField(_("owner's name"), max_length=150)
    nib = models.CharField(
        _("NIB"), max_length=13, blank=True, help_text=_("Nomor Induk Berusaha, 13 digits")
    )
    region = models.ForeignKey(
        "expo.Region",
        on_delete=models.PROTECT,
        related_name="vendors",
        verbose_name=_("regency/city"),
    )
    sector = models.ForeignKey(
        "expo.Sector", on_delete=models.PROTECT, related_name="vendors", verbose_name=_("sector")
    )
    size_class = models.CharField(
        _("size class"), max_length=10, choices=SizeClass.choices, default=SizeClass.MIKRO
    )
    address = models.TextField(_("address"), blank=True)
    whatsapp = models.CharField(_("WhatsApp number"), max_length=20, blank=True)
    story = models.TextField(_("story"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="vendors/logos/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="VendorMembership", related_name="vendors"
    )

    class Meta:
        verbose_name = _("vendor (UMKM)")
        verbose_name_plural = _("vendors (UMKM)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VendorMembership(models.Model):
    """Makes an account a member of a vendor: it may run the vendor's booths and orders."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        STAFF = "staff", _("Staff")

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vendor_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vendor member")
        verbose_name_plural = _("vendor members")
        constraints = [
            models.UniqueConstraint(fields=["vendor", "user"], name="unique_vendor_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.vendor}"
