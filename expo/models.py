"""The expo base: accounts, offices and (later) the expo and its time box.

This module imports no other app of the project; every app may import it.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from expo.countries import is_country_code

TIMEZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def validate_country(value: str) -> None:
    if not is_country_code(value):
        raise ValidationError(_("%(value)s is not a known country code."), params={"value": value})


def pick_language(english: str, indonesian: str) -> str:
    """The text in the active language, falling back to the other one when it is empty."""
    from django.utils.translation import get_language

    if (get_language() or "en").startswith("id"):
        return indonesian or english
    return english or indonesian


def bilingual(stem: str) -> property:
    """A read-only property giving ``<stem>_en`` or ``<stem>_id`` for the active language."""

    def read(instance: models.Model) -> str:
        return pick_language(getattr(instance, f"{stem}_en"), getattr(instance, f"{stem}_id"))

    return property(read, doc=f"{stem} in the active language")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account: buyer by default; vendor member, organiser or platform admin through memberships."""

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    country = models.CharField(
        _("country"), max_length=2, validators=[validate_country], default="ID"
    )
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, validators=[validate_time_zone], default="Asia/Jakarta"
    )
    is_staff = models.BooleanField(
        _("platform admin"),
        default=False,
        help_text=_("Can log in to the admin site and manage offices and organisers."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email.split("@")[0]


class Office(models.Model):
    """A provincial cooperatives-and-SME office (Dinas Koperasi dan UKM) that runs expos."""

    name = models.CharField(_("name"), max_length=200)
    province = models.CharField(_("province"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), unique=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="OfficeMembership",
        related_name="offices",
        verbose_name=_("organisers"),
    )

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["province"]

    def __str__(self) -> str:
        return self.name


class OfficeMembership(models.Model):
    """Makes a user an organiser of an office's expos."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="office_memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organiser membership")
        verbose_name_plural = _("organiser memberships")
        constraints = [
            models.UniqueConstraint(fields=["office", "user"], name="unique_office_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.office}"


class Region(models.Model):
    """A regency (kabupaten) or city (kota) of a province."""

    class Kind(models.TextChoices):
        REGENCY = "kabupaten", _("Regency (kabupaten)")
        CITY = "kota", _("City (kota)")

    province = models.CharField(_("province"), max_length=100, db_index=True)
    code = models.CharField(
        _("code"), max_length=10, unique=True, help_text=_("BPS/Kemendagri code")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    class Meta:
        verbose_name = _("regency or city")
        verbose_name_plural = _("regencies and cities")
        ordering = ["province", "name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "name", "kind"], name="unique_region_name")
        ]

    def __str__(self) -> str:
        prefix = "Kota" if self.kind == self.Kind.CITY else "Kab."
        return f"{prefix} {self.name}"


class Sector(models.Model):
    """A business sector, named in both languages."""

    slug = models.SlugField(_("slug"), unique=True)
    name_en = models.CharField(_("name (English)"), max_length=80)
    name_id = models.CharField(_("name (Indonesian)"), max_length=80)
    icon = models.CharField(_("icon"), max_length=8, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name

    name = bilingual("name")


class ExpoState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACCEPTING = "accepting", _("Accepting applications")
    PUBLISHED = "published", _("Published")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    # After closing, while the organiser keeps the catalogue open as a mall (``Expo.mall_until``).
    MALL = "mall", _("Mall open")


class Expo(models.Model):
    """A time-boxed virtual expo run by an office.

    Its state is never stored: it is derived from the clock (see :meth:`state_at`). Times are stored
    in UTC, organised in Asia/Jakarta and shown to each visitor in their own time zone.
    """

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="expos", verbose_name=_("office")
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=160)
    title_id = models.CharField(_("title (Indonesian)"), max_length=160)
    tagline_en = models.CharField(_("tagline (English)"), max_length=240, blank=True)
    tagline_id = models.CharField(_("tagline (Indonesian)"), max_length=240, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    hero_image = models.ImageField(_("hero image"), upload_to="expos/hero/", blank=True)
    applications_open_at = models.DateTimeField(_("applications open at"))
    application_deadline = models.DateTimeField(_("application deadline"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    # Set by the "Publish" action: the hall is public from here on even while applications are
    # still open. Empty: the hall becomes public at the application deadline.
    published_at = models.DateTimeField(_("hall public from"), null=True, blank=True)
    booth_quota = models.PositiveIntegerField(_("booth quota"), default=100)
    # Set by the "Open the mall" action: after closing, the catalogue still sells (channel "mall",
    # counted apart from the expo's omzet) until this moment. Empty: no mall.
    mall_until = models.DateTimeField(_("mall open until"), null=True, blank=True)
    sectors = models.ManyToManyField(
        Sector, related_name="expos", verbose_name=_("sectors on show")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("expo")
        verbose_name_plural = _("expos")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(applications_open_at__lt=models.F("application_deadline"))
                & models.Q(application_deadline__lte=models.F("opens_at"))
                & models.Q(opens_at__lt=models.F("closes_at")),
                name="expo_time_box_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(mall_until__isnull=True)
                | models.Q(mall_until__gt=models.F("closes_at")),
                name="expo_mall_after_closing",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    title = bilingual("title")

    tagline = bilingual("tagline")

    description = bilingual("description")

    def state_at(self, moment) -> ExpoState:
        if moment < self.applications_open_at:
            return ExpoState.DRAFT
        if moment < self.application_deadline:
            return ExpoState.ACCEPTING
        if moment < self.opens_at:
            return ExpoState.PUBLISHED
        if moment < self.closes_at:
            return ExpoState.OPEN
        if self.mall_until is not None and moment < self.mall_until:
            return ExpoState.MALL
        return ExpoState.CLOSED

    @property
    def state(self) -> ExpoState:
        return self.state_at(timezone.now())

    @property
    def has_closed(self) -> bool:
        """True once the expo's own time is over: closed, or closed with its mall open."""
        return self.state in (ExpoState.CLOSED, ExpoState.MALL)

    @property
    def publishes_at(self) -> datetime:
        """When the hall becomes public: when it was published early (while applications were
        open, as the "Publish" action allows; a publication the edited dates leave outside that
        window no longer counts), else the deadline."""
        published = self.published_at
        if (
            published is not None
            and self.applications_open_at <= published < self.application_deadline
        ):
            return published
        return self.application_deadline


class AuditLogEntry(models.Model):
    """An append-only record of a state change, named with a dotted action (``booths.application.approved``)."""

    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=40)
    expo = models.ForeignKey(
        "Expo", on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_log"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"


# --- Buyers' business profiles -------------------------------------------------------------------


class BuyerType(models.TextChoices):
    IMPORTER = "importer", _("Importer")
    DISTRIBUTOR = "distributor", _("Distributor or wholesaler")
    RETAILER = "retailer", _("Retailer")
    HORECA = "horeca", _("Hotel, restaurant or caterer")
    GOVERNMENT = "government", _("Government office")
    INDIVIDUAL = "individual", _("Individual")


class BuyerProfile(models.Model):
    """A business buyer's profile: optional for shoppers, required to request a meeting.

    A vendor sees it only while the buyer's consent stands (:class:`BuyerConsent`) and only once
    the buyer contacted that vendor (:class:`BuyerContact`); see ``expo.selectors``.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="buyer_profile",
        verbose_name=_("account"),
    )
    company = models.CharField(_("company"), max_length=150)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    buyer_type = models.CharField(_("type of buyer"), max_length=20, choices=BuyerType.choices)
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="buyer_profiles", verbose_name=_("sectors of interest")
    )
    products = models.CharField(
        _("products of interest"),
        max_length=300,
        blank=True,
        help_text=_("For example: coffee beans, batik fabric, rattan furniture."),
    )
    # Whole rupiah, like every amount of the platform.
    order_size = models.PositiveBigIntegerField(_("typical order size (Rp)"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("buyer profile")
        verbose_name_plural = _("buyer profiles")

    def __str__(self) -> str:
        return self.company


class BuyerConsent(models.Model):
    """The buyer agreed that the vendors they contact may see their profile: when, and the words
    they agreed to (in the language shown). Withdrawing keeps the row (the record of what was
    agreed and when) and sets ``withdrawn_at``; at most one consent stands at a time."""

    profile = models.ForeignKey(
        BuyerProfile, on_delete=models.CASCADE, related_name="consents", verbose_name=_("profile")
    )
    wording = models.TextField(_("what was agreed to"))
    language = models.CharField(_("language"), max_length=8)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("buyer's consent")
        verbose_name_plural = _("buyers' consents")
        ordering = ["-given_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_standing_consent_per_profile",
            )
        ]

    def __str__(self) -> str:
        return f"consent of {self.profile_id} at {self.given_at:%Y-%m-%d %H:%M}"


class BuyerContact(models.Model):
    """A buyer contacted a vendor (a meeting request, a question, a request for quotation): from
    then on that vendor may see the buyer's profile, while the consent stands. ``vendor_id`` is
    the vendor's id in the booths app above (the base points upwards by id only) and ``via`` a
    label of the first contact (``meeting:12``)."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="buyer_contacts"
    )
    vendor_id = models.BigIntegerField(_("vendor"))
    via = models.CharField(_("first contact"), max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("buyer's contact with a vendor")
        verbose_name_plural = _("buyers' contacts with vendors")
        constraints = [
            models.UniqueConstraint(fields=["buyer", "vendor_id"], name="one_contact_per_vendor")
        ]

    def __str__(self) -> str:
        return f"{self.buyer_id} → vendor {self.vendor_id} ({self.via})"
