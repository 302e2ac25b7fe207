"""Call-ups, the sign-ups they collect, and screening them in bulk by rules."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from jijie.areas.models import COMMUNITY_KINDS, Area
from jijie.audit.actors import Actor, Audited, account_of
from jijie.audit.services import audit_record
from jijie.core.models import birth_date_of
from jijie.mobilization.models import (
    Availability,
    CallUp,
    CallUpStatus,
    CallUpTarget,
    Fitness,
    Member,
    MemberClaim,
    MemberKind,
    Organisation,
    SignUp,
    SignUpStatus,
)
from jijie.mobilization.selectors import sign_up_open, unit_of
from jijie.mobilization.services.base import UPDATE_CHUNK, area_of, require_manage
from jijie.mobilization.services.claims import do_member_claim_open
from jijie.mobilization.services.members import MemberData, apply_member_data, link_person
from jijie.responses.models import Response

if TYPE_CHECKING:
    from jijie.accounts.models import User


@dataclass
class Target:
    community: Area
    quota: int


def call_up_issue(
    *,
    actor: User,
    response: Response,
    organisation: Organisation,
    title: str,
    quota: int,
    deadline: datetime,
    targets: list[Target],
    conditions: str = "",
) -> CallUp:
    """`do_call_up_issue` by someone who manages `organisation`."""
    require_manage(actor, organisation)
    return do_call_up_issue(
        actor=actor,
        response=response,
        organisation=organisation,
        title=title,
        quota=quota,
        deadline=deadline,
        targets=targets,
        conditions=conditions,
    )


@transaction.atomic
def do_call_up_issue(
    *,
    actor: Actor,
    response: Response,
    organisation: Organisation,
    title: str,
    quota: int,
    deadline: datetime,
    targets: list[Target],
    conditions: str = "",
) -> CallUp:
    """A committee sounds a call-up for a response: how many it needs, where, by when.
    Takes no lock."""
    errors: dict[str, str] = {}
    title = title.strip()
    if not title:
        errors["title"] = _("标题不能为空。")
    if not response.is_active:
        errors["response"] = _("该应急响应已经结束,不能再发集结号。")
    if quota < 1:
        errors["quota"] = _("下沉名额至少为 1。")
    if deadline <= timezone.now():
        errors["deadline"] = _("报名截止时间应在现在之后。")
    seen: set[int] = set()
    for target in targets:
        if target.community.kind not in COMMUNITY_KINDS:
            errors["targets"] = _("“%(name)s”不是社区或村。") % {"name": target.community.name}
        elif not target.community.path.startswith(response.area_path):
            errors["targets"] = _("“%(name)s”不在“%(response)s”的范围内。") % {
                "name": target.community.name,
                "response": response.name,
            }
        elif target.community.pk in seen:
            errors["targets"] = _("“%(name)s”重复了。") % {"name": target.community.name}
        elif target.quota < 1:
            errors["targets"] = _("“%(name)s”的名额至少为 1。") % {"name": target.community.name}
        seen.add(target.community.pk)
    if targets and sum(t.quota for t in targets) > quota:
        errors["targets"] = _("各社区名额之和(%(sum)s)超过了下沉名额(%(quota)s)。") % {
            "sum": sum(t.quota for t in targets),
            "quota": quota,
        }
    if errors:
        raise ValidationError(errors)
    call_up = CallUp.objects.create(
        response=response,
        organisation=organisation,
        title=title,
        conditions=conditions.strip(),
        quota=quota,
        deadline=deadline,
        token=secrets.token_urlsafe(12),
        created_by=account_of(actor),
    )
    CallUpTarget.objects.bulk_create(
        CallUpTarget(call_up=call_up, community=t.community, quota=t.quota) for t in targets
    )
    audit_record(
        actor=actor,
        action="call_up.issue",
        target=call_up,
        area=area_of(organisation),
        data={"quota": quota, "targets": len(targets)},
    )
    return call_up


def call_up_close(*, actor: User, call_up: CallUp) -> CallUp:
    """`do_call_up_close` by someone who manages the call-up."""
    require_manage(actor, call_up.organisation)
    return do_call_up_close(actor=actor, call_up=call_up)


@transaction.atomic
def do_call_up_close(*, actor: Actor, call_up: CallUp) -> CallUp:
    """Stop taking sign-ups (screening and deployment go on). Locks the call-up's row."""
    current = CallUp.objects.select_for_update().get(pk=call_up.pk)
    if current.status == CallUpStatus.CLOSED:
        raise ValidationError(_("该集结号已经截止报名。"))
    current.status = CallUpStatus.CLOSED
    current.save(update_fields=["status"])
    audit_record(
        actor=actor, action="call_up.close", target=current, area=area_of(current.organisation)
    )
    return current


@dataclass
class SignUpData:
    """What a member gives on the sign-up page: who they are (matched to an existing
    member by ID number), and their declaration for this call-up."""

    member: MemberData
    health_declared: bool = False
    availability: str = Availability.FULL_TIME
    note: str = ""


