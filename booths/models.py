"""Vendors (UMKM), their members, and (later in this module) applications, booths and products."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.files.storage import Storage, storages
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from expo.models import bilingual


class _PrivateStorage(Storage):
    """Stands for ``storages["private"]`` at each use rather than the backend that was configured
    when the models loaded, so a changed ``STORAGES`` setting (tests, a second deployment) holds."""

    def __getattribute__(self, name: str) -> object:
        if name.startswith("__"):
            return object.__getattribute__(self, name)
        return getattr(storages["private"], name)


def private_storage() -> Storage:
    """Where business documents go: never public (see ``STORAGES["private"]`` in settings).
    A callable, so migrations do not freeze the backend."""
    return _PrivateStorage()


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


class BoothApplication(models.Model):
    """A vendor's request for a booth at an expo, with the documents the curators review."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Stock(models.TextChoices):
        READY = "ready", _("Ready stock for the whole expo")
        LIMITED = "limited", _("Limited stock, stated per product")
        PREORDER = "preorder", _("Made to order (pre-order)")

    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="applications")
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="applications")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    nib_document = models.FileField(
        _("NIB document"), upload_to="applications/nib/", storage=private_storage
    )
    permit_kind = models.CharField(
        _("food permit"),
        max_length=10,
        choices=[("", _("Not a food product")), ("pirt", "P-IRT"), ("bpom", "BPOM")],
        blank=True,
    )
    permit_number = models.CharField(_("P-IRT/BPOM number"), max_length=40, blank=True)
    permit_document = models.FileField(
        _("P-IRT/BPOM document"),
        upload_to="applications/permits/",
        blank=True,
        storage=private_storage,
    )
    halal_number = models.CharField(_("halal certificate number"), max_length=60, blank=True)
    halal_document = models.FileField(
        _("halal certificate"), upload_to="applications/halal/", blank=True, storage=private_storage
    )
    permit_expires_on = models.DateField(_("P-IRT/BPOM valid until"), null=True, blank=True)
    halal_expires_on = models.DateField(_("halal certificate valid until"), null=True, blank=True)
    # Annual turnover the vendor declares when it applies (whole rupiah): its size class at that
    # expo (PP 7/2021) and, between two expos, whether it moved up a class. Empty on applications
    # from before it was asked.
    declared_turnover = models.PositiveBigIntegerField(
        _("annual turnover (Rp)"), null=True, blank=True
    )
    # The curators' weighted score (0–100) on the expo's rubric and its grade (A/B/C), kept with
    # the application so that the queue sorts by them; written by booths.services.grading.
    curation_score = models.DecimalField(
        _("curation score"), max_digits=5, decimal_places=2, null=True, blank=True, db_index=True
    )
    curation_grade = models.CharField(_("curation grade"), max_length=1, blank=True)
    stock = models.CharField(_("stock availability"), max_length=10, choices=Stock.choices)
    stock_note = models.TextField(_("about your stock"), blank=True)
    motivation = models.TextField(_("why you want to join"), blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("booth application")
        verbose_name_plural = _("booth applications")
        ordering = ["submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["expo", "vendor"], name="one_application_per_expo")
        ]

    def __str__(self) -> str:
        return f"{self.vendor} → {self.expo}"

    @property
    def is_halal(self) -> bool:
        return bool(self.halal_number)


class ApplicationPhoto(models.Model):
    application = models.ForeignKey(
        BoothApplication, on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(upload_to="applications/photos/", storage=private_storage)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class Booth(models.Model):
    """A vendor's booth at one expo, opened when its application is approved."""

    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="booths")
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="booths")
    application = models.OneToOneField(
        BoothApplication, on_delete=models.SET_NULL, null=True, blank=True, related_name="booth"
    )
    slug = models.SlugField(_("slug"), max_length=170)
    tagline_en = models.CharField(_("tagline (English)"), max_length=160, blank=True)
    tagline_id = models.CharField(_("tagline (Indonesian)"), max_length=160, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    cover_image = models.ImageField(_("cover image"), upload_to="booths/covers/", blank=True)
    video_url = models.URLField(_("video (YouTube or Vimeo)"), blank=True)
    is_halal = models.BooleanField(_("halal certified"), default=False)
    is_active = models.BooleanField(_("shown in the hall"), default=True)
    # Denormalised for the hall's filters and sorting; kept right by the product services.
    min_price = models.PositiveBigIntegerField(null=True, blank=True)
    max_price = models.PositiveBigIntegerField(null=True, blank=True)
    has_preorder = models.BooleanField(default=False)
    product_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("booth")
        verbose_name_plural = _("booths")
        ordering = ["vendor__name"]
        constraints = [
            models.UniqueConstraint(fields=["expo", "vendor"], name="one_booth_per_expo"),
            models.UniqueConstraint(fields=["expo", "slug"], name="unique_booth_slug"),
        ]

    def __str__(self) -> str:
        return self.vendor.name

    @property
    def name(self) -> str:
        return self.vendor.name

    tagline = bilingual("tagline")

    description = bilingual("description")


# A product's description, in each language: room for its whole story, and a bound (a megabyte was
# stored once). Checked by the model's validators, so the vendor's form, the services (full_clean)
# and the admin all say the same.
PRODUCT_DESCRIPTION_MAX_LENGTH = 5_000
_description_length = MaxLengthValidator(
    PRODUCT_DESCRIPTION_MAX_LENGTH,
    message=_(
        "A description can be at most %(limit_value)d characters long "
        "(this one has %(show_value)d)."
    ),
)
# The database's min_order_at_least_one would say "Constraint … is violated": this says it first.
MIN_ORDER_MESSAGE = _("The minimum order is at least 1.")
_min_order_at_least_one = MinValueValidator(1, message=MIN_ORDER_MESSAGE)


class Product(models.Model):
    """A product in a booth. Prices are whole rupiah."""

    DESCRIPTION_MAX_LENGTH = PRODUCT_DESCRIPTION_MAX_LENGTH

    class Category(models.TextChoices):
        FOOD = "food", _("Food")
        DRINK = "drink", _("Drinks")
        SNACK = "snack", _("Snacks")
        BATIK = "batik", _("Batik and textiles")
        CLOTHING = "clothing", _("Clothing")
        CRAFT = "craft", _("Handicraft")
        HOME = "home", _("Home and furniture")
        BEAUTY = "beauty", _("Beauty and wellness")
        AGRI = "agri", _("Farm produce")
        SERVICE = "service", _("Services")
        OTHER = "other", _("Other")

    booth = models.ForeignKey(Booth, on_delete=models.CASCADE, related_name="products")
    slug = models.SlugField(_("slug"), max_length=170)
    name_en = models.CharField(_("name (English)"), max_length=160)
    name_id = models.CharField(_("name (Indonesian)"), max_length=160)
    description_en = models.TextField(
        _("description (English)"), blank=True, validators=[_description_length]
    )
    description_id = models.TextField(
        _("description (Indonesian)"), blank=True, validators=[_description_length]
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    price = models.PositiveBigIntegerField(_("price (Rp)"))
    stock = models.PositiveIntegerField(_("stock"), default=0)
    is_preorder = models.BooleanField(_("pre-order"), default=False)
    preorder_lead_days = models.PositiveSmallIntegerField(
        _("pre-order lead time (days)"), null=True, blank=True
    )
    preorder_quota = models.PositiveIntegerField(_("pre-order quota"), null=True, blank=True)
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    min_order = models.PositiveIntegerField(
        _("minimum order"), default=1, validators=[_min_order_at_least_one]
    )
    is_featured = models.BooleanField(_("featured in the booth"), default=False)
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-is_featured", "name_en"]
        constraints = [
            models.UniqueConstraint(fields=["booth", "slug"], name="unique_product_slug"),
            models.CheckConstraint(
                condition=models.Q(min_order__gte=1), name="min_order_at_least_one"
            ),
            models.CheckConstraint(
                condition=models.Q(is_preorder=False)
                | (
                    models.Q(preorder_lead_days__isnull=False)
                    & models.Q(preorder_quota__isnull=False)
                ),
                name="preorder_has_lead_time_and_quota",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    name = bilingual("name")

    description = bilingual("description")

    @property
    def available(self) -> int:
        return (self.preorder_quota or 0) if self.is_preorder else self.stock


class ProductImage(models.Model):
    """A product photo, re-encoded on upload, with a thumbnail for cards."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/", width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to="products/thumbs/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class BoothVisit(models.Model):
    """One visitor's visit to a booth page on one day (Asia/Jakarta); written in batches."""

    booth = models.ForeignKey(Booth, on_delete=models.CASCADE, related_name="visits")
    day = models.DateField()
    visitor = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booth", "day", "visitor"], name="unique_booth_visit")
        ]
        indexes = [models.Index(fields=["booth", "day"])]


class ProductVisit(models.Model):
    """One visitor's visit to a product page on one day (Asia/Jakarta); written in batches."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="visits")
    day = models.DateField()
    visitor = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "day", "visitor"], name="unique_product_visit"
            )
        ]
        indexes = [models.Index(fields=["product", "day"])]


# --- The hall's search -----------------------------------------------------------------------------
# What booths.search reads and writes. The documents and terms are derived from booths and products
# and rebuilt per expo whenever its catalogue changed (booths.search.index); nothing else writes them.


class SearchSynonym(models.Model):
    """Words and phrases the hall's search takes as one across the two languages (kopi, coffee;
    gula aren, palm sugar). The office adds its own in the admin; a search for any of them finds
    all of them."""

    phrases = models.CharField(
        _("words and phrases"),
        max_length=300,
        unique=True,
        help_text=_("Two or more, separated by commas, e.g. “gula aren, palm sugar, gula jawa”."),
    )

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["phrases"]

    def __str__(self) -> str:
        return self.phrases


class SearchDocument(models.Model):
    """One booth or product as the search sees it: its texts in both languages, normalised (lower
    case, no accents, words apart), in three columns weighted name over tagline over body."""

    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="+")
    # Plain pointers, no constraints: the index is rebuilt from the booths and products, and
    # searches join back to them, so a row deleted meanwhile simply finds nothing.
    booth = models.ForeignKey(
        Booth, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.TextField(blank=True)
    tagline = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # PostgreSQL's weighted full-text vector of the three texts. On SQLite the column stays empty:
    # the FTS5 table booths_search_fts holds that index instead (see booths.search.engines).
    vector = SearchVectorField(null=True, editable=False)


class SearchTerm(models.Model):
    """A word of an expo's catalogue, for putting typos right ("battik" is "batik"): trigram
    similarity on PostgreSQL, the FTS5 trigram table booths_search_terms_fts on SQLite."""

    expo = models.ForeignKey("expo.Expo", on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["expo", "term"], name="unique_search_term_per_expo")
        ]


class SearchIndexState(models.Model):
    """What an expo's search documents were built from (see booths.search.index.fingerprint)."""

    expo = models.OneToOneField(
        "expo.Expo", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    fingerprint = models.CharField(max_length=200)
    built_at = models.DateTimeField()


# Requests for quotation and leads: their own module, part of this app (see its docstring).
from booths.deals import (  # noqa: E402, F401
    Incoterm,
    Lead,
    LeadActivity,
    QuoteRequest,
    QuoteRequestLine,
)

# The curation rubric and the curators' scores live in their own module (same app).
from booths.rubrics import ApplicationScore, CurationRubric, RubricCriterion  # noqa: E402, F401

# A hybrid expo's venue and its numbered physical stands (same app).
from booths.venues import Stand, Venue  # noqa: E402, F401

# Page visits counted as they are written, for the dashboard (same app; see its docstring).
from booths.visit_rollups import (  # noqa: E402, F401
    BoothReach,
    BoothVisitDay,
    BoothVisitor,
    ExpoReach,
    ExpoVisitor,
)
