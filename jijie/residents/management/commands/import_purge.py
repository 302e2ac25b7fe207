"""Erase uploaded ledgers some hours after their import job's last step, and fail jobs
stuck checking or importing (run it hourly from cron or a systemd timer)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from jijie.residents.imports.jobs import import_purge


class Command(BaseCommand):
    help = (
        "Erase the files of import jobs idle for REGISTRY_IMPORT_FILE_HOURS and fail jobs "
        "running for REGISTRY_IMPORT_STUCK_HOURS."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        purged = import_purge(now=timezone.now())
        self.stdout.write(f"failed {purged.stuck} stuck job(s), erased {purged.erased} file(s)")
