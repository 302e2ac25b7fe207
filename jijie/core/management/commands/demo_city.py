"""Load the demo city (河源市 › 源城区) and one account per role; safe to run twice.

Development only (DJANGO_DEBUG=true): it prints the accounts' passwords, `admin`'s too.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jijie.core.demo import SCALES, DemoContext, run_demo


class Command(BaseCommand):
    help = "Load the demo city, each app adding its own data, and print the demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=SCALES,
            default="small",
            help="small (default, seconds) or seed (the seed-000 district: 361,876 households)",
        )
        parser.add_argument("--seed", type=int, default=2020, help="random seed (default 2020)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEVELOPMENT:
            raise CommandError(
                "demo_city creates accounts whose passwords are published (a superuser "
                "among them): it runs only with DJANGO_DEBUG=true, never in production."
            )
        ctx = DemoContext(
            scale=options["scale"],
            seed=options["seed"],
            out=self.stdout.write,
            now=timezone.now(),  # every date of the demo is counted from this one instant
        )
        run_demo(ctx)
        if ctx.accounts:
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS("Demo accounts 演示账号:"))
            width = max(len(a.username) for a in ctx.accounts)
            for account in ctx.accounts:
                self.stdout.write(
                    f"  {account.username:<{width}}  {account.password}  "
                    f"{account.role} · {account.scope}"
                )
