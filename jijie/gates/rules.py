"""The rule engine: whether a passage is allowed at a gate, and why not. Pure: it is
given what the ledger knows and decides, so each rule is tested on its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.gates.models import Direction, Gate, GateRule, Pass, PassStatus
from jijie.gates.proofs import Proof


@dataclass(frozen=True)
class Passage:
    """What the guard recorded."""

    direction: str
    device_at: datetime
    temperature: Decimal | None = None
    certificate_checked: bool = False
    vehicle_plate: str = ""
    vehicle_disinfected: bool = False
    is_visitor: bool = False


@dataclass(frozen=True)
class Decision:
    is_allowed: bool
    reason: str
    message: str


def allow() -> Decision:
    return Decision(True, "ok", _("放行"))


def deny(reason: str, message: str) -> Decision:
    return Decision(False, reason, message)


def _within(at: time, opens: time, closes: time) -> bool:
    if opens <= closes:
        return opens <= at < closes
    return at >= opens or at < closes  # open across midnight


def decide(
    *,
    gate: Gate,
    rule: GateRule | None,
    passage: Passage,
    pass_: Pass | None,
    pass_problem: Decision | None = None,
    outings_used: int = 0,
    proof: Proof | None = None,
) -> Decision:
    """Allow or deny. `pass_problem` is what checking the token found (bad signature,
    unknown pass); `outings_used` counts the household's allowed exits earlier in the
    rule's period, by device time; `proof` is what the testing ledger says of the
    pass's household when the rule asks for a negative result (`proofs`)."""
    if rule is None:
        return deny("no_rule", _("本卡口未设置本次响应的通行规则。"))
    local = timezone.localtime(passage.device_at)
    if (
        gate.opens_at is not None
        and gate.closes_at is not None
        and not _within(local.time(), gate.opens_at, gate.closes_at)
    ):
        return deny(
            "gate_closed",
            _("卡口开放时间为 %(opens)s–%(closes)s。")
            % {
                "opens": gate.opens_at.strftime("%H:%M"),
                "closes": gate.closes_at.strftime("%H:%M"),
            },
        )
    if pass_problem is not None:
        return pass_problem
    if passage.is_visitor:
        if not rule.visitors_allowed:
            return deny("visitors_not_allowed", _("本卡口不允许访客进入。"))
    elif pass_ is None:
        return deny("pass_required", _("没有有效的通行证。"))
    else:
        problem = pass_decision(pass_, gate=gate, rule=rule, at=passage.device_at)
        if problem is not None:
            return problem
    if passage.direction == Direction.IN:
        if passage.temperature is None:
            return deny("temperature_missing", _("进入须测量体温。"))
        if passage.temperature >= rule.temperature_limit:
            return deny(
                "fever",
                _("体温 %(t)s℃ 达到或超过 %(limit)s℃,不得进入,请按发热流程处置。")
                % {"t": passage.temperature, "limit": rule.temperature_limit},
            )
        if (
            rule.certificate_hours
            and not passage.certificate_checked
            and not (proof is not None and proof.is_valid)
        ):
            message = _("进入须出示 %(hours)s 小时内核酸阴性证明。") % {
                "hours": rule.certificate_hours
            }
            if proof is not None:
                message = proof.sentence() + _("请查验本人证明后勾选,再登记。")
            return deny("certificate_missing", message)
    if passage.vehicle_plate:
        if not rule.vehicles_allowed:
            return deny("vehicles_not_allowed", _("本卡口不允许车辆通行。"))
        if not passage.vehicle_disinfected:
            return deny("vehicle_not_disinfected", _("车辆须先消毒。"))
    if passage.direction == Direction.OUT and pass_ is not None:
        limit = outings_limit(pass_, rule)
        if limit is not None and outings_used >= limit:
            return deny(
                "outings_used_up",
                _("本户外出次数已用完(每 %(days)s 天 %(limit)s 次)。")
                % {"days": outings_period(pass_, rule), "limit": limit},
            )
    if proof is not None:
        return Decision(True, "ok", proof.sentence())
    return allow()


def pass_decision(pass_: Pass, *, gate: Gate, rule: GateRule, at: datetime) -> Decision | None:
    """Why this pass does not open this gate at `at`, or None."""
    if pass_.status != PassStatus.ACTIVE:
        return deny("pass_revoked", _("通行证已作废。"))
    if pass_.response_id != rule.response_id:
        return deny("pass_other_response", _("通行证不属于本次响应。"))
    if not pass_.area_path.startswith(gate.area_path):
        return deny("pass_other_area", _("通行证不属于本社区。"))
    if at < pass_.valid_from:
        return deny(
            "pass_not_yet_valid",
            _("通行证 %(at)s 起生效。") % {"at": _format(pass_.valid_from)},
        )
    if at >= pass_.valid_until:
        return deny(
            "pass_expired", _("通行证已于 %(at)s 过期。") % {"at": _format(pass_.valid_until)}
        )
    return None


def _format(at: datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def outings_limit(pass_: Pass, rule: GateRule) -> int | None:
    """A pass's own daily limit wins over the gate's."""
    if pass_.outings_per_day:
        return pass_.outings_per_day
    return rule.outings_limit


def outings_period(pass_: Pass, rule: GateRule) -> int:
    return 1 if pass_.outings_per_day else rule.outings_period_days
