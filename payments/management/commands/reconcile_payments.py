"""``manage.py reconcile_payments [--older-than MINUTES]``: ask the payment providers about
payments still waiting whose webhook never came, record refunds made directly at the provider, and
expire unpaid orders past their time limit (what the huey job ``reconcile_payments`` does every ten
minutes, on demand)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from payments import services

LABELS = (
    ("checked", "waiting payments checked"),
    ("confirmed", "confirmed"),
    ("failed", "failed or cancelled"),
    ("refunds", "refunds recorded from the provider"),
    ("expired", "unpaid orders expired"),
    ("unreachable", "provider unreachable"),
)


class Command(BaseCommand):
    help = (
        "Ask the payment providers about waiting payments whose webhook never came, record "
        "refunds made at the provider and expire unpaid orders past their time limit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=10,
            metavar="MINUTES",
            help="only payments started at least this many minutes ago (default 10)",
        )

    def handle(self, *args: object, **options: object) -> None:
        minutes = int(options["older_than"])  # type: ignore[arg-type]
        if minutes < 0:
            raise CommandError("--older-than must be 0 or more minutes")
        counts = services.payments_reconcile(older_than_minutes=minutes)
        summary = ", ".join(f"{counts.get(key, 0)} {label}" for key, label in LABELS)
        style = self.style.WARNING if counts.get("unreachable") else self.style.SUCCESS
        self.stdout.write(style(f"Reconciled payments older than {minutes} min: {summary}."))
