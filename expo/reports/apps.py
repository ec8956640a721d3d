from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Omzet figures, the live dashboard, exports, the PDF report, potential deals and the data API."""

    name = "expo.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The omzet room and its ledger listeners, and the PDF job, in every process (the huey
        # worker serves no page, yet publishes omzet updates and builds PDF reports).
        from expo import places
        from expo.reports import live, services  # noqa: F401

        places.register("organiser_tabs", "reports/_tab.html", order=20)
        places.register("vendor_tabs", "reports/_vendor_tab.html", order=30)
