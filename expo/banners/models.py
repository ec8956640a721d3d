"""Models of the banner promotions: slots, campaigns, their fees and their honest figures.

The ``banners`` app is a nested app of the expo top (banners point at booths, products and live
sessions); its tables keep their old names (``db_table``). The models name other apps' models only
by string, so importing them never imports another app.

Money: a banner's fee is the organiser's income. It is kept in :class:`BannerFee`, apart from
orders and the sales ledger, so it never counts as any UMKM's omzet. Omzet a banner *brought*
(orders placed after a click on it) is read from the sales ledger (channel ``banner``).

Figures: impressions and clicks are buffered in memory and written in batches (see
:mod:`expo.banners.services.counting`), one row per visitor per banner per hour, so a visitor counts once an
hour however often the banner is shown; :class:`BannerDailyStat` rolls them up per day.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from expo.models import bilingual


class BannerSlot(models.Model):
    """A place on the public pages where banners show, with its image size and how many banners
    it shows at once (the five are created by a data migration)."""

    class Code(models.TextChoices):
        HALL_HERO = "hall_hero", _("Hall: hero carousel")
        HALL_SIDE = "hall_side", _("Hall: side column")
        SECTOR_TOP = "sector_top", _("Top of a sector's page")
        BOOTH_PAGE = "booth_page", _("Booth page (cross-promotion)")
        SESSION_PAGE = "session_page", _("Live session page")

    code = models.CharField(_("code"), max_length=20, choices=Code.choices, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=80)
    name_id = models.CharField(_("name (Indonesian)"), max_length=80)
    width = models.PositiveIntegerField(_("image width (px)"))
    height = models.PositiveIntegerField(_("image height (px)"))
    shows = models.PositiveSmallIntegerField(_("banners shown at once"), default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "expo_bannerslot"  # created by the expo app before it split
        verbose_name = _("banner slot")
        verbose_name_plural = _("banner slots")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    name = bilingual("name")

    @property
    def size_label(self) -> str:
        return f"{self.width} × {self.height} px"


class BannerCampaign(models.Model):
    """A banner: who placed it (a vendor, or the organiser when ``vendor`` is empty), where it
    shows, what it links to, when it runs, its weight in the slot's rotation and its approval."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        PRICED = "priced", _("Priced, awaiting payment")
        PAID = "paid", _("Paid")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Target(models.TextChoices):
        BOOTH = "booth", _("Booth")
        PRODUCT = "product", _("Product")
        SESSION = "session", _("Live session")

    # Only these run (inside their dates): approved for free, or priced and then paid.
    SERVED_STATUSES = (Status.APPROVED, Status.PAID)

    expo = models.ForeignKey(
        "expo.Expo", on_delete=models.CASCADE, related_name="banners", verbose_name=_("expo")
    )
    slot = models.ForeignKey(
        BannerSlot, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("slot")
    )
    vendor = models.ForeignKey(
        "booths.Vendor",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="banners",
        verbose_name=_("vendor"),
        help_text=_("Empty for the organiser's own banners."),
    )
    target = models.CharField(_("links to"), max_length=10, choices=Target.choices)
    booth = models.ForeignKey(
        "booths.Booth", on_delete=models.CASCADE, related_name="banners", verbose_name=_("booth")
    )
    product = models.ForeignKey(
        "booths.Product",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="banners",
        verbose_name=_("product"),
    )
    session = models.ForeignKey(
        "events.LiveSession",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="banners",
        verbose_name=_("live session"),
    )
    # The sector whose page the banner tops (slot "sector_top"): the target booth's sector.
    sector = models.ForeignKey(
        "expo.Sector",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="banners",
        verbose_name=_("sector"),
    )
    title_en = models.CharField(_("title (English)"), max_length=120)
    title_id = models.CharField(_("title (Indonesian)"), max_length=120, blank=True)
    image_en = models.ImageField(_("image (English)"), upload_to="banners/")
    image_id = models.ImageField(_("image (Indonesian)"), upload_to="banners/", blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    price = models.PositiveBigIntegerField(_("price (Rp)"), null=True, blank=True)
    reject_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "expo_bannercampaign"  # created by the expo app before it split
        verbose_name = _("banner campaign")
        verbose_name_plural = _("banner campaigns")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["expo", "slot", "status"]),
            models.Index(fields=["vendor", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__lte=models.F("ends_on")),
                name="banner_dates_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=1) & models.Q(weight__lte=100),
                name="banner_weight_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    title = bilingual("title")

    @property
    def is_organisers(self) -> bool:
        return self.vendor_id is None

    @property
    def image(self):
        """The image in the active language, falling back to the English one."""
        from django.utils.translation import get_language

        if (get_language() or "en").startswith("id") and self.image_id:
            return self.image_id
        return self.image_en

    @property
    def label(self) -> str:
        """How sales reports name the banner (kept as it was on each ledger entry)."""
        return f"{self.title_en or self.title_id} (#{self.pk})"


class BannerFee(models.Model):
    """What a vendor owes the organiser for a priced banner, paid by bank transfer to the expo's
    collecting account and confirmed by the organiser. The organiser's income: never an order,
    never in the sales ledger, never omzet."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for transfer")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    campaign = models.OneToOneField(BannerCampaign, on_delete=models.CASCADE, related_name="fee")
    expo = models.ForeignKey("expo.Expo", on_delete=models.PROTECT, related_name="banner_fees")
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    reference = models.CharField(_("transfer reference"), max_length=32, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    # The account to transfer to, copied when the fee was set (the expo's collecting account).
    bank_name = models.CharField(_("bank"), max_length=80, blank=True)
    account_number = models.CharField(_("account number"), max_length=40, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "expo_bannerfee"  # created by the expo app before it split
        verbose_name = _("banner fee")
        verbose_name_plural = _("banner fees")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="banner_fee_positive")
        ]

    def __str__(self) -> str:
        return f"{self.reference} Rp {self.amount}"


class BannerImpression(models.Model):
    """A banner seen on screen by a visitor in an hour (one row however often it was seen)."""

    campaign = models.ForeignKey(
        BannerCampaign, on_delete=models.CASCADE, related_name="impressions"
    )
    hour = models.DateTimeField()
    day = models.DateField()
    visitor = models.CharField(max_length=32)

    class Meta:
        db_table = "expo_bannerimpression"  # created by the expo app before it split
        verbose_name = _("banner impression")
        verbose_name_plural = _("banner impressions")
        indexes = [models.Index(fields=["campaign", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "hour", "visitor"], name="one_impression_per_visitor_hour"
            )
        ]


class BannerClick(models.Model):
    """A click through a banner by a visitor in an hour (repeated clicks count once)."""

    campaign = models.ForeignKey(BannerCampaign, on_delete=models.CASCADE, related_name="clicks")
    hour = models.DateTimeField()
    day = models.DateField()
    visitor = models.CharField(max_length=32)

    class Meta:
        db_table = "expo_bannerclick"  # created by the expo app before it split
        verbose_name = _("banner click")
        verbose_name_plural = _("banner clicks")
        indexes = [models.Index(fields=["campaign", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "hour", "visitor"], name="one_click_per_visitor_hour"
            )
        ]


class BannerDailyStat(models.Model):
    """A campaign's day (Asia/Jakarta): rolled up from the impression and click rows on flush."""

    campaign = models.ForeignKey(
        BannerCampaign, on_delete=models.CASCADE, related_name="daily_stats"
    )
    day = models.DateField()
    impressions = models.PositiveIntegerField(default=0)
    unique_viewers = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "expo_bannerdailystat"  # created by the expo app before it split
        verbose_name = _("banner day")
        verbose_name_plural = _("banner days")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "day"], name="one_banner_stat_per_day")
        ]
