from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpoConfig(AppConfig):
    name = "expo"
    verbose_name = _("Expos")

    def ready(self) -> None:
        from expo import tasks  # noqa: F401  (registers the background jobs)
