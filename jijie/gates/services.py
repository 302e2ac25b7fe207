"""Writes of the gates app. Gates, rules and passes are audited; scans are a ledger of
their own (one row per passage, stored once per client id) and are not."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import COMMUNITY_KINDS, Area, Compound
from jijie.audit.actors import Actor, account_of
from jijie.audit.services import audit_record
from jijie.core.queries import prepared_cursor, unique_or_none
from jijie.gates import proofs, rules, selectors, signing
from jijie.gates.models import (
    Direction,
    Gate,
    GateKind,
    GateRule,
    Pass,
    PassStatus,
    Scan,
)
from jijie.residents.models import Household
from jijie.responses.models import Response

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

    from jijie.accounts.models import User

TEMPERATURE_RANGE = (Decimal("30.0"), Decimal("45.0"))


def gate_create(
    *,
    actor: User,
    area: Area,
    name: str,
    kind: str = GateKind.COMPOUND,
    compound: Compound | None = None,
    opens_at: time | None = None,
    closes_at: time | None = None,
) -> Gate:
    """`do_gate_create` by someone who manages the gates of `area`."""
    access.require(actor, Action.GATE_MANAGE, area)
    return do_gate_create(
        actor=actor,
        area=area,
        name=name,
        kind=kind,
        compound=compound,
        opens_at=opens_at,
        closes_at=closes_at,
    )


@transaction.atomic
def do_gate_create(
    *,
    actor: Actor,
    area: Area,
    name: str,
    kind: str = GateKind.COMPOUND,
    compound: Compound | None = None,
    opens_at: time | None = None,
    closes_at: time | None = None,
) -> Gate:
    """Add a gate to a community or village (and to one of its compounds)."""
    if area.kind not in COMMUNITY_KINDS:
        raise ValidationError({"area": _("卡口只能设在社区或村。")})
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("名称不能为空。")
    elif Gate.objects.filter(area=area, name=name).exists():
        errors["name"] = _("本社区已有名为“%(name)s”的卡口。") % {"name": name}
    if kind not in GateKind.values:
        errors["kind"] = _("“%(value)s”不是可选的值。") % {"value": kind}
    if compound is not None and compound.community_id != area.pk:
        errors["compound"] = _("小区不属于该社区。")
    if (opens_at is None) != (closes_at is None):
        errors["closes_at"] = _("开放和关闭时间须同时填写,或都不填(全天开放)。")
    if errors:
        raise ValidationError(errors)
    gate = Gate.objects.create(
        area=area,
        area_path=area.path,
        compound=compound,
        name=name,
        kind=kind,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    audit_record(actor=actor, action="gate.create", target=gate, area=area)
    return gate


@dataclass
class RuleData:
    temperature_limit: Decimal = Decimal("37.3")
    certificate_hours: int | None = None
    vehicles_allowed: bool = True
    visitors_allowed: bool = False
    outings_limit: int | None = None
    outings_period_days: int = 1
    curfew_at: time | None = None


def gate_rule_set(*, actor: User, gate: Gate, response: Response, data: RuleData) -> GateRule:
    """`do_gate_rule_set` by someone who manages the gates of the gate's area."""
    access.require(actor, Action.GATE_MANAGE, gate.area)
    return do_gate_rule_set(actor=actor, gate=gate, response=response, data=data)


@transaction.atomic
def do_gate_rule_set(*, actor: Actor, gate: Gate, response: Response, data: RuleData) -> GateRule:
    """Set what `gate` checks during `response`."""
    if not gate.area_path.startswith(response.area_path):
        raise ValidationError({"response": _("该响应不覆盖本卡口。")})
    errors: dict[str, str] = {}
    if not TEMPERATURE_RANGE[0] <= data.temperature_limit <= TEMPERATURE_RANGE[1]:
        errors["temperature_limit"] = _("体温上限应在 30.0 到 45.0℃ 之间。")
    if data.outings_period_days < 1:
        errors["outings_period_days"] = _("周期至少 1 天。")
    if errors:
        raise ValidationError(errors)
    rule, _created = GateRule.objects.update_or_create(
        gate=gate, response=response, defaults=asdict(data)
    )
    audit_record(
        actor=actor,
        action="gate.rule",
        target=rule,
        area=gate.area,
        data={k: str(v) for k, v in asdict(data).items()},
    )
    return rule


