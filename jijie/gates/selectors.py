"""Reads of the gates app, scoped through `access` on the copied area paths."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db.models import Count, FilteredRelation, Q, QuerySet
from django.db.models.functions import ExtractHour
from django.http import Http404
from django.utils import timezone

from jijie.accounts import tokens
from jijie.accounts.models import ApiToken, TokenScope
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.core.queries import RowReader, fits_key, unique_or_none
from jijie.gates import proofs, signing
from jijie.gates.models import Direction, Gate, GateRule, Pass, PassStatus, Scan
from jijie.gates.proofs import Proof
from jijie.responses import selectors as response_selectors
from jijie.responses.models import Response

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.backends.base.base import BaseDatabaseWrapper

    from jijie.accounts.models import User


def gate_list(*, actor: User | AnonymousUser, area: Area | None = None) -> QuerySet[Gate]:
    gates = access.scoped(Gate.objects.all(), actor, Action.GATE_VIEW, path_field="area_path")
    if area is not None:
        gates = gates.filter(area_path__startswith=area.path)
    return gates.select_related("area", "compound").order_by("area_path", "name")


def gate_for(*, actor: User | AnonymousUser, pk: int, action: Action = Action.GATE_VIEW) -> Gate:
    """One gate; 404 when missing or out of sight, 403 when the role may not `action`."""
    gate = unique_or_none(
        access.scoped(Gate.objects.all(), actor, Action.AREA_VIEW, path_field="area_path")
        .select_related("area")
        .filter(pk=pk)
    )
    if gate is None:
        raise Http404
    access.require_path(actor, action, gate.area_path)
    return gate


def _active_over(path: str) -> QuerySet[Response]:
    return response_selectors.in_force_over([path])


def response_over(path: str) -> Response | None:
    """The most recent active response over the area at `path`."""
    return _active_over(path).first()


def rule_in_force(gate: Gate) -> tuple[Response | None, GateRule | None]:
    """The response in force over a gate (the most recent active one above it) and the
    gate's rule for it, if it has one. One query: every scan asks this."""
    response = (
        _active_over(gate.area_path)
        .annotate(rule=FilteredRelation("gate_rules", condition=Q(gate_rules__gate=gate)))
        # django-stubs does not know annotated relations; Django joins them.
        .select_related("rule")  # type: ignore[misc]
        .first()
    )
    if response is None:
        return None, None
    # The join sets `rule` only where it found one.
    rule: GateRule | None = getattr(response, "rule", None)
    return response, rule


def rules_in_force(gates: Iterable[Gate]) -> dict[int, tuple[Response | None, GateRule | None]]:
    """`rule_in_force` for many gates, by gate id, in two queries however many gates: the
    active responses over any of them, newest first, and the gates' rules for the
    responses in force."""
    gates = list(gates)
    paths = {
        gate.area_path[:end]
        for gate in gates
        for end in range(Area.steplen, len(gate.area_path) + 1, Area.steplen)
    }
    responses = list(response_selectors.in_force_over(paths) if paths else [])
    # The newest response whose area holds the gate, as `rule_in_force` picks it.
    chosen = {
        gate.pk: next((r for r in responses if gate.area_path.startswith(r.area_path)), None)
        for gate in gates
    }
    in_force = {r.pk for r in chosen.values() if r is not None}
    rules = (
        {
            (rule.gate_id, rule.response_id): rule
            for rule in GateRule.objects.filter(gate__in=chosen, response__in=in_force)
        }
        if in_force
        else {}
    )
    return {
        pk: (response, rules.get((pk, response.pk)) if response is not None else None)
        for pk, response in chosen.items()
    }


def _claims(token: str) -> signing.PassClaims | None:
    try:
        return signing.verify(token)
    except signing.TokenError:
        return None


def _pass_of(claim: signing.PassClaims | None, pass_: Pass | None) -> Pass | None:
    """The pass a QR code names, if it is the household's the code was signed for."""
    if claim is None or pass_ is None or pass_.household_id != claim.household_id:
        return None
    return pass_


def passes_scanned(tokens: Iterable[str]) -> dict[str, Pass | None]:
    """The pass behind each scanned QR code, None for a code that is not a pass of ours
    (bad signature, or no such pass for its household), in one query: a batch of scans
    would otherwise read its passes one by one. Which passes a gate accepts is the
    rules' business, as for a single scan."""
    claims = {token: _claims(token) for token in tokens}
    ids = {c.pass_id for c in claims.values() if c is not None}
    passes = Pass.objects.in_bulk(ids) if ids else {}
    return {
        token: _pass_of(claim, passes.get(claim.pass_id) if claim is not None else None)
        for token, claim in claims.items()
    }


@dataclass(frozen=True)
class ScanContext:
    """What one scan needs to know, read in one statement (`scan_context`)."""

    user_id: int
    token_id: int
    token_last_used_at: datetime | None
    may_scan: bool  # the gate is in the user's sight and their role may scan there
    gate: Gate
    response: Response | None
    rule: GateRule | None
    passes: dict[str, Pass | None]  # the scanned code's pass, as `passes_scanned` reads it


