"""Erase the files of unmasked exports past their time (run it hourly from cron or a
systemd timer; opening an expired request erases it too)."""

from typing import Any

from django.core.management.base import BaseCommand

from jijie.residents.export_requests import export_purge


class Command(BaseCommand):
    help = "Expire unmasked export requests past EXPORT_EXPIRY_HOURS and erase their files."

    def handle(self, *args: Any, **options: Any) -> None:
        expired = export_purge()
        self.stdout.write(f"expired {expired} export request(s)")
