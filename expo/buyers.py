"""Business buyers' profiles (the expo base's accounts): writes, reads, the form and the page.

A profile is optional for shoppers and required to request a meeting. A vendor sees it only while
the buyer's consent stands and only once the buyer contacted that vendor: the apps above record a
contact with :func:`buyer_contact_record` (a meeting request, a question, a request for quotation)
and read a profile with :func:`profile_for_vendor`, never the rows directly. Withdrawing the
consent hides the profile from every vendor at once; the record of what was agreed stays.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from expo.countries import COUNTRY_CHOICES
from expo.models import BuyerConsent, BuyerContact, BuyerProfile, Sector, User
from expo.services import audit_log
from expo.signals import buyer_changed

# What the buyer agrees to, shown beside the box they tick; the words they saw are stored.
CONSENT_WORDING = gettext_lazy(
    "I agree that the vendors I contact at an expo (by requesting a meeting, asking a question "
    "or requesting a quotation) may see this business profile: company, country, type of buyer, "
    "interests, typical order size and website. I can withdraw this at any time; vendors then no "
    "longer see it."
)

PROFILE_FIELDS = ("company", "country", "buyer_type", "products", "order_size", "website")


# --- Reads -----------------------------------------------------------------------------------------


def _consent_stands() -> Exists:
    """A profile whose consent stands (given and not withdrawn)."""
    return Exists(BuyerConsent.objects.filter(profile=OuterRef("pk"), withdrawn_at__isnull=True))


def profile_of(user: Any) -> BuyerProfile | None:
    """The account's own profile, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return BuyerProfile.objects.filter(user=user).first()


def standing_consent(profile: BuyerProfile | None) -> BuyerConsent | None:
    if profile is None or profile.pk is None:
        return None
    return profile.consents.filter(withdrawn_at__isnull=True).first()


def is_ready_to_meet(user: Any) -> bool:
    """The account has a profile whose consent stands: what requesting a meeting needs."""
    if not getattr(user, "is_authenticated", False):
        return False
    return BuyerProfile.objects.filter(user=user).filter(_consent_stands()).exists()


def profiles_for_vendor(*, vendor_id: int, buyer_ids: list[int]) -> dict[int, BuyerProfile]:
    """Of ``buyer_ids``, the profiles ``vendor_id`` may see (consent standing, contact made), by
    buyer id, with their sectors: two queries however many buyers."""
    if not buyer_ids:
        return {}
    contacted = BuyerContact.objects.filter(vendor_id=vendor_id, buyer_id__in=buyer_ids)
    profiles = (
        BuyerProfile.objects.filter(user_id__in=contacted.values("buyer_id"))
        .filter(_consent_stands())
        .select_related("user")
        .prefetch_related("sectors")
    )
    return {profile.user_id: profile for profile in profiles}


def profile_for_vendor(*, vendor_id: int, buyer_id: int) -> BuyerProfile | None:
    """The buyer's profile if ``vendor_id`` may see it, else None."""
    return profiles_for_vendor(vendor_id=vendor_id, buyer_ids=[buyer_id]).get(buyer_id)


# --- Writes ----------------------------------------------------------------------------------------


@transaction.atomic
def buyer_profile_save(
    *, user: User, sectors: Any = (), consent: bool | None = None, **fields: Any
) -> BuyerProfile:
    """Create or change the account's profile. ``consent`` True gives the consent (unless it
    stands), False withdraws it, None leaves it as it is."""
    if not getattr(user, "is_authenticated", False):
        raise ValueError("a profile needs an account")
    profile = BuyerProfile.objects.select_for_update().filter(user=user).first()
    created = profile is None
    profile = profile or BuyerProfile(user=user)
    for name in PROFILE_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(profile, name, value if value is not None or name == "order_size" else "")
    profile.full_clean(exclude=["user"])
    profile.save()
    profile.sectors.set(sectors)
    audit_log(
        action="expo.buyer_profile.created" if created else "expo.buyer_profile.updated",
        obj=profile,
        user=user,
    )
    if consent is True:
        buyer_consent_give(profile=profile, by=user)
    elif consent is False:
        buyer_consent_withdraw(profile=profile, by=user)
    buyer_changed.send(sender=BuyerProfile, profile=profile)
    return profile


