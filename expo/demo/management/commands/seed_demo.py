"""``manage.py seed_demo``: the demo office, accounts and an open expo full of booths. Idempotent."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from expo.demo import seed as demo


class Command(BaseCommand):
    help = (
        "Create the demo office, accounts and the open expo 'UKM Virtual Expo Jawa Tengah' with "
        "its booths, products and pictures (safe to run again: only what is missing is created)."
    )

    def handle(self, *args: object, **options: object) -> None:
        summary = demo.seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {summary.seconds:.1f}s."))
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write("Demo accounts (e-mail / password):")
        for account in demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.role:<10} {account.email:<32} {account.password}")
