"""Bulk unmasked export: the ledger of an area with full ID numbers and phones, never
on one person's say-so.

1. A requester who may export the area (`Action.PII_EXPORT`) asks, with a reason.
2. Someone else who may export the same area approves or declines it; nobody approves
   their own request (a database constraint holds that line too).
3. The approved file is written in the background (a district is hundreds of thousands
   of rows), watermarked with the requester's name, the approval number and date, and
   stored encrypted.
4. The requester alone downloads it, as often as needed, until EXPORT_EXPIRY_HOURS
   after the approval; a request nobody decides runs out after as long.
5. Then the file is erased: `manage.py export_purge`, or when the request is next
   opened.

Both people prove their second factor (step-up) in the views before each step. Every
step writes its audit row. Tasks take the request's id, never its file.

The same machinery writes a *masked* ledger too large for a web request (over
exports.EXPORT_ROW_LIMIT people): `export_masked_start` needs only the right to take the
masked ledger there (LEDGER_EXPORT), no reason and no approval; the file is built, kept encrypted, handed
to its requester and erased in the same way.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.accounts.selectors import appointed_by
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.audit.services import audit_record
from jijie.core import pii
from jijie.core.tasks import task
from jijie.residents import exports
from jijie.residents.models import OPEN_EXPORT_STATUSES, ExportRequest, ExportStatus

if TYPE_CHECKING:
    from jijie.accounts.models import User

REASON_MIN = 10
logger = logging.getLogger(__name__)


def _lifetime() -> timedelta:
    return timedelta(hours=settings.EXPORT_EXPIRY_HOURS)


@transaction.atomic
def export_request_create(
    *, actor: User, area: Area, reason: str, request: HttpRequest | None = None
) -> ExportRequest:
    """Ask for the unmasked ledger of `area`, stating why."""
    access.require(actor, Action.PII_EXPORT, area)
    reason = reason.strip()
    if len(reason) < REASON_MIN:
        raise ValidationError(
            {
                "reason": _("请写明导出完整信息的事由和用途(至少 %(min)s 个字)。")
                % {"min": REASON_MIN}
            }
        )
    export = ExportRequest.objects.create(
        requested_by=actor, area=area, reason=reason, expires_at=timezone.now() + _lifetime()
    )
    audit_record(
        actor=actor,
        action="registry.export.request",
        target=export,
        area=area,
        reason=reason,
        data={"area": area.code},
        request=request,
    )
    return export


@transaction.atomic
def export_masked_start(
    *, actor: User, area: Area, request: HttpRequest | None = None
) -> ExportRequest:
    """Start writing the masked ledger of a large area in the background, or return the
    one this user already has under way or ready for that area."""
    access.require(actor, Action.LEDGER_EXPORT, area)
    now = timezone.now()
    current = (
        ExportRequest.objects.filter(
            requested_by=actor,
            area=area,
            masked=True,
            status__in=[ExportStatus.APPROVED, ExportStatus.DOWNLOADED],
            expires_at__gt=now,
        )
        .defer("file_cipher")
        .first()
    )
    if current is not None:
        return current
    export = ExportRequest.objects.create(
        requested_by=actor,
        area=area,
        masked=True,
        status=ExportStatus.APPROVED,
        decided_at=now,
        expires_at=now + _lifetime(),
    )
    audit_record(
        actor=actor,
        action="registry.export",
        target=export,
        area=area,
        data={"area": area.code, "masked": True, "background": True},
        request=request,
    )
    transaction.on_commit(lambda: export_build.enqueue(export.pk))
    return export


def appointment_days() -> int:
    """How long a role given by someone the requester appointed keeps its holder from
    approving the requester's exports (setting EXPORT_APPOINTMENT_DAYS, 90)."""
    return int(settings.EXPORT_APPOINTMENT_DAYS)


def _check_decider(actor: User, export: ExportRequest) -> None:
    """The second person must be another person: not the requester, not someone whose
    role the requester gave (ever), nor someone given a role lately by a person the
    requester appointed; and allowed to export over the area."""
    if export.requested_by_id == actor.pk:
        raise ValidationError(_("不能审批自己的申请,需由另一位有导出权限的负责人审批。"))
    access.require(actor, Action.PII_EXPORT, export.area)
    since = timezone.now() - timedelta(days=appointment_days())
    if appointed_by(granter=export.requested_by, user=actor, since=since):
        raise ValidationError(
            _("您的角色由申请人(或其任命的人)授予,不能审批这份申请,需由另一位负责人审批。")
        )


def _decide(
    actor: User, export: ExportRequest, status: ExportStatus, **fields: object
) -> ExportRequest:
    """Move a request that is still waiting (and in time) to `status`, or refuse."""
    _check_decider(actor, export)
    now = timezone.now()
    decided = ExportRequest.objects.filter(
        pk=export.pk, status=ExportStatus.REQUESTED, expires_at__gt=now
    ).update(status=status, approver=actor, decided_at=now, **fields)
    if not decided:
        raise ValidationError(_("这个申请已经审批过或已过期。"))
    export.refresh_from_db(fields=["status", "approver", "decided_at", "expires_at"])
    return export


@transaction.atomic
def export_request_approve(
    *, actor: User, export: ExportRequest, request: HttpRequest | None = None
) -> ExportRequest:
    """Approve someone else's request over an area where `actor` may export; the file is
    built after the commit, and may be downloaded until EXPORT_EXPIRY_HOURS from now."""
    export = _decide(actor, export, ExportStatus.APPROVED, expires_at=timezone.now() + _lifetime())
    audit_record(
        actor=actor,
        action="registry.export.approve",
        target=export,
        area=export.area,
        data={"area": export.area.code, "requested_by": export.requested_by_id},
        request=request,
    )
    transaction.on_commit(lambda: export_build.enqueue(export.pk))
    return export


@transaction.atomic
def export_request_decline(
    *, actor: User, export: ExportRequest, note: str = "", request: HttpRequest | None = None
) -> ExportRequest:
    """Decline someone else's request, optionally saying why."""
    note = note.strip()[:200]
    export = _decide(actor, export, ExportStatus.DECLINED, decision_note=note)
    audit_record(
        actor=actor,
        action="registry.export.decline",
        target=export,
        area=export.area,
        reason=note,
        data={"area": export.area.code, "requested_by": export.requested_by_id},
        request=request,
    )
    return export


@task()
def export_build(export_id: int) -> None:
    """Write the approved ledger (watermarked, or masked) and store it encrypted. A
    request that expired, or already has its file, is left alone; one whose file cannot
    be written is marked failed, so its page stops waiting."""
    export = ExportRequest.objects.select_related("area", "requested_by").get(pk=export_id)
    if export.status != ExportStatus.APPROVED or export.built_at is not None:
        return
    decided_at = export.decided_at or timezone.now()
    watermark = exports.Watermark(
        holder=str(export.requested_by),
        approval=export.pk,
        approved_on=timezone.localdate(decided_at),
    )
    buffer = io.BytesIO()
    try:
        rows = exports.write_ledger(
            area=export.area, target=buffer, unmasked_for=None if export.masked else watermark
        )
    except Exception as error:
        # The error's type only: its message could quote a value from the ledger.
        logger.error("export %s failed: %s", export.pk, type(error).__name__)
        ExportRequest.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED)
        return
    ExportRequest.objects.filter(
        pk=export.pk, status=ExportStatus.APPROVED, expires_at__gt=timezone.now()
    ).update(file_cipher=pii.encrypt_bytes(buffer.getvalue()), rows=rows, built_at=timezone.now())


@transaction.atomic
def export_download(
    *, actor: User, export: ExportRequest, request: HttpRequest | None = None
) -> bytes:
    """The approved file, for its requester only, until it expires; each download is
    counted and audited."""
    if export.requested_by_id != actor.pk:
        raise PermissionDenied(_("只有申请人本人可以下载。"))
    access.require(actor, Action.LEDGER_EXPORT if export.masked else Action.PII_EXPORT, export.area)
    locked = ExportRequest.objects.select_for_update().get(pk=export.pk)
    if locked.status == ExportStatus.REQUESTED:
        raise ValidationError(_("申请还没有批准,不能下载。"))
    if locked.status == ExportStatus.DECLINED:
        raise ValidationError(_("申请已被拒绝,不能下载。"))
    now = timezone.now()
    if locked.status == ExportStatus.FAILED:
        raise ValidationError(_("文件生成失败,请重新导出。"))
    if locked.status == ExportStatus.EXPIRED or locked.expires_at <= now:
        raise ValidationError(_("下载期限已过,文件已删除。如仍需要,请重新申请。"))
    if locked.file_cipher is None:
        raise ValidationError(_("文件正在生成,请稍后再下载。"))
    data = pii.decrypt_bytes(locked.file_cipher)
    ExportRequest.objects.filter(pk=export.pk).update(
        status=ExportStatus.DOWNLOADED,
        download_count=F("download_count") + 1,
        last_downloaded_at=now,
    )
    audit_record(
        actor=actor,
        action="registry.export.download",
        target=export,
        area=export.area,
        data={
            "area": export.area.code,
            "rows": locked.rows,
            "download": locked.download_count + 1,
            "masked": export.masked,
        },
        request=request,
    )
    return data


def export_purge(*, pk: int | None = None) -> int:
    """Expire every open request past its time (or only request `pk`): its file is
    erased and one audit row says so. Returns how many expired."""
    now = timezone.now()
    due = ExportRequest.objects.filter(status__in=OPEN_EXPORT_STATUSES, expires_at__lte=now)
    if pk is not None:
        due = due.filter(pk=pk)
    expired = 0
    for export in due.select_related("area").defer("file_cipher").order_by("pk"):
        with transaction.atomic():
            erased = ExportRequest.objects.filter(
                pk=export.pk, status__in=OPEN_EXPORT_STATUSES, expires_at__lte=now
            ).update(status=ExportStatus.EXPIRED, file_cipher=None)
            if erased:
                audit_record(
                    actor=SYSTEM,
                    action="registry.export.expire",
                    target=export,
                    area=export.area,
                    data={"area": export.area.code, "was": export.status},
                )
                expired += 1
    return expired