def _check_period(valid_from: datetime, valid_until: datetime) -> None:
    if valid_until <= valid_from:
        raise ValidationError({"valid_until": _("失效时间须晚于生效时间。")})


def _check_response(response: Response, path: str) -> None:
    """Passes are issued under an active response over the households' area at `path`."""
    if not response.is_active:
        raise ValidationError({"response": _("响应已结束,不能发放通行证。")})
    if not path.startswith(response.area_path):
        raise ValidationError({"response": _("该响应不覆盖这户。")})


def _new_pass(
    *,
    actor: Actor,
    household: Household,
    response: Response,
    valid_from: datetime,
    valid_until: datetime,
    outings_per_day: int,
    replaces: Pass | None = None,
) -> Pass:
    pass_ = Pass.objects.create(
        response=response,
        household=household,
        area_path=household.area_path,
        valid_from=valid_from,
        valid_until=valid_until,
        outings_per_day=outings_per_day,
        replaces=replaces,
        issued_by=account_of(actor),
    )
    audit_record(
        actor=actor,
        action="pass.reissue" if replaces else "pass.issue",
        target=pass_,
        area=household.building,
        data={"household": household.pk, "replaces": replaces.pk if replaces else None},
    )
    return pass_


def pass_issue(
    *,
    actor: User,
    household: Household,
    response: Response,
    valid_from: datetime,
    valid_until: datetime,
    outings_per_day: int = 0,
) -> Pass:
    """`do_pass_issue` by someone who issues passes where the household lives."""
    access.require_path(actor, Action.PASS_ISSUE, household.area_path)
    return do_pass_issue(
        actor=actor,
        household=household,
        response=response,
        valid_from=valid_from,
        valid_until=valid_until,
        outings_per_day=outings_per_day,
    )


@transaction.atomic
def do_pass_issue(
    *,
    actor: Actor,
    household: Household,
    response: Response,
    valid_from: datetime,
    valid_until: datetime,
    outings_per_day: int = 0,
) -> Pass:
    """Issue a household's pass for a response (one active pass per household)."""
    _check_period(valid_from, valid_until)
    _check_response(response, household.area_path)
    if Pass.objects.filter(
        response=response, household=household, status=PassStatus.ACTIVE
    ).exists():
        raise ValidationError({"household": _("这户已有有效的通行证;如需更换请换发。")})
    return _new_pass(
        actor=actor,
        household=household,
        response=response,
        valid_from=valid_from,
        valid_until=valid_until,
        outings_per_day=outings_per_day,
    )


def passes_issue_building(
    *,
    actor: User,
    building: Area,
    response: Response,
    valid_from: datetime,
    valid_until: datetime,
    outings_per_day: int = 0,
) -> list[Pass]:
    """`do_passes_issue_building` by someone who issues passes in `building`."""
    access.require(actor, Action.PASS_ISSUE, building)
    return do_passes_issue_building(
        actor=actor,
        building=building,
        response=response,
        valid_from=valid_from,
        valid_until=valid_until,
        outings_per_day=outings_per_day,
    )


@transaction.atomic
def do_passes_issue_building(
    *,
    actor: Actor,
    building: Area,
    response: Response,
    valid_from: datetime,
    valid_until: datetime,
    outings_per_day: int = 0,
) -> list[Pass]:
    """Issue a pass to every household of a building that has no active one yet. The
    checks `pass_issue` makes for each household are made once for the building (its
    households are under its path), each pass audited as `pass_issue` audits it."""
    _check_period(valid_from, valid_until)
    _check_response(response, building.path)
    holders = Pass.objects.filter(
        response=response, status=PassStatus.ACTIVE, household__building=building
    ).values_list("household_id", flat=True)
    households = Household.objects.filter(building=building).exclude(pk__in=holders)
    return [
        _new_pass(
            actor=actor,
            household=household,
            response=response,
            valid_from=valid_from,
            valid_until=valid_until,
            outings_per_day=outings_per_day,
        )
        for household in households.select_related("building").order_by("door_sort")
    ]


def _revoke(pass_: Pass, status: str, reason: str) -> None:
    pass_.status = status
    pass_.revoked_at = timezone.now()
    pass_.revoked_reason = reason
    pass_.save(update_fields=["status", "revoked_at", "revoked_reason"])


