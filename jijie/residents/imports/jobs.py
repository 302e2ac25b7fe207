"""Import jobs: upload, check in the background, confirm, import in the background.

The uploaded file is stored encrypted (it is full of ID numbers and phones) and erased
when the import is done or refused, and otherwise (a check nobody confirms, a failed or
stuck job) by `import_purge` some hours after the job's last step. Tasks take the job's
id, never the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.audit.services import audit_record
from jijie.core import pii
from jijie.core.tasks import task
from jijie.residents.imports import columns, reader
from jijie.residents.imports.commit import import_ledger
from jijie.residents.imports.plan import Plan, Problem
from jijie.residents.models import RUNNING_IMPORT_STATUSES, ImportJob, ImportStatus

if TYPE_CHECKING:
    from jijie.accounts.models import User

REPORT_PROBLEMS = 2000  # problems kept for the page; the counts cover all of them


def _report(plan: Plan) -> dict[str, object]:
    def rows(problems: list[Problem]) -> list[dict[str, object]]:
        return [
            {"row": p.row, "column": p.column, "value": p.value, "reason": p.reason}
            for p in problems[:REPORT_PROBLEMS]
        ]

    return {
        "summary": plan.summary(),
        "errors": rows(plan.errors),
        "warnings": rows(plan.warnings),
        "notes": rows(plan.notes),
        "columns": plan.columns,
    }


@contextmanager
def _progress(job_id: int) -> Iterator[Callable[[int, int], None]]:
    """A progress callback that others can see while the import's transaction is open.
    On PostgreSQL it writes through a connection of its own; SQLite has one writer at a
    time, so there the progress of a commit shows when it ends (the check shows it live)."""
    if connection.vendor != "postgresql":

        def update(done: int, total: int) -> None:
            ImportJob.objects.filter(pk=job_id).update(progress_done=done, progress_total=total)

        yield update
        return
    own = connections.create_connection("default")
    table = own.ops.quote_name(ImportJob._meta.db_table)

    def update_own(done: int, total: int) -> None:
        with own.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress_done = %s, progress_total = %s WHERE id = %s",  # noqa: S608 - a model's table name
                [done, total, job_id],
            )

    try:
        yield update_own
    finally:
        own.close()


@transaction.atomic
def import_job_create(*, actor: User, area: Area, filename: str, data: bytes) -> ImportJob:
    """Store an upload (encrypted) and queue its check."""
    access.require(actor, Action.RESIDENT_EDIT, area)
    reader.check_size(len(data))
    job = ImportJob.objects.create(
        requested_by=actor, area=area, filename=filename[:200], file_cipher=pii.encrypt_bytes(data)
    )
    transaction.on_commit(lambda: import_check.enqueue(job.pk))
    return job


def _finish(job_id: int, **fields: object) -> None:
    now = timezone.now()
    ImportJob.objects.filter(pk=job_id).update(finished_at=now, stepped_at=now, **fields)


def _mapping(job: ImportJob) -> dict[int, str]:
    return {int(col): field for col, field in job.column_map.items()}


@transaction.atomic
def import_job_map_columns(*, actor: User, job: ImportJob, mapping: dict[int, str]) -> ImportJob:
    """The requester says which field some of a checked file's columns hold ("" leaves a
    column out); the file is checked again with that reading."""
    if job.requested_by_id != actor.pk:
        raise ValidationError(_("只有上传者本人可以确认导入。"))
    titled = {int(c["column"]) for c in job.report.get("columns", [])}
    for col, field_name in mapping.items():
        if col not in titled or (field_name and field_name not in columns.SYNONYMS):
            raise ValidationError(_("没有这一列,或没有这个字段。"))
    column_map = {**job.column_map, **{str(c): f for c, f in mapping.items()}}
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.CHECKING,
        column_map=column_map,
        report={},
        expected_versions={},
        progress_done=0,
        progress_total=0,
        stepped_at=timezone.now(),
    )
    if not updated:
        raise ValidationError(_("这个导入任务已经处理过了。"))
    transaction.on_commit(lambda: import_check.enqueue(job.pk))
    job.refresh_from_db()
    return job


@task()
def import_check(job_id: int) -> None:
    """The dry run of a job: every row checked, nothing written."""
    job = ImportJob.objects.select_related("area", "requested_by").get(pk=job_id)
    if job.status != ImportStatus.CHECKING or job.file_cipher is None:
        return  # purged as stuck meanwhile, or queued twice
    try:
        with _progress(job_id) as progress:
            plan = import_ledger(
                actor=job.requested_by,
                area=job.area,
                data=pii.decrypt_bytes(job.file_cipher),
                progress=progress,
                mapping=_mapping(job),
            )
    except reader.RefusedFile as refusal:
        _finish(job_id, status=ImportStatus.REFUSED, message=str(refusal), file_cipher=None)
        return
    # Only a job still checking: one the purge failed meanwhile has lost its file.
    ImportJob.objects.filter(pk=job_id, status=ImportStatus.CHECKING).update(
        stepped_at=timezone.now(),
        status=ImportStatus.CHECKED,
        report=_report(plan),
        expected_versions={str(pk): version for pk, version in plan.versions.items()},
        progress_done=plan.rows_read,
        progress_total=plan.rows_read,
    )


@transaction.atomic
def import_job_confirm(*, actor: User, job: ImportJob, skip_invalid: bool) -> ImportJob:
    """The requester confirms a checked job; the import is queued."""
    if job.requested_by_id != actor.pk:
        raise ValidationError(_("只有上传者本人可以确认导入。"))
    summary = job.report.get("summary", {})
    if job.status == ImportStatus.CHECKED and summary.get("rows", 0) <= summary.get(
        "error_rows", 0
    ):
        raise ValidationError(_("没有可以导入的行:每一行都有错误。请修改后重新上传。"))
    updated = ImportJob.objects.filter(
        pk=job.pk, status=ImportStatus.CHECKED, file_cipher__isnull=False
    ).update(
        status=ImportStatus.IMPORTING,
        skip_invalid=skip_invalid,
        progress_done=0,
        stepped_at=timezone.now(),
    )
    if not updated:
        raise ValidationError(_("这个导入任务已经处理过了。"))
    transaction.on_commit(lambda: import_run.enqueue(job.pk))
    job.refresh_from_db()
    return job


@task()
def import_run(job_id: int) -> None:
    job = ImportJob.objects.select_related("area", "requested_by").get(pk=job_id)
    if job.status != ImportStatus.IMPORTING:
        return  # purged as stuck meanwhile, or queued twice
    try:
        with _progress(job_id) as progress:
            plan = import_ledger(
                actor=job.requested_by,
                area=job.area,
                data=pii.decrypt_bytes(job.file_cipher or b""),
                commit=True,
                skip_invalid=job.skip_invalid,
                expected_versions={int(pk): v for pk, v in job.expected_versions.items()},
                progress=progress,
                mapping=_mapping(job),
            )
    except (ValidationError, reader.RefusedFile) as error:
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        _finish(job_id, status=ImportStatus.FAILED, message=message)
        return
    _finish(
        job_id,
        status=ImportStatus.DONE,
        report=_report(plan),
        file_cipher=None,
        expected_versions={},
        progress_done=plan.rows_read,
        progress_total=plan.rows_read,
    )


@dataclass
class Purged:
    stuck: int = 0  # jobs failed for running too long
    erased: int = 0  # stored files erased


def import_purge(*, now: datetime) -> Purged:
    """Erase every stored upload whose job last changed step REGISTRY_IMPORT_FILE_HOURS
    before `now` (a check nobody confirmed, a failed import: a ledger full of ID numbers
    must not wait for ever), and fail every job still checking or importing
    REGISTRY_IMPORT_STUCK_HOURS after its step began (its process died: it would say
    "checking" for ever). One audit row per job; safe to run again."""
    purged = Purged()
    stuck_hours = settings.REGISTRY_IMPORT_STUCK_HOURS
    file_hours = settings.REGISTRY_IMPORT_FILE_HOURS
    stuck = ImportJob.objects.filter(
        status__in=RUNNING_IMPORT_STATUSES, stepped_at__lte=now - timedelta(hours=stuck_hours)
    )
    for job in stuck.select_related("area").defer("file_cipher", "report").order_by("pk"):
        message = (
            _("检查超过 %(hours)s 小时仍未完成,已中止,上传的文件已删除。请重新上传。")
            if job.status == ImportStatus.CHECKING
            else _(
                "导入超过 %(hours)s 小时仍未完成,已标记为失败,上传的文件已删除。"
                "请在居民名单中核对后重新上传。"
            )
        ) % {"hours": stuck_hours}
        with transaction.atomic():
            if ImportJob.objects.filter(pk=job.pk, status=job.status).update(
                status=ImportStatus.FAILED,
                message=message,
                file_cipher=None,
                finished_at=now,
                stepped_at=now,
            ):
                _purge_audit(job, was=job.status, reason="stuck")
                purged.stuck += 1
    kept = ImportJob.objects.filter(
        file_cipher__isnull=False, stepped_at__lte=now - timedelta(hours=file_hours)
    ).exclude(status__in=RUNNING_IMPORT_STATUSES)
    for job in kept.select_related("area").defer("file_cipher", "report").order_by("pk"):
        fields: dict[str, object] = {"file_cipher": None}
        if job.status == ImportStatus.CHECKED:
            fields.update(
                status=ImportStatus.EXPIRED,
                message=_("超过 %(hours)s 小时没有确认导入,上传的文件已删除。请重新上传。")
                % {"hours": file_hours},
                finished_at=now,
                stepped_at=now,
            )
        with transaction.atomic():
            if ImportJob.objects.filter(pk=job.pk, status=job.status).update(**fields):
                _purge_audit(job, was=job.status, reason="expired")
                purged.erased += 1
    return purged


def _purge_audit(job: ImportJob, *, was: str, reason: str) -> None:
    audit_record(
        actor=SYSTEM,
        action="registry.import.purge",
        target=job,
        area=job.area,
        data={"area": job.area.code, "was": was, "reason": reason},
    )
