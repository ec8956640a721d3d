"""``manage.py rebuild_suggestions [--expo SLUG ...]``: score every buyer–vendor pair of the named
expos again (or of every expo that has not closed) and store the organisers' suggested pairs that
the matchmaking page reads. They are kept up to date as buyers, vendors and meetings change, so
this is for repairs and checks (a rebuild gives the same rows), and for the first build at scale
(the page otherwise builds an expo's on its first view). Changes to the expo's suggestions wait
while it runs."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from events.matching.suggestions import suggestions_rebuild
from expo.management.expo_choice import add_expo_argument, chosen_expo_ids
from expo.models import Expo


class Command(BaseCommand):
    help = (
        "Score every buyer-vendor pair again and store the matchmaking's suggested pairs, for the "
        "named expos (--expo, repeatable) or for every expo that has not closed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_expo_argument(parser)

    def handle(self, *args: object, **options: object) -> None:
        expo_ids = chosen_expo_ids(options)
        expos = Expo.objects.order_by("pk")
        if expo_ids is None:
            expos = expos.filter(closes_at__gt=timezone.now())
        else:
            expos = expos.filter(pk__in=expo_ids)
        for expo in expos:
            started = time.perf_counter()
            pairs = suggestions_rebuild(expo=expo)
            self.stdout.write(
                f"{expo.slug}: {pairs} suggested pairs in {time.perf_counter() - started:.1f}s"
            )
