from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpoConfig(AppConfig):
    """The expo base: accounts, offices, regions and sectors, the expo and its time box."""

    name = "expo"
    verbose_name = _("Expos")

    def ready(self) -> None:
        # The background jobs (e-mail delivery) register with huey in every process.
        from expo import tasks  # noqa: F401
