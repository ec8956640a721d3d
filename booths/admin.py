from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from booths import catalogue
from booths.models import (
    Booth,
    BoothApplication,
    Product,
    ProductImage,
    SearchSynonym,
    Vendor,
    VendorMembership,
)
from booths.rubrics import CurationRubric, RubricCriterion
from booths.search.text import phrases_of
from expo.models import Expo


class VendorMembershipInline(admin.TabularInline):
    model = VendorMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "owner_name", "region", "sector", "size_class"]
    list_filter = ["sector", "size_class", "region__province"]
    search_fields = ["name", "owner_name", "nib"]
    list_select_related = ["region", "sector"]
    inlines = [VendorMembershipInline]


@admin.register(BoothApplication)
class BoothApplicationAdmin(admin.ModelAdmin):
    """Read-only here: decisions go through the curation queue so e-mails, quota and audit apply."""

    list_display = ["vendor", "expo", "status", "curation_grade", "submitted_at", "decided_at"]
    list_filter = ["status", "curation_grade", "expo"]
    search_fields = ["vendor__name"]
    list_select_related = ["vendor", "expo"]

    def has_change_permission(self, request, obj=None):
        return False


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["thumbnail", "position"]
    readonly_fields = ["thumbnail"]


@admin.register(Booth)
class BoothAdmin(admin.ModelAdmin):
    list_display = ["vendor", "expo", "is_active", "product_count", "min_price", "max_price"]
    list_filter = ["expo", "is_active", "is_halal"]
    search_fields = ["vendor__name"]
    list_select_related = ["vendor", "expo"]
    readonly_fields = ["min_price", "max_price", "has_preorder", "product_count"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name_en", "booth", "price", "stock", "is_preorder", "is_active"]
    list_filter = ["category", "is_preorder", "is_active", "booth__expo"]
    search_fields = ["name_en", "name_id", "booth__vendor__name"]
    list_select_related = ["booth__vendor"]
    inlines = [ProductImageInline]


class SearchSynonymForm(forms.ModelForm):
    class Meta:
        model = SearchSynonym
        fields = ["phrases"]

    def clean_phrases(self) -> str:
        """Stored as the search reads it: lower case, one comma and space between phrases."""
        phrases = phrases_of(self.cleaned_data["phrases"])
        if len(phrases) < 2:
            raise forms.ValidationError(
                _("Give at least two words or phrases, separated by commas.")
            )
        return ", ".join(" ".join(phrase) for phrase in phrases)


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    """Words the hall's search takes as one. A change applies to the next search: the halls'
    cached pages (keyed on each expo's catalogue version) are let go."""

    form = SearchSynonymForm
    list_display = ["phrases"]
    search_fields = ["phrases"]

    def _searches_changed(self) -> None:
        catalogue.bump_all(Expo.objects.values_list("pk", flat=True))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._searches_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._searches_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._searches_changed()


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0
    fields = ["key", "weight", "note", "position"]


@admin.register(CurationRubric)
class CurationRubricAdmin(admin.ModelAdmin):
    """Read-only here: organisers set the rubric on its workspace page, which grades the scored
    applications again."""

    list_display = ["expo", "scale", "grade_a_min", "grade_b_min", "updated_at"]
    list_select_related = ["expo"]
    inlines = [RubricCriterionInline]

    def has_change_permission(self, request, obj=None):
        return False
