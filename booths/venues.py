"""Hybrid expos: the physical venue beside the virtual hall, and its numbered stands.

A stand is assigned to one booth of the expo. Its printed card carries a QR code that opens the
booth's page with ``?stand=<code>``, so an online order that starts there is counted for the
stand (channel "stand", see ``payments.attribution``); sales made at the stand itself are recorded
by the vendor as offline sales (``payments.models.offline``).

The models live in this module (imported by :mod:`booths.models`) so that the hybrid side is
read in one place.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

# Codes printed under the QR code and typed by people: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_stand_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(8))


class Venue(models.Model):
    """Where a hybrid expo's physical stands stand (one venue per expo)."""

    expo = models.OneToOneField(
        "expo.Expo", on_delete=models.CASCADE, related_name="venue", verbose_name=_("expo")
    )
    name = models.CharField(_("venue"), max_length=160)
    address = models.CharField(_("address"), max_length=240, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "booths"
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self) -> str:
        return self.name


class Stand(models.Model):
    """A numbered physical stand at the venue, assigned to (at most) one booth of the expo."""

    CODE_LENGTH = 12

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="stands")
    number = models.PositiveIntegerField(_("stand number"))
    # In the QR code's link and printed under it; unique across expos, hard to guess.
    code = models.CharField(_("code"), max_length=CODE_LENGTH, unique=True, default=new_stand_code)
    booth = models.ForeignKey(
        "booths.Booth",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stands",
        verbose_name=_("booth"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "booths"
        verbose_name = _("stand")
        verbose_name_plural = _("stands")
        ordering = ["venue_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "number"], name="stand_number_per_venue"),
            models.UniqueConstraint(
                fields=["booth"],
                condition=models.Q(booth__isnull=False),
                name="one_stand_per_booth",
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="stand_number_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.venue_id}#{self.number}"
