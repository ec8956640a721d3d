"""``manage.py rebuild_omzet_rollups [--expo SLUG ...]``: recompute the omzet rollups (what the
dashboard reads) from the sales ledger alone, and the stand sales' counts from the stand sales,
for the named expos or for every expo. The rollups
are kept with every ledger write, so this is for repairs and checks: a rebuild gives the same rows.
Ledger writes wait while it runs."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from expo.management.expo_choice import add_expo_argument, chosen_expo_ids
from payments.services.offline_counts import offline_counts_rebuild
from payments.services.rollups import omzet_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the omzet rollups that the dashboard reads from the sales ledger, for the "
        "named expos (--expo, repeatable) or for every expo."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_expo_argument(parser)

    def handle(self, *args: object, **options: object) -> None:
        expo_ids = chosen_expo_ids(options)
        started = time.perf_counter()
        entries = omzet_rebuild(expo_ids=expo_ids)
        offline_counts_rebuild(expo_ids=expo_ids)  # the stand sales' counts, read beside them
        which = "every expo" if expo_ids is None else f"{len(expo_ids)} expo(s)"
        self.stdout.write(
            f"rebuilt the omzet rollups of {which} from {entries} ledger entries "
            f"in {time.perf_counter() - started:.1f}s"
        )
