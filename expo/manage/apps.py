from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ManageConfig(AppConfig):
    """The organiser workspace: expos, their time box and stages, the curation queue."""

    name = "expo.manage"
    label = "manage"
    verbose_name = _("Organiser workspace")

    def ready(self) -> None:
        from expo import places

        places.register("organiser_tabs", "manage/_tab_overview.html", order=10)
        places.register("organiser_tabs", "manage/_tabs_expo.html", order=30)
        places.register("organiser_tabs", "manage/hybrid/_tab.html", order=55)
        places.register("organiser_tabs", "manage/matchmaking/_tab.html", order=46)
