from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from expo import demo


class Command(BaseCommand):
    help = "Create the demo office, accounts and expo (safe to run again)."

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        demo.seed_accounts()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready in {time.perf_counter() - started:.1f}s.")
        )
        self.stdout.write("Demo accounts (e-mail / password):")
        for account in demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.role:<10} {account.email:<32} {account.password}")
