"""Erase the health answers and temperatures of screening campaigns whose response has
closed and passed its retention; counts stay. Run it daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jijie.screening.services import health_data_purge


class Command(BaseCommand):
    help = "Erase health data of screening campaigns past their response's retention."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = health_data_purge()
        self.stdout.write(f"{changed} visits' health answers erased")
