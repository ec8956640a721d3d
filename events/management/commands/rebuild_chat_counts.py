"""``manage.py rebuild_chat_counts [--expo SLUG ...]``: recompute the live sessions' chat counts
(the messages and chatters per session that the dashboard reads) from the chat messages, for the
named expos or for every expo. The counts are kept with every message written or removed, so this
is for repairs and checks: a rebuild gives the same rows. Messages wait while it runs. The
chatters among the booths' visitors are the visit rollups' (``rebuild_visit_rollups``)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from events.chat_counting import chat_counts_rebuild
from expo.management.expo_choice import add_expo_argument, chosen_expo_ids


class Command(BaseCommand):
    help = (
        "Recompute the live sessions' chat counts that the dashboard reads from the chat "
        "messages, for the named expos (--expo, repeatable) or for every expo."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_expo_argument(parser)

    def handle(self, *args: object, **options: object) -> None:
        expo_ids = chosen_expo_ids(options)
        started = time.perf_counter()
        messages = chat_counts_rebuild(expo_ids=expo_ids)
        which = "every expo" if expo_ids is None else f"{len(expo_ids)} expo(s)"
        self.stdout.write(
            f"rebuilt the live sessions' chat counts of {which} from {messages} messages "
            f"in {time.perf_counter() - started:.1f}s"
        )
