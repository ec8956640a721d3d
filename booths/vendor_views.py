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
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from booths import services
from booths.forms import (
    ApplicationForm,
    BoothForm,
    MemberAddForm,
    ProductForm,
    VendorForm,
)
from booths.models import (
    Booth,
    BoothApplication,
    Product,
    ProductImage,
    Vendor,
    VendorMembership,
)
from expo import permissions, timebox
from expo.models import Expo, ExpoState
from expo.refusals import add_to_form

SESSION_KEY = "vendor_workspace"


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


def _memberships(user: Any) -> tuple[VendorMembership, ...]:
    return tuple(
        VendorMembership.objects.filter(user=user)
        .select_related("vendor", "vendor__region", "vendor__sector")
        .order_by("vendor__name", "vendor_id")
    )


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
        memberships = _memberships(request.user)
        vendor_id = next((m.vendor_id for m in memberships if m.vendor.slug == vendor_slug), None)
        if vendor_id is None:
            if not Vendor.objects.filter(slug=vendor_slug).exists():
                raise Http404
            vendor_id = -1
        permissions.require(permissions.is_vendor_member(request.user, vendor_id))
        return view(request, _workspace(request, memberships, vendor_id), *args, **kwargs)

    return wrapped


def _page(request: HttpRequest, template: str, ws: Workspace, **context: Any) -> HttpResponse:
    return render(request, template, {"ws": ws, "vendor": ws.vendor, **context})


def _refused(request: HttpRequest, error: Exception, to: str) -> HttpResponse:
    """A service refused (time box, rule): say why, change nothing, go back."""
    message = getattr(error, "message", None)
    if isinstance(error, ValidationError):
        message = " ".join(error.messages)
    messages.error(request, message or _("This is not possible."))
    return redirect(to)


# --- Dashboard and registration ------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The dashboard of the business chosen last, or the invitation to register one."""
    memberships = _memberships(request.user)
    if not memberships:
        return render(request, "vendor/welcome.html", {"accepting": _accepting_expos()})
    chosen = request.session.get(SESSION_KEY)
    vendor_id = next(
        (m.vendor_id for m in memberships if m.vendor_id == chosen), memberships[0].vendor_id
    )
    return _dashboard(request, _workspace(request, memberships, vendor_id))


@vendor_page
def dashboard(request: HttpRequest, ws: Workspace) -> HttpResponse:
    return _dashboard(request, ws)


def _accepting_expos(exclude: list[int] | tuple[int, ...] = ()) -> Any:
    """Expos taking applications now, the soonest deadline first."""
    now = timezone.now()
    return (
        Expo.objects.filter(applications_open_at__lte=now, application_deadline__gt=now)
        .exclude(pk__in=exclude)
        .select_related("office")
        .order_by("application_deadline", "pk")
    )


def _dashboard(request: HttpRequest, ws: Workspace) -> HttpResponse:
    vendor = ws.vendor
    now = timezone.now()
    applications = list(
        BoothApplication.objects.filter(vendor=vendor)
        .select_related("expo")
        .order_by("-submitted_at")
    )
    booths = list(
        Booth.objects.filter(vendor=vendor)
        .select_related("expo")
        .annotate(total_products=Count("products"))
        .order_by("-expo__opens_at")
    )
    sector_on_show = Expo.sectors.through.objects.filter(
        expo_id=OuterRef("pk"), sector_id=vendor.sector_id
    )
    accepting = list(
        _accepting_expos(exclude=[a.expo_id for a in applications]).annotate(
            sector_on_show=Exists(sector_on_show)
        )
    )
    for application in applications:
        application.next_step = _next_step(application, now)
    for booth in booths:
        booth.state = booth.expo.state_at(now)
        booth.is_public = booth.state in (ExpoState.PUBLISHED, ExpoState.OPEN, ExpoState.CLOSED)
    return _page(
        request,
        "vendor/dashboard.html",
        ws,
        applications=applications,
        booths=booths,
        accepting=accepting,
    )