def pass_revoke(*, actor: User, pass_: Pass, reason: str) -> Pass:
    """`do_pass_revoke` by someone who issues passes where the pass's household lives."""
    access.require_path(actor, Action.PASS_ISSUE, pass_.area_path)
    return do_pass_revoke(actor=actor, pass_=pass_, reason=reason)


@transaction.atomic
def do_pass_revoke(*, actor: Actor, pass_: Pass, reason: str) -> Pass:
    """Void a pass (lost, moved out, in isolation). Guards' phones learn it from the
    revocation list. Locks the pass's row."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请填写作废原因。")})
    pass_ = (
        Pass.objects.select_for_update(of=("self",))
        .select_related("household__building")
        .get(pk=pass_.pk)
    )
    if pass_.status != PassStatus.ACTIVE:
        raise ValidationError({"reason": _("通行证已作废。")})
    _revoke(pass_, PassStatus.REVOKED, reason)
    audit_record(
        actor=actor,
        action="pass.revoke",
        target=pass_,
        area=pass_.household.building,
        reason=reason,
    )
    return pass_


def pass_reissue(
    *, actor: User, pass_: Pass, reason: str, valid_until: datetime | None = None
) -> Pass:
    """`do_pass_reissue` by someone who issues passes where the pass's household lives."""
    access.require_path(actor, Action.PASS_ISSUE, pass_.area_path)
    return do_pass_reissue(actor=actor, pass_=pass_, reason=reason, valid_until=valid_until)


@transaction.atomic
def do_pass_reissue(
    *, actor: Actor, pass_: Pass, reason: str, valid_until: datetime | None = None
) -> Pass:
    """Replace a pass (lost card, new period): the old one is voided, the new one gets a
    new number and so a new QR code."""
    # Only the pass is locked: the household and building rows are read, not changed.
    old = (
        Pass.objects.select_for_update(of=("self",))
        .select_related("household__building")
        .get(pk=pass_.pk)
    )
    if old.status != PassStatus.ACTIVE:
        raise ValidationError({"reason": _("通行证已作废,不能换发。")})
    until = valid_until or old.valid_until
    start = min(timezone.now(), until - timedelta(seconds=1))
    _check_period(start, until)
    _revoke(old, PassStatus.REPLACED, reason.strip() or _("换发"))
    return _new_pass(
        actor=actor,
        household=old.household,
        response=old.response,
        valid_from=start,
        valid_until=until,
        outings_per_day=old.outings_per_day,
        replaces=old,
    )


def pass_token(pass_: Pass) -> str:
    """The signed QR content of a pass."""
    return signing.sign(
        signing.PassClaims(
            pass_id=pass_.pk,
            household_id=pass_.household_id,
            response_id=pass_.response_id,
            valid_from=pass_.valid_from,
            valid_until=pass_.valid_until,
            outings_per_day=pass_.outings_per_day,
        )
    )


# Scans


@dataclass(frozen=True)
class ScanData:
    """A scan as the phone sent it."""

    client_id: uuid.UUID
    device_at: datetime
    direction: str
    token: str = ""
    household_id: int | None = None
    temperature: Decimal | None = None
    certificate_checked: bool = False
    vehicle_plate: str = ""
    vehicle_disinfected: bool = False
    visitor_name: str = ""
    visitor_visiting: str = ""
    visitor_reason: str = ""

    def body_hash(self, gate: Gate) -> str:
        body = dict(vars(self))  # its fields are values: no copy needed (asdict copies)
        body["gate"] = gate.pk
        body["device_at"] = self.device_at.timestamp()
        body["temperature"] = None if self.temperature is None else str(self.temperature)
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


class ScanConflictError(Exception):
    """A client id already used by a different scan."""

    def __init__(self, client_id: uuid.UUID) -> None:
        super().__init__(
            _("扫码编号 %(id)s 已用于另一条不同的记录,未保存;请用新的编号重新提交。")
            % {"id": client_id}
        )


@dataclass(frozen=True)
class ScanResult:
    scan: Scan
    is_new: bool


