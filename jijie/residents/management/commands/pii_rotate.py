"""Re-encrypt personal data under the current key (the first of PII_KEYS), so that an old
key can be retired. Rows already under the current key are left alone; safe to re-run."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from jijie.accounts.models import MfaDevice
from jijie.core import pii
from jijie.residents.models import ExportRequest, ImportJob, Person


class Command(BaseCommand):
    help = (
        "Re-encrypt ID numbers, phones, pending uploads and exports, and authenticator "
        "secrets under the current PII key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        current = pii.current_key_id()
        people = 0
        last_pk = 0
        while True:
            with transaction.atomic():
                batch = list(
                    Person.objects.select_for_update()
                    .filter(pk__gt=last_pk)
                    .order_by("pk")
                    .only("pk", "document_cipher", "phone_cipher")[: options["batch"]]
                )
                if not batch:
                    break
                changed = []
                for person in batch:
                    dirty = False
                    for field in ("document_cipher", "phone_cipher"):
                        blob = getattr(person, field)
                        if blob is not None and pii.key_id(blob) != current:
                            setattr(person, field, pii.encrypt(pii.decrypt(blob)))
                            dirty = True
                    if dirty:
                        changed.append(person)
                Person.objects.bulk_update(changed, ["document_cipher", "phone_cipher"])
                people += len(changed)
                last_pk = batch[-1].pk
        uploads = 0
        for job in ImportJob.objects.filter(file_cipher__isnull=False):
            if job.file_cipher is not None and pii.key_id(job.file_cipher) != current:
                job.file_cipher = pii.encrypt_bytes(pii.decrypt_bytes(job.file_cipher))
                job.save(update_fields=["file_cipher"])
                uploads += 1
        # Approved unmasked exports waiting for their download (erased within a day).
        for export_id in ExportRequest.objects.filter(file_cipher__isnull=False).values_list(
            "pk", flat=True
        ):
            with transaction.atomic():
                export = ExportRequest.objects.select_for_update().get(pk=export_id)
                if export.file_cipher is not None and pii.key_id(export.file_cipher) != current:
                    export.file_cipher = pii.encrypt_bytes(pii.decrypt_bytes(export.file_cipher))
                    export.save(update_fields=["file_cipher"])
                    uploads += 1
        secrets = 0
        for device in MfaDevice.objects.all():
            if pii.key_id(device.secret_cipher) != current:
                device.secret_cipher = pii.encrypt(pii.decrypt(device.secret_cipher))
                device.save(update_fields=["secret_cipher"])
                secrets += 1
        self.stdout.write(
            f"re-encrypted {people} people, {uploads} files and {secrets} authenticator "
            f"secrets under key {current}"
        )
