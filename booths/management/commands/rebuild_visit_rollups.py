"""``manage.py rebuild_visit_rollups [--expo SLUG ...]``: recompute the visit rollups (the visits,
visitors and reach the dashboard reads) from the booth and product visits alone, for the named expos
or for every expo. The rollups are kept with every flush of the visits, so this is for repairs and
checks: a rebuild gives the same rows. Flushes wait while it runs."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from booths.services.visit_rollups import visit_rollups_rebuild
from expo.management.expo_choice import add_expo_argument, chosen_expo_ids


class Command(BaseCommand):
    help = (
        "Recompute the visit rollups that the dashboard reads from the booth and product visits, "
        "for the named expos (--expo, repeatable) or for every expo."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_expo_argument(parser)

    def handle(self, *args: object, **options: object) -> None:
        expo_ids = chosen_expo_ids(options)
        started = time.perf_counter()
        visits = visit_rollups_rebuild(expo_ids=expo_ids)
        which = "every expo" if expo_ids is None else f"{len(expo_ids)} expo(s)"
        self.stdout.write(
            f"rebuilt the visit rollups of {which} from {visits} visits "
            f"in {time.perf_counter() - started:.1f}s"
        )
