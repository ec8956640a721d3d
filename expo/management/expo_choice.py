"""The ``--expo SLUG`` option of the commands that work on some expos or on all of them (the
rollup rebuilds): repeatable, a slug or an id, an unknown one refused by name."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from expo.models import Expo


def add_expo_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--expo",
        action="append",
        default=[],
        metavar="SLUG",
        help="only this expo (its slug or id); may be given more than once",
    )


def chosen_expo_ids(options: dict[str, Any]) -> list[int] | None:
    """The ids of the expos named by ``--expo``; None when none was named (every expo)."""
    wanted = [str(value).strip() for value in options["expo"]]
    if not wanted:
        return None
    expo_ids = []
    for value in wanted:
        match = Expo.objects.filter(slug=value).values_list("pk", flat=True).first()
        if match is None and value.isdigit():
            match = Expo.objects.filter(pk=int(value)).values_list("pk", flat=True).first()
        if match is None:
            raise CommandError(f"no expo with the slug or id {value!r}")
        expo_ids.append(match)
    return expo_ids
