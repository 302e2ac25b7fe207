"""`/api/gates/...`: what a guard's phone needs. The signing key's public half and the
revoked passes (to check passes offline), the gates in scope with their rules, one scan,
and a batch of scans made offline. Every scan carries the phone's id for it: a scan
sent again is stored once and answered as before; an id reused for a different scan is
a 409 that names it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import BaseModel

from jijie.accounts.requests import actor
from jijie.areas.access import Action
from jijie.core.schemas import ClockTime, Day, Instant, Text
from jijie.gates import selectors, services, signing
from jijie.gates.models import Gate, GateRule, Pass, Scan
from jijie.responses.models import Response

router = Router(tags=["gates"])

BATCH_LIMIT = 500
# Days the log can hold (a day outside any calendar the database keeps is a 400).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


class KeysOut(Schema):
    algorithm: Literal["Ed25519"] = "Ed25519"
    public_key: str = Field(description="raw 32-byte public key, base64url without padding")
    token_prefix: str
    revoked_pass_ids: list[int]


class RuleOut(Schema):
    response_id: int
    temperature_limit: Decimal
    certificate_hours: int | None
    vehicles_allowed: bool
    visitors_allowed: bool
    outings_limit: int | None
    outings_period_days: int
    curfew_at: ClockTime | None


class GateOut(Schema):
    id: int
    name: str
    kind: str
    community_code: str
    opens_at: ClockTime | None
    closes_at: ClockTime | None
    rule: RuleOut | None


def _gate_out(gate: Gate, rule: GateRule | None) -> GateOut:
    return GateOut(
        id=gate.pk,
        name=gate.name,
        kind=gate.kind,
        community_code=gate.area.code,
        opens_at=gate.opens_at,
        closes_at=gate.closes_at,
        rule=RuleOut.from_orm(rule) if rule else None,
    )


class VisitorIn(BaseModel):
    name: Text = Field(min_length=1, max_length=50)
    visiting: Text = Field("", max_length=100)
    reason: Text = Field("", max_length=200)


class ScanIn(BaseModel):
    client_id: uuid.UUID = Field(description="the phone's id for this scan (UUID)")
    gate_id: int
    device_at: Instant = Field(description="when the phone made the scan, with time zone")
    direction: Literal["in", "out"]
    token: Text = Field("", max_length=200, description="the pass's QR content")
    household_id: int | None = Field(None, description="a household found by the guard")
    temperature: Decimal | None = Field(None, ge=30, le=45, max_digits=4, decimal_places=2)
    certificate_checked: bool = False
    vehicle_plate: Text = Field("", max_length=16)
    vehicle_disinfected: bool = False
    visitor: VisitorIn | None = None


class ScanOut(BaseModel):
    id: int
    client_id: uuid.UUID
    gate_id: int
    is_allowed: bool
    reason: str = Field(description="ok, or why not: pass_expired, fever, ...")
    message: str
    proof: str = Field(
        description="the testing ledger's standing of the household when the rule asks"
        " for a negative result: valid, partial, pending, none; empty when not asked"
    )
    pass_id: int | None
    household_id: int | None
    direction: str
    device_at: datetime
    received_at: datetime


def scan_out(scan: Scan) -> ScanOut:
    return ScanOut(
        id=scan.pk,
        client_id=scan.client_id,
        gate_id=scan.gate_id,
        is_allowed=scan.is_allowed,
        reason=scan.reason,
        message=scan.message,
        proof=scan.proof,
        pass_id=scan.pass_ref_id,
        household_id=scan.household_id,
        direction=scan.direction,
        device_at=scan.device_at,
        received_at=scan.received_at,
    )


class ErrorOut(BaseModel):
    detail: str


class BatchIn(Schema):
    scans: list[ScanIn] = Field(max_length=BATCH_LIMIT)


class BatchItemOut(Schema):
    client_id: uuid.UUID
    status: Literal["stored", "replayed", "conflict", "invalid", "not_found", "forbidden"]
    detail: str = ""
    scan: ScanOut | None = None


class BatchOut(Schema):
    stored: int
    replayed: int
    failed: int
    results: list[BatchItemOut]


# A gate with the response and rule in force over it, read once per request.
GateInForce = tuple[Gate, Response | None, GateRule | None]


def scan_data(payload: ScanIn) -> services.ScanData:
    """A scan as the services take it."""
    visitor = payload.visitor
    return services.ScanData(
        client_id=payload.client_id,
        device_at=payload.device_at,
        direction=payload.direction,
        token=payload.token,
        household_id=payload.household_id,
        temperature=payload.temperature,
        certificate_checked=payload.certificate_checked,
        vehicle_plate=payload.vehicle_plate,
        vehicle_disinfected=payload.vehicle_disinfected,
        visitor_name=visitor.name if visitor else "",
        visitor_visiting=visitor.visiting if visitor else "",
        visitor_reason=visitor.reason if visitor else "",
    )


def _record(
    request: HttpRequest,
    payload: ScanIn,
    gates: dict[int, GateInForce],
    passes: dict[str, Pass | None] | None = None,
) -> services.ScanResult:
    known = gates.get(payload.gate_id)
    if known is None:
        gate = selectors.gate_for(actor=request.user, pk=payload.gate_id, action=Action.GATE_SCAN)
        known = gates[payload.gate_id] = (gate, *selectors.rule_in_force(gate))
    gate, response, rule = known
    return services.do_scan_record(
        actor=actor(request),
        gate=gate,
        response=response,
        rule=rule,
        data=scan_data(payload),
        passes=passes,
    )


@router.get(
    "/keys",
    response=KeysOut,
    url_name="gates_keys",
    summary="Public key and revoked passes, for offline checks",
)
def keys(request: HttpRequest) -> KeysOut:
    return KeysOut(
        public_key=signing.public_key_b64(),
        token_prefix=signing.PREFIX,
        revoked_pass_ids=selectors.revoked_pass_ids(actor=request.user),
    )


@router.get("/gates", response=list[GateOut], summary="Gates in scope, with the rules in force")
def gate_list(request: HttpRequest) -> list[GateOut]:
    gates = list(selectors.gate_list(actor=request.user))
    in_force = selectors.rules_in_force(gates)
    return [_gate_out(gate, in_force[gate.pk][1]) for gate in gates]


@router.post(
    "/scans",
    response={200: ScanOut, 201: ScanOut, 409: ErrorOut},
    url_name="gates_scan",
    summary="Record a scan: 201 stored, 200 the same scan sent again, 409 the id reused",
)
def scan_create(request: HttpRequest, payload: ScanIn) -> Status[ScanOut | ErrorOut]:
    try:
        result = _record(request, payload, {})
    except services.ScanConflictError as error:
        return Status(409, ErrorOut(detail=str(error)))
    return Status(201 if result.is_new else 200, scan_out(result.scan))


@router.post(
    "/scans/batch",
    response=BatchOut,
    url_name="gates_scan_batch",
    summary="Scans made offline: each is stored or refused on its own, with a result each",
)
def scan_batch(request: HttpRequest, payload: BatchIn) -> BatchOut:
    gates: dict[int, GateInForce] = {}
    passes = selectors.passes_scanned(item.token for item in payload.scans if item.token)
    results: list[BatchItemOut] = []
    for item in payload.scans:
        try:
            result = _record(request, item, gates, passes)
        except services.ScanConflictError as error:
            results.append(
                BatchItemOut(client_id=item.client_id, status="conflict", detail=str(error))
            )
        except ValidationError as error:
            detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            results.append(BatchItemOut(client_id=item.client_id, status="invalid", detail=detail))
        except (Http404, BadRequest):
            results.append(
                BatchItemOut(
                    client_id=item.client_id,
                    status="not_found",
                    detail=_("没有找到卡口 %(id)s,或不在您的管辖范围内。") % {"id": item.gate_id},
                )
            )
        except PermissionDenied:
            results.append(
                BatchItemOut(
                    client_id=item.client_id,
                    status="forbidden",
                    detail=_("您的角色不能在卡口 %(id)s 登记出入。") % {"id": item.gate_id},
                )
            )
        else:
            results.append(
                BatchItemOut(
                    client_id=item.client_id,
                    status="stored" if result.is_new else "replayed",
                    scan=scan_out(result.scan),
                )
            )
    return BatchOut(
        stored=sum(r.status == "stored" for r in results),
        replayed=sum(r.status == "replayed" for r in results),
        failed=sum(r.status not in ("stored", "replayed") for r in results),
        results=results,
    )


class HourOut(Schema):
    hour: int
    entered: int
    exited: int
    denied: int


@router.get(
    "/gates/{gate_id}/counts",
    response=list[HourOut],
    summary="Allowed passages in and out, and denials, per hour of a day",
)
def gate_counts(request: HttpRequest, gate_id: int, day: Day) -> list[selectors.HourCount]:
    gate = selectors.gate_for(actor=request.user, pk=gate_id)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadRequest(_("日期应在 2000-01-01 到 2099-12-31 之间。"))
    return selectors.hourly_counts(gate=gate, day=day)