def _duplicate() -> str:
    return _("您已报名本次集结号,无需重复报名。可在“我的集结”查看报名状态。")


@sensitive_variables("data", "probe")
@transaction.atomic
def do_sign_up_submit(*, actor: Audited, call_up: CallUp, data: SignUpData) -> SignUp | MemberClaim:
    """A member signs up for a call-up. Whoever has its link may, so nothing is checked;
    `actor` is the signed-in user, or `NOBODY` on the public page. Takes no lock: the
    unique constraints refuse a second submission that races the first. Who is signed
    up:

    - a signed-in member signs up as themselves (their record is not changed);
    - an ID number not registered yet registers a member (linked to the account that
      signs up, if any) and signs them up;
    - an ID number already registered, with its registered phone and no account, signs
      up as that member without changing their record;
    - an ID number already registered otherwise (another phone, or an account asking
      for a member who is not its own) changes nothing and gives nothing of the
      member's: a claim goes to the member's unit, which approves or declines it
      (`member_claim_approve`), and the member, if they have an account, is told. So
      whoever registered an unused ID number first does not lock its owner out.

    Signing up twice is refused (code "duplicate"); the public page says the same
    whatever happened (`do_sign_up_receive`)."""
    user = account_of(actor)
    refusal = sign_up_open(call_up)
    if refusal:
        raise ValidationError(refusal, code="closed")
    if data.availability not in Availability.values:
        raise ValidationError(
            {"availability": _("“%(value)s”不是可选的值。") % {"value": data.availability}}
        )
    own = Member.objects.filter(user=user).first() if user is not None else None
    probe = Member()
    if own is None:
        apply_member_data(probe, data.member)
        existing = Member.objects.filter(document_hash=probe.document_hash).first()
    else:
        existing = own
    if (
        existing is not None
        and own is None
        and (user is not None or existing.phone_hash != probe.phone_hash)
    ):
        # An account is linked to a registered member, and a member is signed up from
        # another phone than theirs, only on proof the member controls: their unit's
        # approval. Knowing their ID number (and phone) is not that.
        return do_member_claim_open(
            actor=actor, call_up=call_up, member=existing, probe=probe, data=data
        )
    if existing is not None:
        member = existing
    else:
        probe.user = user
        link_person(probe)
        try:
            with transaction.atomic():
                probe.save()
        except IntegrityError:
            # The same person's other submission registered them a moment ago: this one
            # is a second sign-up of that member.
            raise ValidationError(_duplicate(), code="duplicate") from None
        member = probe
        # Registered by whoever signs up, as the sign-up below is.
        audit_record(
            actor=actor,
            action="member.register",
            target=member,
            area=Area(path=member.residence_path),
        )
    duplicate = _duplicate()
    if SignUp.objects.filter(call_up=call_up, member=member).exists():
        raise ValidationError(duplicate, code="duplicate")
    try:
        with transaction.atomic():
            sign_up = SignUp.objects.create(
                call_up=call_up,
                member=member,
                unit=unit_of(call_up, member.organisation),
                health_declared=data.health_declared,
                availability=data.availability,
                note=data.note.strip()[:200],
            )
    except IntegrityError:  # a second submission that raced the first
        raise ValidationError(duplicate, code="duplicate") from None
    audit_record(
        actor=actor,
        action="sign_up.submit",
        target=sign_up,
        area=area_of(call_up.organisation),
        data={"call_up": call_up.pk},
    )
    return sign_up


def do_sign_up_receive(*, actor: Audited, call_up: CallUp, data: SignUpData) -> None:
    """The public sign-up form's submission (`do_sign_up_submit`), answered the same way
    whether the ID number was unknown, registered with this phone or another, or
    already signed up: the answer must not tell anyone who is a member. Only what the
    form alone decides (a malformed ID number, a closed call-up) is refused."""
    try:
        do_sign_up_submit(actor=actor, call_up=call_up, data=data)
    except ValidationError as error:
        if getattr(error, "code", None) != "duplicate":
            raise


@dataclass
class ScreeningRules:
    """Conditions applied in bulk to the call-up's requested sign-ups."""

    min_age: int | None = 18
    max_age: int | None = 60
    require_health_declaration: bool = True
    kinds: list[str] = field(default_factory=list)  # empty: every kind
    exclude_unfit: bool = True


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def screening_reasons(
    rules: ScreeningRules,
    today: date,
    *,
    birth_date: date | None,
    kind: str,
    fitness: str,
    health_declared: bool,
) -> list[str]:
    """Why a sign-up fails the rules (empty when it passes)."""
    return _reasons(
        rules,
        age=_age(birth_date, today) if birth_date is not None else None,
        kind=kind,
        fitness=fitness,
        health_declared=health_declared,
    )


