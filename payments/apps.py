from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        # Django's own signal: allauth's login goes through django.contrib.auth.login, which sends
        # it, and so does every other way of logging in.
        from django.contrib.auth.signals import user_logged_in

        from payments import tasks  # noqa: F401  (registers the periodic jobs)
        from payments.receivers import adopt_guest_cart

        user_logged_in.connect(adopt_guest_cart, dispatch_uid="payments.adopt_guest_cart")

        # The product pages' buy box and the cart's address, for the catalogue and live sessions.
        from booths import hooks
        from payments import views

        hooks.register_checkout(buy_box=views.buy_box, cart_add_url=views.cart_add_url)
        # A physical stand's QR code: an order that starts there is counted for the stand.
        from payments import attribution

        hooks.register_stand_arrival(attribution.stand_arrival)
        # Buyers with an account are visitors of the booths they bought from (the conversion).
        from booths.services.visit_rollups import register_reach_source
        from payments.services.rollups import buyers_reached

        register_reach_source("payments.buyers", buyers_reached)

        # The cart link in the header, and the payments tabs of both workspaces.
        from expo import places

        places.register("header_actions", "payments/_cart_link.html", order=10)
        places.register("vendor_tabs", "payments/vendor/_nav.html", order=20)
        places.register("vendor_tabs", "payments/vendor/_stand_nav.html", order=45)
        places.register("organiser_tabs", "payments/manage/_tab.html", order=50)
        # Requests for quotation: asked from a booth, answered from the vendor's workspace.
        places.register("booth_aside", "payments/quotes/_booth_ask.html", order=120)
        places.register("product_actions", "payments/quotes/_product_ask.html", order=120)
        places.register("inquiry_actions", "payments/quotes/_inquiry_ask.html", order=120)
        places.register("meeting_actions", "payments/quotes/_meeting_ask.html", order=120)
        places.register("vendor_tabs", "payments/quotes/_vendor_tab.html", order=25)
        places.register("user_menu", "payments/quotes/_user_menu.html", order=70)
        # A new request for quotation (told by booths) is mailed to the vendor's members.
        from expo.signals import happened
        from payments.quotations import notify as quotation_mail

        happened.connect(quotation_mail.on_happened, dispatch_uid="payments.quotations.mail")
