"""Business matching: an expo's matching settings, the vendors' published availability, and 1:1
meetings between a vendor and a business buyer, with their participants.

Imported by :mod:`events.models`, so the tables belong to the ``events`` app.

One person never has two meetings at once, nor a vendor two: the database says so. On PostgreSQL
exclusion constraints (``btree_gist``) refuse overlapping time ranges of the active rows — a
meeting's vendor (``meeting_vendor_no_overlap``) and each participant (``meeting_person_no_overlap``,
over the participant rows, which carry the meeting's times and whether it is active). They are
added by the migration with :class:`events.matching.operations.PostgresOnlySQL`, not in ``Meta``,
because SQLite cannot have them; there the partial unique constraints below (one active meeting
per vendor and per person at a start time: slots of one expo share their length and grid) and the
services' check under SQLite's whole-database write lock hold the line.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

AGENDA_MAX_LENGTH = 500


class MatchingSettings(models.Model):
    """Whether and how business matching runs at an expo (set by its organisers)."""

    class Length(models.IntegerChoices):
        SHORT = 15, _("15 minutes")
        MEDIUM = 20, _("20 minutes")
        LONG = 30, _("30 minutes")

    expo = models.OneToOneField(
        "expo.Expo", on_delete=models.CASCADE, related_name="matching", verbose_name=_("expo")
    )
    enabled = models.BooleanField(_("business matching is on"), default=False)
    # Inside the expo's time box; empty: from when the expo opens, until it closes.
    starts_at = models.DateTimeField(_("meetings from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("meetings until"), null=True, blank=True)
    meeting_minutes = models.PositiveSmallIntegerField(
        _("meeting length"), choices=Length.choices, default=Length.LONG
    )
    cancel_cutoff_minutes = models.PositiveIntegerField(
        _("cancel until (minutes before the start)"), default=60
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("matching settings")
        verbose_name_plural = _("matching settings")

    def __str__(self) -> str:
        return f"matching at {self.expo_id}"


class MeetingAvailability(models.Model):
    """A window in which a vendor member can meet buyers at an expo (stored in UTC, published in
    WIB). Slots are cut from it at the expo's meeting length."""

    expo = models.ForeignKey(
        "expo.Expo", on_delete=models.CASCADE, related_name="meeting_availability"
    )
    vendor = models.ForeignKey(
        "booths.Vendor", on_delete=models.CASCADE, related_name="meeting_availability"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="meeting_availability",
        verbose_name=_("who meets"),
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting availability")
        verbose_name_plural = _("meeting availability")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="availability_ends_after_it_starts",
            )
        ]
        indexes = [models.Index(fields=["expo", "vendor", "starts_at"], name="availability_lookup")]

    def __str__(self) -> str:
        return f"{self.vendor_id}/{self.member_id} {self.starts_at:%Y-%m-%d %H:%M}"


class MeetingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PROPOSED = "proposed", _("New time proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    HELD = "held", _("Held")
    NO_SHOW = "no_show", _("No-show")


# A meeting in one of these holds its time: nobody else can have its vendor or its people then.
ACTIVE_STATUSES = (MeetingStatus.REQUESTED, MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED)


class MeetingOutcome(models.TextChoices):
    INTERESTED = "interested", _("Interested")
    SAMPLE = "sample_requested", _("Sample requested")
    QUOTATION = "quotation_to_send", _("Quotation to send")
    DEAL = "deal", _("Deal")


class MeetingMark(models.TextChoices):
    """One side's word after the meeting (see events.call.services.meeting_mark)."""

    HELD = "held", _("Held")
    NO_SHOW = "no_show", _("The other side did not come")


class Meeting(models.Model):
    """A 1:1 meeting between a vendor and a business buyer at an expo.

    Asked by the buyer (``requested``), or proposed (a vendor's other time, an organiser's
    suggestion: ``proposed``); ``confirmed`` once both sides agreed to its time (each side's
    agreement is ``buyer_agreed_at`` / ``vendor_agreed_at``, cleared when the time changes).
    """

    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="meetings")
    vendor = models.ForeignKey("booths.Vendor", on_delete=models.CASCADE, related_name="meetings")
    booth = models.ForeignKey("booths.Booth", on_delete=models.CASCADE, related_name="meetings")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="meetings_as_buyer",
        verbose_name=_("buyer"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=MeetingStatus.choices,
        default=MeetingStatus.REQUESTED,
        db_index=True,
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    agenda = models.TextField(
        _("agenda"), validators=[MaxLengthValidator(AGENDA_MAX_LENGTH)], blank=True
    )
    external_link = models.URLField(
        _("external meeting link"),
        max_length=500,
        blank=True,
        help_text=_("Only if the call inside the expo does not work for you (Zoom, Meet…)."),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("time proposed by"),
    )
    buyer_agreed_at = models.DateTimeField(null=True, blank=True)
    vendor_agreed_at = models.DateTimeField(null=True, blank=True)
    # Why it was declined or cancelled, and by whom.
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    # After the meeting (recorded by the vendor): what came of it; a deal's potential value.
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=MeetingOutcome.choices, blank=True
    )
    deal_value = models.PositiveBigIntegerField(_("potential deal (Rp)"), null=True, blank=True)
    # After the meeting: each side's mark (held, or the other side did not come); the status
    # follows them (events.call.services).
    vendor_mark = models.CharField(
        _("vendor's mark"), max_length=8, choices=MeetingMark.choices, blank=True
    )
    buyer_mark = models.CharField(
        _("buyer's mark"), max_length=8, choices=MeetingMark.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="meeting_ends_after_it_starts",
            ),
            # SQLite's stand-in for the exclusion constraint (see the module's docstring).
            models.UniqueConstraint(
                fields=["vendor", "starts_at"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="one_active_meeting_per_vendor_and_start",
            ),
        ]
        indexes = [
            models.Index(fields=["expo", "status"], name="meeting_expo_status"),
            models.Index(fields=["vendor", "starts_at"], name="meeting_vendor_time"),
            models.Index(fields=["buyer", "starts_at"], name="meeting_buyer_time"),
        ]

    def __str__(self) -> str:
        return (
            f"meeting #{self.pk} {self.vendor_id}↔{self.buyer_id} {self.starts_at:%Y-%m-%d %H:%M}"
        )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class MeetingParticipant(models.Model):
    """A person in a meeting: the buyer and the vendor member(s) — up to four people (a vendor's
    colleague, a buyer's interpreter). Carries the meeting's times and whether it is active, so
    the database can refuse a person's overlapping meetings from this table alone; the services
    keep them equal to the meeting's."""

    class Side(models.TextChoices):
        VENDOR = "vendor", _("Vendor")
        BUYER = "buyer", _("Buyer")
        ORGANISER = "organiser", _("Organiser")

    MAX_PEOPLE = 4

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_participations"
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting participant")
        verbose_name_plural = _("meeting participants")
        ordering = ["meeting", "side", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="one_seat_per_person"),
            # SQLite's stand-in for the exclusion constraint (see the module's docstring).
            models.UniqueConstraint(
                fields=["user", "starts_at"],
                condition=models.Q(is_active=True),
                name="one_active_meeting_per_person_and_start",
            ),
        ]
        indexes = [models.Index(fields=["user", "starts_at"], name="participant_user_time")]

    def __str__(self) -> str:
        return f"{self.user_id} in meeting {self.meeting_id} ({self.side})"


class SuggestionBoard(models.Model):
    """An expo whose suggested pairs are stored (:class:`PairSuggestion`, built by
    :func:`events.matching.suggestions.suggestions_rebuild`). Its row is also the lock every
    writer of the expo's suggestions takes first, so that two writers never interleave: each
    reads the inputs after it holds the lock. No row: nothing is stored yet (the page builds it)."""

    expo = models.OneToOneField(
        "expo.Expo", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    built_at = models.DateTimeField()

    class Meta:
        verbose_name = _("matchmaking board")
        verbose_name_plural = _("matchmaking boards")

    def __str__(self) -> str:
        return f"suggestions of expo {self.expo_id}"


class PairSuggestion(models.Model):
    """One suggested pair of a business buyer and a vendor at an expo, with its score: a row for
    every pair the matchmaking's one scoring function (:func:`events.matching.matchmaking.points`)
    suggests, and none for a pair with a meeting. Carries what the page filters and orders by
    (the buyer's country, the vendor's sector, both names in lower case) so it reads a page of
    them in order; the reasons are written when a pair is shown."""

    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="+")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    vendor = models.ForeignKey("booths.Vendor", on_delete=models.CASCADE, related_name="+")
    score = models.SmallIntegerField()
    country = models.CharField(max_length=2)
    sector_id = models.IntegerField()
    company_key = models.CharField(max_length=150)
    vendor_key = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("suggested pair")
        verbose_name_plural = _("suggested pairs")
        constraints = [
            models.UniqueConstraint(
                fields=["expo", "buyer", "vendor"], name="one_suggestion_a_pair"
            )
        ]
        indexes = [
            models.Index(fields=["expo", "-score"], name="suggestion_rank"),
            models.Index(fields=["expo", "vendor"], name="suggestion_vendor"),
            # The page's filters: a buyer country's or a vendor sector's pairs, best first.
            models.Index(fields=["expo", "country", "-score"], name="suggestion_country_rank"),
            models.Index(fields=["expo", "sector_id", "-score"], name="suggestion_sector_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.buyer_id}-{self.vendor_id} at expo {self.expo_id}: {self.score}"
