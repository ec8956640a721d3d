from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BannersConfig(AppConfig):
    """Banner promotions: slots, campaigns and their fees, impressions, clicks and daily figures."""

    name = "expo.banners"
    label = "banners"
    verbose_name = _("Banner promotions")

    def ready(self) -> None:
        # What a paid banner fee does (a payments hook) and the slot renderer the pages call.
        from expo import places
        from expo.banners import services  # noqa: F401

        places.register("page_slot", "banners/_slot.html")
        places.register("vendor_tabs", "banners/vendor/_nav.html", order=40)
        places.register("organiser_tabs", "banners/manage/_tab.html", order=60)
