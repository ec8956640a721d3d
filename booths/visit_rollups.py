"""Visit rollups: the page visits (``BoothVisit``, ``ProductVisit``) counted as they are written,
so the dashboard reads one row per booth instead of every visit.

``booths.services.visit_rollups.visits_write`` adds to them in the same transaction as the visits
themselves (the background flush of :mod:`booths.visits`): each visit row is inserted with ``INSERT
… ON CONFLICT DO NOTHING RETURNING``, and only the rows really inserted are counted, so a visit
buffered by two processes counts once. Distinct visitors cannot be summed from other counters: they
are kept exactly with first-seen tables (:class:`BoothVisitor`, :class:`ExpoVisitor`) and counters
bumped only when a visitor is seen for the first time there (:class:`BoothReach`,
:class:`ExpoReach`). ``manage.py rebuild_visit_rollups`` recomputes them from the visits; a
rebuild gives identical rows. Nothing else writes them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BoothVisitDay(models.Model):
    """How many visitors opened a booth's page on one day (Asia/Jakarta): its ``BoothVisit`` rows."""

    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="+")
    booth = models.ForeignKey(
        "booths.Booth", on_delete=models.CASCADE, related_name="+", db_index=False
    )  # the key's index serves
    day = models.DateField()
    visits = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("booth visits per day")
        verbose_name_plural = _("booth visits per day")
        constraints = [models.UniqueConstraint(fields=["booth", "day"], name="booth_visit_day_key")]


class BoothVisitor(models.Model):
    """A visitor key seen at a booth (its page or one of its products' pages; or an account that
    bought there, under the key its visits would carry), once ever."""

    # Both served by the indexes below (fewer indexes to write at each flush).
    expo = models.ForeignKey(
        "expo.Expo", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    booth = models.ForeignKey(
        "booths.Booth", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    visitor = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("booth visitor")
        verbose_name_plural = _("booth visitors")
        constraints = [
            models.UniqueConstraint(fields=["booth", "visitor"], name="booth_visitor_key")
        ]
        # The conversion looks up the booths at which some accounts' keys were seen.
        indexes = [models.Index(fields=["expo", "visitor"], name="booth_visitor_expo")]


class BoothReach(models.Model):
    """How many distinct visitors a booth has had (its :class:`BoothVisitor` rows)."""

    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="+")
    booth = models.OneToOneField("booths.Booth", on_delete=models.CASCADE, related_name="+")
    visitors = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("booth reach")
        verbose_name_plural = _("booth reach")


class ExpoVisitor(models.Model):
    """A visitor key seen at any booth or product of an expo, once ever."""

    expo = models.ForeignKey(
        "expo.Expo", on_delete=models.CASCADE, related_name="+", db_index=False
    )  # the key's index serves
    visitor = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("expo visitor")
        verbose_name_plural = _("expo visitors")
        constraints = [models.UniqueConstraint(fields=["expo", "visitor"], name="expo_visitor_key")]


class ExpoReach(models.Model):
    """How many distinct visitors an expo's booths and products have had, each person once."""

    expo = models.OneToOneField("expo.Expo", on_delete=models.CASCADE, related_name="+")
    visitors = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("expo reach")
        verbose_name_plural = _("expo reach")
