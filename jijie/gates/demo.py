"""Demo step: two gates of 新港路社区 (where the demo guard works) with the response's
rules, passes for the households of its first building (issued the day before
yesterday, for two weeks), and a morning of passages at 东门: today's if the demo is
loaded after the gate opened, yesterday's before."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.core.demo import DemoContext
from jijie.gates import services
from jijie.gates.models import Gate, GateRule, Pass, Scan
from jijie.responses.models import Response

ORDER = 60
COMMUNITY = "新港路社区"
OPENS, MORNING_ENDS = 6, 10  # 东门 opens at 06:00; the morning's passages end by 10:00
PASS_DAYS = 14


def _morning(ctx: DemoContext) -> tuple[datetime, datetime]:
    """The latest morning at the gate that has begun by `now`, up to `now`."""
    opened = ctx.at(0, OPENS)
    if ctx.now < opened + timedelta(minutes=30):
        return ctx.at(-1, OPENS), ctx.at(-1, MORNING_ENDS)
    return opened, min(ctx.now, ctx.at(0, MORNING_ENDS))


def populate(ctx: DemoContext) -> None:
    community = Area.objects.filter(name=COMMUNITY, kind="community").first()
    response = Response.objects.filter(status="active").order_by("started_at").first()
    if community is None or response is None:
        return
    rng = ctx.rng_for("gates")
    for name, kind, hours in (
        ("东门", "compound", (time(6), time(22))),
        ("村口卡点", "road", (None, None)),
    ):
        gate = Gate.objects.filter(area=community, name=name).first() or services.do_gate_create(
            actor=SYSTEM,
            area=community,
            name=name,
            kind=kind,
            opens_at=hours[0],
            closes_at=hours[1],
        )
        services.do_gate_rule_set(
            actor=SYSTEM,
            gate=gate,
            response=response,
            data=services.RuleData(
                certificate_hours=48,
                visitors_allowed=kind == "compound",
                outings_limit=1,
                outings_period_days=2,
                curfew_at=time(20),
            ),
        )
    building = (
        Area.objects.filter(path__startswith=community.path, kind="building")
        .order_by("path")
        .first()
    )
    if building is None:
        return
    if not Pass.objects.filter(response=response, household__building=building).exists():
        issued = ctx.at(-2, 9)
        services.do_passes_issue_building(
            actor=SYSTEM,
            building=building,
            response=response,
            valid_from=issued,
            valid_until=issued + timedelta(days=PASS_DAYS),
        )
        # Issued when they took effect, not when the demo was loaded.
        Pass.objects.filter(response=response, household__building=building).update(
            issued_at=issued
        )
    gate = Gate.objects.get(area=community, name="东门")
    passes = list(
        Pass.objects.filter(response=response, household__building=building, status="active")[:20]
    )
    rule = GateRule.objects.get(gate=gate, response=response)
    starts, ends = _morning(ctx)
    seconds = int((ends - starts).total_seconds())
    for pass_ in passes:
        client_id = uuid.uuid5(uuid.NAMESPACE_URL, f"jijie-demo-scan-{pass_.pk}")
        if Scan.objects.filter(client_id=client_id).exists():
            continue  # a second `make demo`
        services.do_scan_record(
            actor=SYSTEM,
            gate=gate,
            response=response,
            rule=rule,
            data=services.ScanData(
                client_id=client_id,
                device_at=starts + timedelta(seconds=rng.randrange(seconds)),
                direction=rng.choice(["in", "out"]),
                token=services.pass_token(pass_),
                temperature=Decimal(rng.choice(["36.2", "36.5", "36.8", "37.5"])),
                certificate_checked=True,
            ),
        )
    ctx.out(f"  gates: 2 at {COMMUNITY}, {len(passes)} passes at {building.name}")
