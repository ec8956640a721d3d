"""The vendor workspace under ``/vendor/`` (namespace ``vendor``).

Every page of a business lives under ``/vendor/<vendor slug>/``: the URL names the vendor, and
:func:`vendor_page` checks that the signed-in account is a member of exactly that vendor before the
view runs (403 otherwise). Objects below it (applications, booths, products, photos) are then looked
up *through* that vendor, so another vendor's ids answer 404. ``/vendor/`` itself shows the business
chosen last (kept in the session, checked again) or the invitation to register one.

Views stay thin: forms clean input, ``booths.services`` apply the rules (permissions, time box,
documents), and a refused action shows its message and changes nothing.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from booths import selectors, services
from booths.forms import (
    ApplicationForm,
    BoothForm,
    MemberAddForm,
    ProductForm,
    VendorForm,
)
from booths.models import Booth, BoothApplication, Product, Vendor, VendorMembership
from expo import permissions, timebox
from expo.models import ExpoState
from expo.refusals import add_to_form, refuse

SESSION_KEY = "vendor_workspace"
T = TypeVar("T")


# --- Workspace: which vendor, and may this account act for it ------------------------------------


@dataclass(frozen=True)
class Workspace:
    """The vendor a page acts for, the account's membership of it, and the account's other
    vendors (for the switcher)."""

    vendor: Vendor
    membership: VendorMembership
    memberships: tuple[VendorMembership, ...]

    @property
    def is_owner(self) -> bool:
        return self.membership.role == VendorMembership.Role.OWNER

    @property
    def others(self) -> list[VendorMembership]:
        return [m for m in self.memberships if m.vendor_id != self.vendor.pk]


def _workspace(request: HttpRequest, memberships: tuple[VendorMembership, ...], vendor_id: int):
    membership = next(m for m in memberships if m.vendor_id == vendor_id)
    request.session[SESSION_KEY] = vendor_id
    return Workspace(vendor=membership.vendor, membership=membership, memberships=memberships)


def vendor_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; then 404 for an unknown vendor, 403 unless a member of *that* vendor."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, vendor_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.is_authenticated(request.user):
            return redirect_to_login(request.get_full_path())
        memberships = selectors.vendor_memberships(user=request.user)
        vendor_id = next((m.vendor_id for m in memberships if m.vendor.slug == vendor_slug), None)
        if vendor_id is None:
            if not selectors.vendor_exists(slug=vendor_slug):
                raise Http404
            vendor_id = -1
        permissions.require(permissions.is_vendor_member(request.user, vendor_id))
        return view(request, _workspace(request, memberships, vendor_id), *args, **kwargs)

    return wrapped


def _found(found: T | None) -> T:
    """What a selector found below the workspace's vendor, or 404 (another vendor's ids too)."""
    if found is None:
        raise Http404
    return found


def _page(request: HttpRequest, template: str, ws: Workspace, **context: Any) -> HttpResponse:
    return render(request, template, {"ws": ws, "vendor": ws.vendor, **context})


# --- Dashboard and registration ------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    """The dashboard of the business chosen last, or the invitation to register one. A guest gets
    the invitation too ("Exhibit your UMKM"): what exhibiting means comes before a log-in."""
    if not request.user.is_authenticated:
        return render(request, "vendor/welcome.html", {"accepting": selectors.accepting_expos()})
    memberships = selectors.vendor_memberships(user=request.user)
    if not memberships:
        return render(request, "vendor/welcome.html", {"accepting": selectors.accepting_expos()})
    chosen = request.session.get(SESSION_KEY)
    vendor_id = next(
        (m.vendor_id for m in memberships if m.vendor_id == chosen), memberships[0].vendor_id
    )
    return _dashboard(request, _workspace(request, memberships, vendor_id))


@vendor_page
def dashboard(request: HttpRequest, ws: Workspace) -> HttpResponse:
    return _dashboard(request, ws)


def _dashboard(request: HttpRequest, ws: Workspace) -> HttpResponse:
    board = selectors.vendor_dashboard(vendor=ws.vendor)
    return _page(
        request,
        "vendor/dashboard.html",
        ws,
        applications=board.applications,
        booths=board.booths,
        accepting=board.accepting,
    )


@login_required
def register(request: HttpRequest) -> HttpResponse:
    form = VendorForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            vendor = services.vendor_register(
                user=request.user, logo=form.cleaned_data["logo"], **form.service_fields()
            )
        except ValidationError as error:
            add_to_form(form, error, "logo")
        else:
            request.session[SESSION_KEY] = vendor.pk
            messages.success(
                request,
                _("%(name)s is registered. Next: apply for a booth at an expo.")
                % {"name": vendor.name},
            )
            return redirect("vendor:dashboard", vendor.slug)
    has_vendor = permissions.is_vendor_member(request.user)
    return render(request, "vendor/register.html", {"form": form, "has_vendor": has_vendor})


@vendor_page
def profile(request: HttpRequest, ws: Workspace) -> HttpResponse:
    # The form works on a copy: a refused form must not change the card the page also shows.
    form = VendorForm(request.POST or None, request.FILES or None, instance=copy.copy(ws.vendor))
    if request.method == "POST" and form.is_valid():
        try:
            services.vendor_update(
                vendor=ws.vendor,
                by=request.user,
                logo=form.cleaned_data["logo"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_to_form(form, error, "logo")
        else:
            messages.success(request, _("Your business profile was saved."))
            return redirect("vendor:profile", ws.vendor.slug)
    return _page(request, "vendor/profile.html", ws, form=form)


# --- Team ----------------------------------------------------------------------------------------


@vendor_page
def members(request: HttpRequest, ws: Workspace) -> HttpResponse:
    form = MemberAddForm(request.POST or None)
    if request.method == "POST":
        permissions.require(ws.is_owner)
        if form.is_valid():
            try:
                membership = services.vendor_add_member(
                    vendor=ws.vendor, email=form.cleaned_data["email"], by=request.user
                )
            except ValidationError as error:
                add_to_form(form, error, "email")
            else:
                messages.success(
                    request,
                    _("%(who)s can now work on %(vendor)s.")
                    % {"who": membership.user.email, "vendor": ws.vendor.name},
                )
                return redirect("vendor:members", ws.vendor.slug)
    team = selectors.vendor_team(vendor=ws.vendor)
    owners = sum(1 for m in team if m.role == VendorMembership.Role.OWNER)
    return _page(request, "vendor/members.html", ws, form=form, team=team, owners=owners)


@require_POST
@vendor_page
def member_remove(request: HttpRequest, ws: Workspace, membership_id: int) -> HttpResponse:
    membership = _found(selectors.vendor_membership(vendor=ws.vendor, membership_id=membership_id))
    leaving = membership.user_id == request.user.pk
    permissions.require(ws.is_owner or leaving)
    try:
        services.vendor_remove_member(membership=membership, by=request.user)
    except ValidationError as error:
        return refuse(request, error, reverse("vendor:members", args=[ws.vendor.slug]))
    if leaving:
        request.session.pop(SESSION_KEY, None)
        messages.success(request, _("You left %(vendor)s.") % {"vendor": ws.vendor.name})
        return redirect("vendor:index")
    messages.success(
        request,
        _("%(who)s is no longer on the team.") % {"who": membership.user.email},
    )
    return redirect("vendor:members", ws.vendor.slug)


# --- Applications --------------------------------------------------------------------------------


@vendor_page
def apply(request: HttpRequest, ws: Workspace, expo_slug: str) -> HttpResponse:
    vendor = ws.vendor
    expo = _found(selectors.expo_by_slug(expo_slug))
    dashboard_url = reverse("vendor:dashboard", args=[vendor.slug])
    if selectors.has_applied(vendor=vendor, expo=expo):
        messages.info(request, _("You have already applied to this expo."))
        return redirect("vendor:application", vendor.slug, expo.slug)
    if expo.state == ExpoState.DRAFT:
        raise Http404  # not announced: vendors do not learn of it yet
    if not timebox.allows(expo, timebox.Action.APPLY):
        messages.error(request, _("Applications for this expo are closed."))
        return redirect(dashboard_url)
    if not selectors.expo_includes_sector(expo=expo, sector_id=vendor.sector_id):
        messages.error(request, _("This expo does not include your sector."))
        return redirect(dashboard_url)
    form = ApplicationForm(request.POST or None, request.FILES or None, vendor=vendor)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_submit(
                expo=expo,
                vendor=vendor,
                by=request.user,
                photos=form.cleaned_data["photos"],
                **form.service_fields(),
            )
        except timebox.ExpoStateError as error:
            return refuse(request, error, dashboard_url)
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "Your application was sent. The organisers will review it; we e-mail you their decision."
                ),
            )
            return redirect("vendor:application", vendor.slug, expo.slug)
    return _page(request, "vendor/apply.html", ws, expo=expo, form=form)


def _application(ws: Workspace, expo_slug: str) -> BoothApplication:
    return _found(selectors.vendor_application(vendor=ws.vendor, expo_slug=expo_slug))


@vendor_page
def application(request: HttpRequest, ws: Workspace, expo_slug: str) -> HttpResponse:
    app = _application(ws, expo_slug)
    expo = app.expo
    can_resubmit = app.status == BoothApplication.Status.CHANGES_REQUESTED and timebox.allows(
        expo, timebox.Action.APPLY
    )
    form = None
    if can_resubmit:
        form = ApplicationForm(
            request.POST or None, request.FILES or None, vendor=ws.vendor, application=app
        )
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This application is not waiting for changes."))
            return redirect("vendor:application", ws.vendor.slug, expo.slug)
        if form.is_valid():
            try:
                services.application_resubmit(
                    application=app,
                    by=request.user,
                    photos=form.cleaned_data["photos"] or None,
                    **form.service_fields(),
                )
            except timebox.ExpoStateError as error:
                return refuse(
                    request, error, reverse("vendor:application", args=[ws.vendor.slug, expo.slug])
                )
            except ValidationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("Your changes were sent back to the organisers."))
                return redirect("vendor:application", ws.vendor.slug, expo.slug)
    booth = selectors.booth_of_application(application=app)
    can_withdraw = app.status in (
        BoothApplication.Status.SUBMITTED,
        BoothApplication.Status.CHANGES_REQUESTED,
    ) and timebox.allows(expo, timebox.Action.CURATE)
    return _page(
        request,
        "vendor/application.html",
        ws,
        application=app,
        expo=expo,
        photos=list(app.photos.all()),
        form=form,
        booth=booth,
        can_withdraw=can_withdraw,
    )


@require_POST
@vendor_page
def application_withdraw(request: HttpRequest, ws: Workspace, expo_slug: str) -> HttpResponse:
    app = _application(ws, expo_slug)
    here = reverse("vendor:application", args=[ws.vendor.slug, app.expo.slug])
    try:
        services.application_withdraw(application=app, by=request.user)
    except (timebox.ExpoStateError, ValidationError) as error:
        return refuse(request, error, here)
    messages.success(request, _("Your application was withdrawn."))
    return redirect(here)


# --- Booth ---------------------------------------------------------------------------------------


def _booth(ws: Workspace, expo_slug: str) -> Booth:
    return _found(selectors.vendor_booth(vendor=ws.vendor, expo_slug=expo_slug))


def _booth_context(booth: Booth) -> dict[str, Any]:
    state = booth.expo.state
    return {
        "booth": booth,
        "expo": booth.expo,
        "state": state,
        "editable": timebox.allows(booth.expo, timebox.Action.EDIT_CATALOGUE),
        "is_public": selectors.hall_is_public(booth.expo),
    }


@vendor_page
def booth_edit(request: HttpRequest, ws: Workspace, expo_slug: str) -> HttpResponse:
    booth = _booth(ws, expo_slug)
    context = _booth_context(booth)
    here = reverse("vendor:booth_edit", args=[ws.vendor.slug, booth.expo.slug])
    products = selectors.booth_products(booth=booth)
    if request.method == "POST" and not context["editable"]:
        messages.error(request, _("This expo has closed: its booths can no longer be changed."))
        return redirect(here)
    form = BoothForm(
        request.POST or None,
        request.FILES or None,
        instance=copy.copy(booth),
        products=products,
    )
    if not context["editable"]:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.booth_update(
                booth=booth,
                by=request.user,
                cover_image=form.cleaned_data["cover_image"],
                featured=[p.pk for p in form.cleaned_data["featured"]],
                **form.service_fields(),
            )
        except timebox.ExpoStateError as error:
            return refuse(request, error, here)
        except ValidationError as error:
            add_to_form(form, error, "cover_image")
        else:
            messages.success(request, _("Your booth was saved."))
            return redirect(here)
    return _page(request, "vendor/booth_edit.html", ws, form=form, products=products, **context)


# --- Products ------------------------------------------------------------------------------------


@vendor_page
def products(request: HttpRequest, ws: Workspace, expo_slug: str) -> HttpResponse:
    booth = _booth(ws, expo_slug)
    items = selectors.vendor_products(booth=booth)
    return _page(
        request,
        "vendor/products.html",
        ws,
        products=items,
        active_count=sum(1 for p in items if p.is_active),
        **_booth_context(booth),
    )


def _product_form_page(
    request: HttpRequest, ws: Workspace, booth: Booth, product: Product | None
) -> HttpResponse:
    context = _booth_context(booth)
    list_url = reverse("vendor:products", args=[ws.vendor.slug, booth.expo.slug])
    photos = selectors.product_photos(product=product) if product else []
    if request.method == "POST" and not context["editable"]:
        messages.error(request, _("This expo has closed: its products can no longer be changed."))
        return redirect(list_url)
    form = ProductForm(
        request.POST or None,
        request.FILES or None,
        instance=copy.copy(product) if product else Product(booth=booth),
        existing_images=len(photos),
    )
    if not context["editable"]:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            if product is None:
                saved = services.product_create(
                    booth=booth, by=request.user, images=form.cleaned_data["photos"], **fields
                )
            else:
                saved = services.product_update(
                    product=product,
                    by=request.user,
                    images=form.cleaned_data["photos"],
                    **fields,
                )
        except timebox.ExpoStateError as error:
            return refuse(request, error, list_url)
        except ValidationError as error:
            add_to_form(form, error, "photos")
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": saved.name})
            if "add_another" in request.POST:
                return redirect("vendor:product_create", ws.vendor.slug, booth.expo.slug)
            return redirect("vendor:product_edit", ws.vendor.slug, booth.expo.slug, saved.pk)
    return _page(
        request,
        "vendor/product_form.html",
        ws,
        form=form,
        product=product,
        photos=photos,
        **context,
    )


@vendor_page
def product_create(request: HttpRequest, ws: Workspace, expo_slug: str) -> HttpResponse:
    return _product_form_page(request, ws, _booth(ws, expo_slug), None)


def _product(ws: Workspace, expo_slug: str, product_id: int) -> Product:
    return _found(
        selectors.vendor_product(vendor=ws.vendor, expo_slug=expo_slug, product_id=product_id)
    )


@vendor_page
def product_edit(
    request: HttpRequest, ws: Workspace, expo_slug: str, product_id: int
) -> HttpResponse:
    product = _product(ws, expo_slug, product_id)
    return _product_form_page(request, ws, product.booth, product)


@require_POST
@vendor_page
def product_toggle(
    request: HttpRequest, ws: Workspace, expo_slug: str, product_id: int
) -> HttpResponse:
    """Put a product on sale or take it off (hidden from the hall, kept for later)."""
    product = _product(ws, expo_slug, product_id)
    back = reverse("vendor:products", args=[ws.vendor.slug, expo_slug])
    try:
        services.product_update(product=product, by=request.user, is_active=not product.is_active)
    except (timebox.ExpoStateError, ValidationError) as error:
        return refuse(request, error, back)
    if product.is_active:
        messages.success(request, _("%(name)s is on sale.") % {"name": product.name})
    else:
        messages.success(request, _("%(name)s is hidden from the hall.") % {"name": product.name})
    return redirect(back)


# What each photo button does, and what the vendor is told after.
PHOTO_ACTIONS = {
    "delete": (services.product_image_delete, gettext_lazy("The photo was deleted.")),
    "cover": (services.product_image_make_cover, gettext_lazy("That photo is now the cover.")),
}


def _photo_action(
    request: HttpRequest, ws: Workspace, expo_slug: str, product_id: int, image_id: int, name: str
) -> HttpResponse:
    """One of :data:`PHOTO_ACTIONS` on a photo of the vendor's product; back to the product."""
    product = _product(ws, expo_slug, product_id)
    image = _found(selectors.product_photo(product=product, image_id=image_id))
    back = reverse("vendor:product_edit", args=[ws.vendor.slug, expo_slug, product.pk])
    action, done = PHOTO_ACTIONS[name]
    try:
        action(image=image, by=request.user)
    except (timebox.ExpoStateError, ValidationError) as error:
        return refuse(request, error, back)
    messages.success(request, str(done))
    return redirect(back)


@require_POST
@vendor_page
def product_image_delete(
    request: HttpRequest, ws: Workspace, expo_slug: str, product_id: int, image_id: int
) -> HttpResponse:
    return _photo_action(request, ws, expo_slug, product_id, image_id, "delete")


@require_POST
@vendor_page
def product_image_cover(
    request: HttpRequest, ws: Workspace, expo_slug: str, product_id: int, image_id: int
) -> HttpResponse:
    return _photo_action(request, ws, expo_slug, product_id, image_id, "cover")
