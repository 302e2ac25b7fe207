"""Recount the rounds' coverage counters from their samples and exemptions
(`testing.counters`): to check the kept counters, or to repair them after samples were
loaded by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from jijie.testing import counters
from jijie.testing.models import Round


class Command(BaseCommand):
    help = "Recount the coverage of every round (or of --round); print how many were wrong."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", type=int, help="only this round (its id)")

    def handle(self, *args: Any, **options: Any) -> None:
        rounds = Round.objects.order_by("pk")
        if options["round"] is not None:
            rounds = rounds.filter(pk=options["round"])
        for found in rounds:
            with transaction.atomic():
                wrong = counters.rebuild(found)
            self.stdout.write(f"{found}: {wrong} building counter(s) corrected")
