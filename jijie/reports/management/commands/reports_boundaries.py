"""Load the reporting units' outlines for the report's map from a GeoJSON file whose
features carry the area's code in `properties.code` (`jijie.reports.boundaries`). The
file is checked whole first: one bad feature and nothing is loaded. A unit already
drawn is drawn anew; running it again with the same file changes nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jijie.audit.actors import SYSTEM
from jijie.reports import boundaries


class Command(BaseCommand):
    help = "Load the map's community outlines from FILE.geojson (recorded in the audit log)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a GeoJSON FeatureCollection")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            boundaries.check_size(file.stat().st_size)
            features = boundaries.read(file.read_bytes())
            loaded = boundaries.do_boundaries_load(actor=SYSTEM, features=features)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from error
        except ValidationError as error:
            raise CommandError("\n".join([f"{file}:", *error.messages])) from error
        self.stdout.write(f"{file}: {loaded.created} outlines loaded, {loaded.replaced} replaced")
