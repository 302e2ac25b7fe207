"""Move every problem unanswered past its deadline one level up per deadline missed.
Run it every few minutes; running it again moves nothing more."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jijie.problems.services import escalate


class Command(BaseCommand):
    help = "Escalate problems unanswered past their deadline (safe to run repeatedly)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = escalate()
        self.stdout.write(f"{result.problems} problems escalated, {result.steps} levels in all")