def _reasons(
    rules: ScreeningRules, *, age: int | None, kind: str, fitness: str, health_declared: bool
) -> list[str]:
    reasons: list[str] = []
    if age is not None:
        if rules.min_age is not None and age < rules.min_age:
            reasons.append(
                _("年龄 %(age)s 岁,低于 %(min)s 岁") % {"age": age, "min": rules.min_age}
            )
        if rules.max_age is not None and age > rules.max_age:
            reasons.append(
                _("年龄 %(age)s 岁,超过 %(max)s 岁") % {"age": age, "max": rules.max_age}
            )
    elif rules.min_age is not None or rules.max_age is not None:
        reasons.append(_("缺少出生日期,无法核对年龄"))
    if rules.require_health_declaration and not health_declared:
        reasons.append(_("未作健康申报"))
    if rules.kinds and kind not in rules.kinds:
        reasons.append(_("身份“%(kind)s”不在本次招募范围") % {"kind": MemberKind(kind).label})
    if rules.exclude_unfit and fitness == Fitness.UNFIT:
        reasons.append(_("身体状况暂不适合一线"))
    return reasons


def _years_of_passing_age(rules: ScreeningRules, today: date) -> range:
    """The birth years whose people pass the age rules whatever their birthday: both ages
    the year allows (one less before the birthday) lie within the limits."""
    earliest = today.year - rules.max_age if rules.max_age is not None else 0
    latest = today.year - rules.min_age - 1 if rules.min_age is not None else today.year
    return range(earliest, latest + 1)


def _age_of(
    rules: ScreeningRules,
    today: date,
    passing: range,
    birth_year: int | None,
    cipher: bytes | memoryview | None,
) -> int | None:
    """A member's age as far as the rules need it. The birth date is stored encrypted
    (only its year in clear): it is decrypted only where the year leaves the outcome open,
    or where a refusal states the age. Elsewhere either age the year allows passes."""
    if birth_year is None:
        return None
    if birth_year in passing:
        return today.year - birth_year
    born = birth_date_of(cipher)
    return _age(born, today) if born is not None else None


@dataclass
class Screened:
    approved: int
    declined: int


def screening_apply(
    *, actor: User, call_up: CallUp, rules: ScreeningRules, today: date | None = None
) -> Screened:
    """`do_screening_apply` by someone who manages the call-up."""
    require_manage(actor, call_up.organisation)
    return do_screening_apply(actor=actor, call_up=call_up, rules=rules, today=today)


@transaction.atomic
def do_screening_apply(
    *, actor: Actor, call_up: CallUp, rules: ScreeningRules, today: date | None = None
) -> Screened:
    """Apply `rules` to every requested sign-up of the call-up: each is approved or
    declined, with the reason recorded on it. Sign-ups already decided are left alone.
    Locks the requested sign-ups' rows."""
    if rules.min_age is not None and rules.max_age is not None and rules.min_age > rules.max_age:
        raise ValidationError({"max_age": _("年龄上限不能低于下限。")})
    if any(kind not in MemberKind.values for kind in rules.kinds):
        raise ValidationError({"kinds": _("身份中有不可选的值。")})
    today = today or timezone.localdate()
    now = timezone.now()
    # Only the columns the rules read: ten thousand sign-ups are read, not instantiated.
    pending = list(
        SignUp.objects.select_for_update(of=("self",))
        .filter(call_up=call_up, status=SignUpStatus.REQUESTED)
        .order_by("pk")
        .values_list(
            "pk",
            "health_declared",
            "member__birth_year",
            "member__birth_date_cipher",
            "member__kind",
            "member__fitness",
        )
    )
    passing = _years_of_passing_age(rules, today)
    # One UPDATE per outcome: everyone approved shares a reason, and the declined share a
    # few (the ages over the limit, no declaration...). A CASE per row for ten thousand
    # rows (bulk_update) takes seconds.
    outcomes: dict[tuple[str, str], list[int]] = {}
    for pk, health_declared, birth_year, cipher, kind, fitness in pending:
        reasons = _reasons(
            rules,
            age=_age_of(rules, today, passing, birth_year, cipher),
            kind=kind,
            fitness=fitness,
            health_declared=health_declared,
        )
        status: str = SignUpStatus.DECLINED if reasons else SignUpStatus.APPROVED
        reason = ("; ".join(reasons) if reasons else _("符合报名条件"))[:200]
        outcomes.setdefault((status, reason), []).append(pk)
    for (status, reason), pks in outcomes.items():
        for start in range(0, len(pks), UPDATE_CHUNK):
            SignUp.objects.filter(pk__in=pks[start : start + UPDATE_CHUNK]).update(
                status=status,
                reason=reason,
                screened_by=account_of(actor),
                screened_at=now,
                updated_at=now,
            )
    approved = sum(
        len(pks) for (status, _r), pks in outcomes.items() if status == SignUpStatus.APPROVED
    )
    result = Screened(approved=approved, declined=len(pending) - approved)
    audit_record(
        actor=actor,
        action="call_up.screen",
        target=call_up,
        area=area_of(call_up.organisation),
        data={
            "approved": result.approved,
            "declined": result.declined,
            "rules": {
                "min_age": rules.min_age,
                "max_age": rules.max_age,
                "require_health_declaration": rules.require_health_declaration,
                "kinds": rules.kinds,
                "exclude_unfit": rules.exclude_unfit,
            },
        },
    )
    return result