_TOKEN = RowReader(ApiToken, ["id", "user", "last_used_at"])
_GATE = RowReader(Gate, ["id", "area", "area_path", "name", "kind", "opens_at", "closes_at"])
_RESPONSE = RowReader(Response, ["id", "area_path", "status", "started_at"])
_RULE = RowReader(GateRule, [f.name for f in GateRule._meta.concrete_fields])
_PASS = RowReader(
    Pass,
    [
        "id",
        "response",
        "household",
        "area_path",
        "valid_from",
        "valid_until",
        "outings_per_day",
        "status",
    ],
)


@cache
def _scan_contexts_sql() -> tuple[str, list[str], list[Any]]:
    view, view_params = access.may_path_sql(Action.AREA_VIEW, user="t.user_id", path="g.area_path")
    scan, scan_params = access.may_path_sql(Action.GATE_SCAN, user="t.user_id", path="g.area_path")
    in_force, in_force_params = response_selectors.in_force_over_sql("g.area_path")
    # Fragments of ours; the values are bound.
    sql = f"""
        SELECT i.n, {view}, {scan}, {_TOKEN.columns("t")},
               {_GATE.columns("g")}, {_RESPONSE.columns("r")},
               {_RULE.columns("gr")}, {_PASS.columns("p")}
        FROM unnest(%s::varchar[], %s::bigint[], %s::bigint[], %s::timestamptz[])
             WITH ORDINALITY AS i(key_hash, gate_id, pass_id, expires, n)
        JOIN accounts_apitoken t ON t.key_hash = i.key_hash
        JOIN accounts_user u ON u.id = t.user_id
        JOIN gates_gate g ON g.id = i.gate_id
        LEFT JOIN responses_response r ON r.id = {in_force}
        LEFT JOIN gates_gaterule gr ON gr.gate_id = g.id AND gr.response_id = r.id
        LEFT JOIN gates_pass p ON p.id = i.pass_id
        WHERE {tokens.live_sql(now="i.expires", scope=TokenScope.GATES)}
    """  # noqa: S608
    return sql, view_params + scan_params, in_force_params


@dataclass(frozen=True)
class ScanContextQuery:
    """What the scan lane (`jijie.gates.lane`) asks, for a scan sent with a bearer
    token, of `scan_contexts_statement`, and what reading its row needs."""

    key_hash: str
    gate_id: int
    pass_id: int | None
    expires: Any
    token: str
    claim: signing.PassClaims | None


def scan_context_query(
    *, key_hash: str, gate_id: int, token: str, now: datetime, connection: BaseDatabaseWrapper
) -> ScanContextQuery | None:
    """The question for a scan at `gate_id` sent at `now` with the token whose hash is
    `key_hash`; None when no gate can have that id."""
    claim = _claims(token) if token else None
    if not fits_key(gate_id, Gate, connection):
        return None  # no gate has that id (and SQLite would refuse the number)
    pass_id = claim.pass_id if claim is not None else None
    if pass_id is not None and not fits_key(pass_id, Pass, connection):
        pass_id = None
    expires = ApiToken._meta.get_field("expires_at").get_db_prep_value(now, connection)
    return ScanContextQuery(
        key_hash=key_hash,
        gate_id=gate_id,
        pass_id=pass_id,
        expires=expires,
        token=token,
        claim=claim,
    )


def scan_contexts_statement(queries: Sequence[ScanContextQuery]) -> tuple[str, list[Any]]:
    """One statement (PostgreSQL's) that tells, for each scan of `queries`, who sent it
    and whether they may scan at the gate (`access.may_path_sql`, as `gate_for`
    decides), the gate, the response in force over it and its rule (as
    `rule_in_force`), and the pass behind the scanned code (as `passes_scanned`). Each
    row starts with the 1-based position of its query; a query without a row names a
    token that is not a live one of an active user, or no gate. The scan lane asks it
    for every scan, and for the scans that arrive together, once."""
    sql, head, tail = _scan_contexts_sql()
    return sql, [
        *head,
        [q.key_hash for q in queries],
        [q.gate_id for q in queries],
        [q.pass_id for q in queries],
        [q.expires for q in queries],
        *tail,
    ]


def scan_context_read(
    query: ScanContextQuery, row: Sequence[Any] | None, connection: BaseDatabaseWrapper
) -> ScanContext | None:
    """The `ScanContext` in the row found for `query`, without its position, if one was
    found."""
    if row is None:
        return None
    may_view, may_scan = row[:2]
    columns = iter(row[2:])
    api_token = _TOKEN.take(columns, connection)
    gate = _GATE.take(columns, connection)
    response = _RESPONSE.take(columns, connection)
    rule = _RULE.take(columns, connection)
    pass_ = _PASS.take(columns, connection)
    assert api_token is not None  # an inner join found it
    assert gate is not None
    token = query.token
    return ScanContext(
        user_id=api_token.user_id,
        token_id=api_token.pk,
        token_last_used_at=api_token.last_used_at,
        may_scan=bool(may_view) and bool(may_scan),
        gate=gate,
        response=response,
        rule=rule,
        passes={token: _pass_of(query.claim, pass_)} if token else {},
    )


