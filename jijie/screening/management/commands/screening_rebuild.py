"""Recount households in scope and rebuild every counter of screening campaigns from
their visits (after a bulk load of visits, or to check the kept counters)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jijie.screening import counters
from jijie.screening.models import Campaign


class Command(BaseCommand):
    help = "Rebuild the coverage counters of screening campaigns from their visits."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", type=int, help="one campaign's id (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        campaigns = Campaign.objects.order_by("pk")
        if options["campaign"]:
            campaigns = campaigns.filter(pk=options["campaign"])
        for campaign in campaigns:
            start = time.perf_counter()
            visits = counters.rebuild(campaign)
            elapsed = time.perf_counter() - start
            self.stdout.write(f"{campaign.pk} {campaign.name}: {visits} visits in {elapsed:.1f} s")
