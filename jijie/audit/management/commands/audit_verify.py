"""Check the audit chain; exit 1 and name each broken row when anything was changed."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jijie.audit.models import AuditHead
from jijie.audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the hash-chained audit log; fails if any row was edited, inserted or deleted."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(verify_chain())
        if problems:
            for problem in problems[:50]:
                self.stderr.write(f"audit row {problem.seq}: {problem.reason}")
            raise CommandError(f"audit chain broken in {len(problems)} place(s)")
        head = AuditHead.objects.filter(pk=1).first()
        self.stdout.write(
            self.style.SUCCESS(f"audit chain intact: {head.last_seq if head else 0} rows")
        )