def _next_step(application: BoothApplication, now: Any) -> str:
    """What the vendor should do next about an application, as a key the template words."""
    status = application.status
    state = application.expo.state_at(now)
    if status == BoothApplication.Status.CHANGES_REQUESTED:
        return "resubmit" if state == ExpoState.ACCEPTING else "too_late"
    if status == BoothApplication.Status.APPROVED:
        return "booth"
    if status == BoothApplication.Status.SUBMITTED:
        return "wait"
    return ""


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
            email = form.cleaned_data["email"]
            if ws.vendor.memberships.filter(user__email__iexact=email).exists():
                form.add_error("email", _("This account is already on your team."))
            else:
                try:
                    membership = services.vendor_add_member(
                        vendor=ws.vendor, email=email, by=request.user
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
    team = list(ws.vendor.memberships.select_related("user").order_by("-role", "created_at", "pk"))
    owners = sum(1 for m in team if m.role == VendorMembership.Role.OWNER)
    return _page(request, "vendor/members.html", ws, form=form, team=team, owners=owners)


@require_POST
@vendor_page
def member_remove(request: HttpRequest, ws: Workspace, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(
        VendorMembership.objects.select_related("user"), pk=membership_id, vendor=ws.vendor
    )
    leaving = membership.user_id == request.user.pk
    permissions.require(ws.is_owner or leaving)
    try:
        services.vendor_remove_member(membership=membership, by=request.user)
    except ValidationError as error:
        return _refused(request, error, reverse("vendor:members", args=[ws.vendor.slug]))
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
    expo = get_object_or_404(Expo.objects.select_related("office"), slug=expo_slug)
    dashboard_url = reverse("vendor:dashboard", args=[vendor.slug])
    if BoothApplication.objects.filter(expo=expo, vendor=vendor).exists():
        messages.info(request, _("You have already applied to this expo."))
        return redirect("vendor:application", vendor.slug, expo.slug)
    if expo.state == ExpoState.DRAFT:
        raise Http404  # not announced: vendors do not learn of it yet
    if not timebox.allows(expo, timebox.Action.APPLY):
        messages.error(request, _("Applications for this expo are closed."))
        return redirect(dashboard_url)
    if not expo.sectors.filter(pk=vendor.sector_id).exists():
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
            return _refused(request, error, dashboard_url)
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
    return get_object_or_404(
        BoothApplication.objects.select_related("expo", "expo__office").prefetch_related("photos"),
        vendor=ws.vendor,
        expo__slug=expo_slug,
    )


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
                return _refused(
                    request, error, reverse("vendor:application", args=[ws.vendor.slug, expo.slug])
                )
            except ValidationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("Your changes were sent back to the organisers."))
                return redirect("vendor:application", ws.vendor.slug, expo.slug)
    booth = Booth.objects.filter(application=app).only("pk").first()
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
        return _refused(request, error, here)
    messages.success(request, _("Your application was withdrawn."))
    return redirect(here)


# --- Booth ---------------------------------------------------------------------------------------


def _booth(ws: Workspace, expo_slug: str) -> Booth:
    return get_object_or_404(
        Booth.objects.select_related("expo"), vendor=ws.vendor, expo__slug=expo_slug
    )


def _booth_context(booth: Booth) -> dict[str, Any]:
    state = booth.expo.state
    return {
        "booth": booth,
        "expo": booth.expo,
        "state": state,
        "editable": timebox.allows(booth.expo, timebox.Action.EDIT_CATALOGUE),
        "is_public": timebox.allows(booth.expo, timebox.Action.VIEW_HALL),
    }


@vendor_page
def booth_edit(request: HttpRequest, ws: Workspace, expo_slug: str) -> HttpResponse:
    booth = _booth(ws, expo_slug)
    context = _booth_context(booth)
    here = reverse("vendor:booth_edit", args=[ws.vendor.slug, booth.expo.slug])
    products = list(Product.objects.filter(booth=booth).order_by("name_en", "pk"))
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
            return _refused(request, error, here)
        except ValidationError as error:
            add_to_form(form, error, "cover_image")
        else:
            messages.success(request, _("Your booth was saved."))
            return redirect(here)
    return _page(request, "vendor/booth_edit.html", ws, form=form, products=products, **context)


# --- Products ------------------------------------------------------------------------------------


def _first_image() -> Prefetch:
    return Prefetch(
        "images",
        queryset=ProductImage.objects.order_by("position", "id")[:1],
        to_attr="first_images",
    )


@vendor_page
def products(request: HttpRequest, ws: Workspace, expo_slug: str) -> HttpResponse:
    booth = _booth(ws, expo_slug)
    items = list(
        Product.objects.filter(booth=booth)
        .prefetch_related(_first_image())
        .order_by("-is_active", "-is_featured", "name_en", "pk")
    )
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
    photos = list(product.images.order_by("position", "id")) if product else []
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
            return _refused(request, error, list_url)
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
    return get_object_or_404(
        Product.objects.select_related("booth", "booth__expo"),
        pk=product_id,
        booth__vendor=ws.vendor,
        booth__expo__slug=expo_slug,
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
        return _refused(request, error, back)
    if product.is_active:
        messages.success(request, _("%(name)s is on sale.") % {"name": product.name})
    else:
        messages.success(request, _("%(name)s is hidden from the hall.") % {"name": product.name})
    return redirect(back)


def _product_image(ws: Workspace, expo_slug: str, product_id: int, image_id: int):
    product = _product(ws, expo_slug, product_id)
    image = get_object_or_404(ProductImage, pk=image_id, product=product)
    image.product = product
    return product, image


@require_POST
@vendor_page
def product_image_delete(
    request: HttpRequest, ws: Workspace, expo_slug: str, product_id: int, image_id: int
) -> HttpResponse:
    product, image = _product_image(ws, expo_slug, product_id, image_id)
    back = reverse("vendor:product_edit", args=[ws.vendor.slug, expo_slug, product.pk])
    try:
        services.product_image_delete(image=image, by=request.user)
    except (timebox.ExpoStateError, ValidationError) as error:
        return _refused(request, error, back)
    messages.success(request, _("The photo was deleted."))
    return redirect(back)


@require_POST
@vendor_page
def product_image_cover(
    request: HttpRequest, ws: Workspace, expo_slug: str, product_id: int, image_id: int
) -> HttpResponse:
    product, image = _product_image(ws, expo_slug, product_id, image_id)
    back = reverse("vendor:product_edit", args=[ws.vendor.slug, expo_slug, product.pk])
    try:
        services.product_image_make_cover(image=image, by=request.user)
    except (timebox.ExpoStateError, ValidationError) as error:
        return _refused(request, error, back)
    messages.success(request, _("That photo is now the cover."))
    return redirect(back)