def _validate(data: ScanData) -> ScanData:
    errors: dict[str, str] = {}
    if data.direction not in Direction.values:
        errors["direction"] = _("方向应为 in(进)或 out(出)。")
    if data.temperature is not None and not (
        TEMPERATURE_RANGE[0] <= data.temperature <= TEMPERATURE_RANGE[1]
    ):
        errors["temperature"] = _("体温应在 30.0 到 45.0℃ 之间。")
    if data.device_at.tzinfo is None:
        errors["device_at"] = _("设备时间须带时区。")
    elif abs(data.device_at - timezone.now()) > timedelta(days=14):
        errors["device_at"] = _("设备时间与服务器相差超过 14 天,请校准手机时间。")
    if len(data.vehicle_plate) > 16:
        errors["vehicle_plate"] = _("车牌号过长。")
    for field, size in (("visitor_name", 50), ("visitor_visiting", 100), ("visitor_reason", 200)):
        if len(getattr(data, field)) > size:
            errors[field] = _("最多 %(n)s 个字。") % {"n": size}
    if data.visitor_name and (data.token or data.household_id):
        errors["visitor_name"] = _("访客登记不带通行证或住户。")
    if errors:
        raise ValidationError(errors)
    temperature = data.temperature
    if temperature is not None:
        temperature = temperature.quantize(Decimal("0.1"))
    return replace(data, temperature=temperature, vehicle_plate=data.vehicle_plate.strip().upper())


def _find_pass(
    data: ScanData, gate: Gate, response: Response, passes: Mapping[str, Pass | None]
) -> tuple[Pass | None, rules.Decision | None]:
    if data.token:
        read = passes if data.token in passes else selectors.passes_scanned([data.token])
        pass_ = read[data.token]
        if pass_ is None:
            return None, rules.deny("pass_invalid", _("二维码无效或被篡改。"))
        return pass_, None
    if data.household_id is not None:
        household = unique_or_none(
            Household.objects.filter(pk=data.household_id, area_path__startswith=gate.area_path)
        )
        if household is None:
            return None, rules.deny("pass_other_area", _("这户不属于本社区。"))
        pass_ = (
            Pass.objects.filter(response=response, household=household)
            .order_by("status", "-valid_until")  # active first
            .first()
        )
        if pass_ is None:
            return None, rules.deny("pass_required", _("这户没有通行证。"))
        return pass_, None
    return None, None


def outings_query(pass_: Pass, rule: GateRule, at: datetime) -> QuerySet[Scan, Any]:
    """The household's allowed exits under the pass's response in the rule's period
    before `at` (by device time), which its outings limit counts."""
    days = rules.outings_period(pass_, rule)
    start = timezone.localtime(at).replace(hour=0, minute=0, second=0, microsecond=0)
    start -= timedelta(days=days - 1)
    return Scan.objects.filter(
        household_id=pass_.household_id,
        response_id=pass_.response_id,
        direction=Direction.OUT,
        is_allowed=True,
        device_at__gte=start,
        device_at__lt=at,
    ).values("pk")


def _replay(scan: Scan) -> ScanResult:
    """The stored scan `scan` was sent again as, or `ScanConflictError` if its client id
    was stored with another body."""
    existing = Scan.objects.get(client_id=scan.client_id)
    if existing.body_hash != scan.body_hash:
        raise ScanConflictError(scan.client_id)
    return ScanResult(existing, is_new=False)


def scan_judge(
    *,
    gate: Gate,
    response: Response,
    rule: GateRule | None,
    data: ScanData,
    recorded_by_id: int | None,
    passes: Mapping[str, Pass | None] | None = None,
    outings_used: int | None = None,
    proof: proofs.Proof | None = None,
) -> Scan:
    """Check what the phone sent (`ValidationError` naming the field) and let the rules
    decide, under `response` and `rule`, the ones in force over `gate`: the scan's row,
    not yet stored. Writes nothing;
    reads only what `passes` does not already hold (a household found by the guard, the
    household's earlier outings when the rule limits them, unless `outings_used` has
    counted them already by `outings_query`), and the testing ledger's word on the
    household when the rule asks for a negative result (`proofs`), unless `proof` is
    that word already."""
    data = _validate(data)
    pass_, problem = _find_pass(data, gate, response, passes or {})
    used = 0
    if (
        pass_ is not None
        and rule is not None
        and data.direction == Direction.OUT
        and rules.outings_limit(pass_, rule) is not None
    ):
        used = (
            outings_used
            if outings_used is not None
            else outings_query(pass_, rule, data.device_at).count()
        )
    hours = proofs.hours_asked(rule, data.direction)
    if proof is None and pass_ is not None and hours:
        proof = proofs.proof_for(pass_.household_id, data.device_at, hours)
    decision = rules.decide(
        gate=gate,
        rule=rule,
        passage=rules.Passage(
            direction=data.direction,
            device_at=data.device_at,
            temperature=data.temperature,
            certificate_checked=data.certificate_checked,
            vehicle_plate=data.vehicle_plate,
            vehicle_disinfected=data.vehicle_disinfected,
            is_visitor=bool(data.visitor_name),
        ),
        pass_=pass_,
        pass_problem=problem,
        outings_used=used,
        proof=proof,
    )
    return Scan(
        client_id=data.client_id,
        body_hash=data.body_hash(gate),
        gate=gate,
        response=response,
        area_path=gate.area_path,
        pass_ref=pass_,
        household_id=pass_.household_id if pass_ is not None else None,
        direction=data.direction,
        temperature=data.temperature,
        certificate_checked=data.certificate_checked,
        proof=proof.standing if proof is not None else "",
        vehicle_plate=data.vehicle_plate,
        vehicle_disinfected=data.vehicle_disinfected,
        visitor_name=data.visitor_name,
        visitor_visiting=data.visitor_visiting,
        visitor_reason=data.visitor_reason,
        is_allowed=decision.is_allowed,
        reason=decision.reason,
        message=decision.message[:200],
        device_at=data.device_at,
        recorded_by_id=recorded_by_id,
    )


