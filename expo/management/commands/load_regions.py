"""``manage.py load_regions FILE.csv``: load a province's regencies and cities.

The file has the columns ``province,code,name,kind`` (see ``expo/data/regions_jawa_tengah.csv``).
Every row is checked first; one bad row stops the load and every bad line is reported. The load
runs in one transaction: it is applied whole or not at all.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction

from expo import regions


class Command(BaseCommand):
    help = "Load regencies (kabupaten) and cities (kota) from a CSV file: province,code,name,kind."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", help="CSV file (UTF-8) with the columns province,code,name,kind"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report, change nothing"
        )

    def handle(self, *args: object, **options: object) -> None:
        path = str(options["path"])
        try:
            rows = regions.read_regions(path)
            with transaction.atomic():
                result = regions.load_regions(rows)
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except regions.RegionFileError as exc:
            raise CommandError(
                f"{path} was not loaded ({len(exc.errors)} problem(s)); nothing was changed:\n"
                + "\n".join(f"  {error}" for error in exc.errors)
            ) from None
        except DatabaseError as exc:
            raise CommandError(f"{path} was not loaded; nothing was changed: {exc}") from None
        provinces = sorted({row.province for row in rows})
        verb = "Checked (dry run, nothing saved)" if options["dry_run"] else "Loaded"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result.total} regions of {', '.join(provinces)} from {path}: "
                f"{result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )
