"""Writes of recognition: a unit approves its members' records of a period (the figures
kept as approved), a certificate of service is numbered for an approved record, and a
member is proposed as a party-activist candidate from their front-line work.

Checked entries take a user and check once that they keep the unit (its admin, or the
committee over its seat); the `do_` writes write with their audit row."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas.access import Action
from jijie.audit.actors import Actor, account_of
from jijie.audit.services import audit_record
from jijie.core import text
from jijie.mobilization import access as mobilization_access
from jijie.mobilization.models import Member, Organisation
from jijie.recognition import records
from jijie.recognition.models import (
    Approval,
    ApprovedRecord,
    Certificate,
    CertificateSequence,
    Nomination,
)

if TYPE_CHECKING:
    from jijie.accounts.models import User

MAX_PERIOD_DAYS = 366


def require_keeper(actor: User, organisation: Organisation) -> None:
    """Those who keep a unit's members (its admin, the committee over its seat)."""
    mobilization_access.require_organisation(
        actor, Action.MEMBER_EDIT, path=organisation.path, area_path=organisation.area_path
    )


def unit_members(organisation: Organisation) -> list[Member]:
    return list(Member.objects.filter(organisation=organisation).order_by("name", "pk"))


def approve(
    *, actor: User, organisation: Organisation, start: date, end: date, now: datetime | None = None
) -> Approval:
    require_keeper(actor, organisation)
    return do_approve(actor=actor, organisation=organisation, start=start, end=end, now=now)


@transaction.atomic
def do_approve(
    *, actor: Actor, organisation: Organisation, start: date, end: date,
    now: datetime | None = None,
) -> Approval:  # fmt: skip
    """Approve the unit's members' records over [start, end] as they stand now: a
    period ended, approved once."""
    now = now or timezone.now()
    if end < start:
        raise ValidationError({"end": _("结束日期不能早于开始日期。")})
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError({"end": _("一次审核最长一年。")})
    if end >= timezone.localdate(now):
        raise ValidationError({"end": _("只能审核已经结束的时段(结束日期须早于今天)。")})
    if Approval.objects.filter(organisation=organisation, starts_on=start, ends_on=end).exists():
        raise ValidationError(_("这个时段已经审核过了。"), code="state")
    members = unit_members(organisation)
    found = records.records((m.pk for m in members), start, end)
    approval = Approval.objects.create(
        organisation=organisation, starts_on=start, ends_on=end,
        approved_by=account_of(actor), approved_at=now,
    )  # fmt: skip
    ApprovedRecord.objects.bulk_create(
        ApprovedRecord(approval=approval, member_id=pk, **vars(record))
        for pk, record in found.items()
    )
    audit_record(actor=actor, action="recognition.approve", target=approval,
                 data={"members": len(found)})  # fmt: skip
    return approval


def certificate_issue(
    *, actor: User, record: ApprovedRecord, now: datetime | None = None
) -> Certificate:
    require_keeper(actor, record.approval.organisation)
    return do_certificate_issue(actor=actor, record=record, now=now)


@transaction.atomic
def do_certificate_issue(
    *, actor: Actor, record: ApprovedRecord, now: datetime | None = None
) -> Certificate:
    """Number a certificate of service for an approved record with time served; a
    record has one certificate, issued again as the same number."""
    now = now or timezone.now()
    existing = Certificate.objects.filter(record=record).first()
    if existing is not None:
        return existing
    if record.minutes <= 0:
        raise ValidationError(_("这段时间没有经核实的服务时长,不能出具服务证明。"))
    year = timezone.localdate(now).year
    CertificateSequence.objects.get_or_create(year=year)
    sequence = CertificateSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    certificate = Certificate.objects.create(
        record=record, number=f"{year}-{sequence.last:06d}", issued_at=now,
        issued_by=account_of(actor),
    )  # fmt: skip
    audit_record(actor=actor, action="recognition.certificate", target=certificate)
    return certificate


def require_proposer(actor: User, member: Member) -> None:
    if member.organisation is None:
        raise PermissionDenied(_("这名人员没有所在单位,由其单位推荐。"))
    require_keeper(actor, member.organisation)


def nominate(
    *, actor: User, member: Member, reason: str, now: datetime | None = None
) -> Nomination:
    require_proposer(actor, member)
    return do_nominate(actor=actor, member=member, reason=reason, now=now)


@transaction.atomic
def do_nominate(
    *, actor: Actor, member: Member, reason: str, now: datetime | None = None
) -> Nomination:
    """Note a member as a party-activist candidate, with the reason and the record they
    have then (over the last 365 days); a party member already is none."""
    now = now or timezone.now()
    said = text.bounded(reason, field="reason", label=_("推荐理由"), limit=500, required=True)
    if member.kind in ("party_member", "probationary", "retired_party_member"):
        raise ValidationError({"member": _("这名人员已经是党员。")})
    today = timezone.localdate(now)
    record = records.records([member.pk], today - timedelta(days=364), today)[member.pk]
    nomination = Nomination.objects.create(
        member=member, reason=said, proposed_by=account_of(actor), proposed_at=now,
        minutes=record.minutes, commendations=record.commendations,
    )  # fmt: skip
    audit_record(actor=actor, action="recognition.nominate", target=nomination)
    return nomination
