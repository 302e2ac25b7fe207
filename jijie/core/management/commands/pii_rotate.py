"""Re-encrypt personal data under the current key (the first of PII_KEYS), so that an old
key can be retired. Every binary field named `*_cipher` of every installed model holds a
value of `jijie.core.pii` (the convention that lets this command find them all, in apps
it does not know). Rows already under the current key are left alone; safe to re-run."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import Model

from jijie.core import pii

FILE_BATCH = 10  # whole files (uploads, exports) are megabytes each


class Command(BaseCommand):
    help = "Re-encrypt every *_cipher field (ID numbers, phones, files, secrets) under the current PII key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        current = pii.current_key_id()
        counts = []
        for model, fields in pii.cipher_fields():
            batch = FILE_BATCH if any(f.startswith("file") for f in fields) else options["batch"]
            rows = _rotate(model, fields, current, batch)
            counts.append(f"{model._meta.label_lower} {rows}")
        self.stdout.write(f"re-encrypted under key {current}: " + ", ".join(counts))


def _rotate(model: type[Model], fields: list[str], current: int, batch: int) -> int:
    """Re-encrypt the old values of `fields` in `model`, a batch of locked rows at a time;
    return how many rows changed."""
    changed_rows = 0
    last_pk: Any = None
    manager = model._default_manager
    while True:
        with transaction.atomic():
            rows = manager.select_for_update().order_by("pk").only("pk", *fields)
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            chunk = list(rows[:batch])
            if not chunk:
                return changed_rows
            changed = []
            for row in chunk:
                dirty = False
                for field in fields:
                    blob = getattr(row, field)
                    if blob is not None and pii.key_id(blob) != current:
                        setattr(row, field, pii.encrypt_bytes(pii.decrypt_bytes(blob)))
                        dirty = True
                if dirty:
                    changed.append(row)
            if changed:
                manager.bulk_update(changed, fields)
            changed_rows += len(changed)
            last_pk = chunk[-1].pk
