"""Rebuild the name-piece search index of every person (after a bulk load or an upgrade)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from jijie.residents.models import NameGram, Person
from jijie.residents.names import grams_for


class Command(BaseCommand):
    help = "Rebuild the name search index (NameGram) for all people."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            NameGram.objects.all().delete()
            batch: list[Person] = []
            total = 0
            for person in Person.objects.only("pk", "name", "area_path").iterator(chunk_size=5000):
                batch.append(person)
                if len(batch) == 5000:
                    NameGram.objects.bulk_create(grams_for(batch), batch_size=10_000)
                    total += len(batch)
                    batch = []
            NameGram.objects.bulk_create(grams_for(batch), batch_size=10_000)
            total += len(batch)
        self.stdout.write(f"indexed the names of {total} people")
