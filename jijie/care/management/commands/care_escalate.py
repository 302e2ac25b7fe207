"""Raise the community's alerts for follow-ups missed past their grace and errands past
their time, once each. Run it every few minutes; running it again raises nothing new."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jijie.care.services import escalate


class Command(BaseCommand):
    help = "Raise alerts for missed follow-ups and overdue errands (safe to run repeatedly)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = escalate()
        self.stdout.write(
            f"{result.missed} missed follow-ups, {result.overdue_errands} overdue errands alerted"
        )
