"""Count the daily report's figures for every response in force: today's, and any day of
the last week not yet closed. Run it every few minutes (and at least once just after the
cut-off, which fixes the day); running it again changes nothing but the live counts."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from jijie.reports import services
from jijie.responses.models import Response, ResponseStatus


class Command(BaseCommand):
    help = "Count the daily report's figures (safe to run repeatedly)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", type=date.fromisoformat, help="one day (YYYY-MM-DD)")

    def handle(self, *args: Any, day: date | None = None, **options: Any) -> None:
        now = timezone.now()
        if day is None:
            done = services.refresh_due(now=now)
        else:
            responses = Response.objects.filter(status=ResponseStatus.ACTIVE).select_related("area")
            done = [services.report_refresh(response=r, day=day, now=now) for r in responses]
        for refreshed in done:
            closed = " (closed)" if refreshed.closed_now else ""
            self.stdout.write(
                f"response {refreshed.report.response_id} {refreshed.report.day}: "
                f"{refreshed.units} units{closed}"
            )
