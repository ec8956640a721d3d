from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoothsConfig(AppConfig):
    name = "booths"
    verbose_name = _("Booths and vendors")

    def ready(self) -> None:
        # The leads tab of the vendor workspace, after the payments tabs.
        from expo import places

        places.register("vendor_tabs", "vendor/_leads_tab.html", order=30)