def pass_for(*, actor: User | AnonymousUser, pk: int, action: Action = Action.GATE_VIEW) -> Pass:
    pass_ = (
        access.scoped(Pass.objects.all(), actor, Action.AREA_VIEW, path_field="area_path")
        .select_related("household__building", "response")
        .filter(pk=pk)
        .first()
    )
    if pass_ is None:
        raise Http404
    access.require_path(actor, action, pass_.area_path)
    return pass_


def pass_list(
    *, actor: User | AnonymousUser, area: Area | None = None, response: Response | None = None
) -> QuerySet[Pass]:
    passes = access.scoped(Pass.objects.all(), actor, Action.GATE_VIEW, path_field="area_path")
    if area is not None:
        passes = passes.filter(area_path__startswith=area.path)
    if response is not None:
        passes = passes.filter(response=response)
    return passes.select_related("household__building").order_by(
        "area_path", "household__door_sort", "-pk"
    )


def revoked_pass_ids(*, actor: User | AnonymousUser) -> list[int]:
    """Passes in the caller's scope that are no longer valid, for offline checking."""
    passes = access.scoped(Pass.objects.all(), actor, Action.GATE_SCAN, path_field="area_path")
    return list(
        passes.exclude(status=PassStatus.ACTIVE).order_by("pk").values_list("pk", flat=True)
    )


def scan_log(*, gate: Gate, day: date | None = None, denied_only: bool = False) -> QuerySet[Scan]:
    scans = Scan.objects.filter(gate=gate)
    if day is not None:
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        scans = scans.filter(device_at__gte=start, device_at__lt=start + timedelta(days=1))
    if denied_only:
        scans = scans.filter(is_allowed=False)
    return scans.select_related("household__building").order_by("-device_at")


@dataclass(frozen=True)
class HourCount:
    hour: int
    entered: int
    exited: int
    denied: int


def hourly_counts(*, gate: Gate, day: date) -> list[HourCount]:
    """Allowed passages in and out, and denials, per hour of a day (local time)."""
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    rows = (
        Scan.objects.filter(
            gate=gate, device_at__gte=start, device_at__lt=start + timedelta(days=1)
        )
        .annotate(hour=ExtractHour("device_at", tzinfo=timezone.get_current_timezone()))
        .values("hour")
        .annotate(
            entered=Count("pk", filter=Q(is_allowed=True, direction=Direction.IN)),
            exited=Count("pk", filter=Q(is_allowed=True, direction=Direction.OUT)),
            denied=Count("pk", filter=Q(is_allowed=False)),
        )
    )
    by_hour = {row["hour"]: row for row in rows}
    return [
        HourCount(
            hour=h,
            entered=by_hour.get(h, {}).get("entered", 0),
            exited=by_hour.get(h, {}).get("exited", 0),
            denied=by_hour.get(h, {}).get("denied", 0),
        )
        for h in range(24)
    ]


def out_past_curfew(*, gate: Gate, rule: GateRule | None, at: datetime) -> list[Scan]:
    """Households of the gate's community whose last allowed passage before `at` (by
    device time, whatever order the scans arrived in) was going out before the curfew
    of that day: they are still out. `rule` is the gate's rule in force
    (`rule_in_force`): its curfew, under its response."""
    if rule is None or rule.curfew_at is None:
        return []
    local = timezone.localtime(at)
    curfew = local.replace(
        hour=rule.curfew_at.hour, minute=rule.curfew_at.minute, second=0, microsecond=0
    )
    if local < curfew:
        return []
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    scans = (
        Scan.objects.filter(
            area_path=gate.area_path,
            response_id=rule.response_id,
            is_allowed=True,
            household__isnull=False,
            device_at__gte=day_start,
            device_at__lt=at,
        )
        .select_related("household__building")
        .order_by("household_id", "-device_at", "-pk")
    )
    last: dict[int, Scan] = {}
    for scan in scans:
        if scan.household_id is not None:
            last.setdefault(scan.household_id, scan)
    return [s for s in last.values() if s.direction == Direction.OUT and s.device_at < curfew]


def proof_at_gate(gate: Gate, rule: GateRule | None, token: str, at: datetime) -> Proof | None:
    """What the testing ledger says, at `gate` and `at`, of the household whose pass is
    `token`, for a guard to know before sending the scan whether to check the person's
    own certificate: None when the rule asks for no result, there is no ledger, or the
    code is not a pass of a household of the gate's area (whose standing is not the
    guard's to read)."""
    hours = proofs.hours_asked(rule, Direction.IN)
    if not hours or not proofs.has_source():
        return None
    pass_ = passes_scanned([token])[token]
    if pass_ is None or not pass_.area_path.startswith(gate.area_path):
        return None
    return proofs.proof_for(pass_.household_id, at, hours)
