from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpoConfig(AppConfig):
    """The expo base: accounts, offices, regions and sectors, the expo and its time box."""

    name = "expo"
    verbose_name = _("Expos")

    def ready(self) -> None:
        # The background jobs (e-mail delivery) register with huey in every process.
        # The Sites framework's site takes its name and address from the settings (expo.sites).
        from django.db.models.signals import post_migrate

        from expo import tasks  # noqa: F401
        from expo.sites import sync_after_migrate

        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="expo.sites")
        # A buyer's business profile in the signed-in person's menu.
        from expo import places

        places.register("user_menu", "expo/_buyer_menu.html", order=60)