SCAN_FIELDS = [f for f in Scan._meta.concrete_fields if not f.primary_key]
# One statement, atomic without BEGIN and COMMIT, that never raises on a taken client
# id: a replay is rare, and the unique client id finds it without a look-up first (or a
# savepoint to recover from the error inside a transaction).
SCAN_INSERT = (
    f"INSERT INTO {Scan._meta.db_table} ({', '.join(f.column for f in SCAN_FIELDS)})"  # noqa: S608 - the model's columns
    f" VALUES ({', '.join(['%s'] * len(SCAN_FIELDS))})"
    " ON CONFLICT (client_id) DO NOTHING RETURNING id"
)


def scan_values(scan: Scan, connection: BaseDatabaseWrapper) -> list[Any]:
    """The values `SCAN_INSERT` stores for a judged scan, as `connection` takes them."""
    return [f.get_db_prep_save(f.pre_save(scan, add=True), connection) for f in SCAN_FIELDS]


def scan_save(scan: Scan) -> ScanResult:
    """Store a judged scan (`scan_judge`) once: the same client id with the same body
    returns the stored scan; with a different body it raises `ScanConflictError`."""
    connection = connections[Scan.objects.db]
    values = scan_values(scan, connection)
    with prepared_cursor(connection) as cursor:
        cursor.execute(SCAN_INSERT, values)
        row = cursor.fetchone()
    if row is None:  # the phone sent this scan before (or a retry raced the first try)
        return _replay(scan)
    scan.pk = row[0]
    scan._state.adding = False
    scan._state.db = connection.alias
    return ScanResult(scan, is_new=True)


def scan_record(
    *,
    actor: User,
    gate: Gate,
    response: Response | None,
    rule: GateRule | None,
    data: ScanData,
    passes: Mapping[str, Pass | None] | None = None,
) -> ScanResult:
    """`do_scan_record` by someone who may record passages at `gate`."""
    access.require_path(actor, Action.GATE_SCAN, gate.area_path)
    return do_scan_record(
        actor=actor, gate=gate, response=response, rule=rule, data=data, passes=passes
    )


def do_scan_record(
    *,
    actor: Actor,
    gate: Gate,
    response: Response | None,
    rule: GateRule | None,
    data: ScanData,
    passes: Mapping[str, Pass | None] | None = None,
) -> ScanResult:
    """Record one passage and the rules' decision at `gate`, under `response` and `rule`,
    the ones in force over it (`selectors.rule_in_force`). The same client id with the
    same body returns the stored scan; with a different body it raises
    `ScanConflictError`. Scans are judged by device time, so a batch synced late counts
    where it happened. `passes` are the passes behind QR codes already read
    (`selectors.passes_scanned`), for a batch."""
    if response is None:
        # Keyed by the API's field: the phones read the refusal under gate_id.
        raise ValidationError({"gate_id": _("本卡口所在区域没有进行中的应急响应。")})
    return scan_save(
        scan_judge(
            gate=gate,
            response=response,
            rule=rule,
            data=data,
            recorded_by_id=actor.pk,
            passes=passes,
        )
    )
