"""Recount every building's households and people from the registry
(`residents.counts`): to check the kept counts, or to repair them after households or
people were loaded by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from jijie.residents import counts


class Command(BaseCommand):
    help = "Recount the households and people of every building; print how many were wrong."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            wrong = counts.rebuild()
        self.stdout.write(f"{wrong} building count(s) corrected")