@transaction.atomic
def buyer_consent_give(*, profile: BuyerProfile, by: User) -> BuyerConsent:
    """Record the consent (the words shown, in the language shown, and when), unless one stands."""
    if by.pk != profile.user_id:
        raise ValueError("only the buyer consents")
    standing = standing_consent(profile)
    if standing is not None:
        return standing
    language = (translation.get_language() or "en").split("-")[0]
    try:
        with transaction.atomic():
            consent = BuyerConsent.objects.create(
                profile=profile, wording=str(CONSENT_WORDING), language=language
            )
    except IntegrityError:  # given at the same moment in another tab
        return standing_consent(profile)  # type: ignore[return-value]
    audit_log(action="expo.buyer_profile.consent_given", obj=profile, user=by)
    buyer_changed.send(sender=BuyerProfile, profile=profile)
    return consent


@transaction.atomic
def buyer_consent_withdraw(*, profile: BuyerProfile, by: User) -> bool:
    """Withdraw the standing consent: no vendor sees the profile from now on. True if one stood."""
    if by.pk != profile.user_id:
        raise ValueError("only the buyer withdraws")
    changed = profile.consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
    if changed:
        audit_log(action="expo.buyer_profile.consent_withdrawn", obj=profile, user=by)
        buyer_changed.send(sender=BuyerProfile, profile=profile)
    return bool(changed)


def buyer_contact_record(*, buyer: Any, vendor_id: int, via: str) -> None:
    """``buyer`` contacted the vendor ``vendor_id`` (``via``: ``meeting:12``): from now on the
    vendor may see the buyer's profile while the consent stands. The first contact is kept."""
    if not getattr(buyer, "is_authenticated", False):
        return
    # Recorded at the same moment by another request: that first contact stands.
    with contextlib.suppress(IntegrityError), transaction.atomic():
        BuyerContact.objects.get_or_create(
            buyer=buyer, vendor_id=vendor_id, defaults={"via": via[:40]}
        )


# --- The page ----------------------------------------------------------------------------------------


class BuyerProfileForm(forms.ModelForm):
    country = forms.ChoiceField(label=gettext_lazy("Country"), choices=COUNTRY_CHOICES)
    sectors = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Sectors of interest"),
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    website = forms.URLField(
        label=gettext_lazy("Website"), max_length=200, required=False, assume_scheme="https"
    )
    consent = forms.BooleanField(label=CONSENT_WORDING, required=False)

    class Meta:
        model = BuyerProfile
        fields = [
            "company",
            "country",
            "buyer_type",
            "sectors",
            "products",
            "order_size",
            "website",
        ]


@login_required
def profile_page(request: HttpRequest) -> HttpResponse:
    """The buyer's business profile: fill it in, give or withdraw the consent."""
    profile = profile_of(request.user)
    consent = standing_consent(profile)
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        if profile is not None and buyer_consent_withdraw(profile=profile, by=request.user):
            messages.success(request, _("Your consent is withdrawn: vendors no longer see it."))
        return redirect("buyer_profile")
    initial = {"consent": consent is not None}
    if profile is None:
        initial["country"] = request.user.country
    form = BuyerProfileForm(request.POST or None, instance=profile, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        buyer_profile_save(
            user=request.user,
            sectors=data["sectors"],
            consent=bool(data["consent"]),
            **{name: data.get(name) for name in PROFILE_FIELDS},
        )
        messages.success(request, _("Your business profile was saved."))
        target = request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = "buyer_profile"
        return redirect(target)
    return render(
        request,
        "expo/buyer_profile.html",
        {"form": form, "profile": profile, "consent": consent},
    )
