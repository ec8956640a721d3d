from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpoConfig(AppConfig):
    name = "expo"
    verbose_name = _("Expos")

    def ready(self) -> None:
        # Register the background jobs, the omzet room and its ledger listeners, and what a paid
        # banner fee does, in every process
        # (the huey worker serves no page, yet publishes omzet updates and builds PDF reports).
        from expo import banner_services, omzet_live, report_services, tasks  # noqa: F401
