"""Demo step: two gates of 新港路社区 (where the demo guard works) with the 2020 rules,
passes for the households of its first building, and a morning of passages."""

from __future__ import annotations

import uuid
from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone

from jijie.areas.models import Area
from jijie.core.demo import DemoContext
from jijie.gates import services
from jijie.gates.models import Gate, GateRule, Pass, Scan
from jijie.responses.models import Response

ORDER = 60
COMMUNITY = "新港路社区"


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
        gate = Gate.objects.filter(area=community, name=name).first() or services.gate_create(
            actor=None, area=community, name=name, kind=kind, opens_at=hours[0], closes_at=hours[1]
        )
        services.gate_rule_set(
            actor=None,
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
    now = timezone.now()
    if not Pass.objects.filter(response=response, household__building=building).exists():
        services.passes_issue_building(
            actor=None,
            building=building,
            response=response,
            valid_from=now - timedelta(days=1),
            valid_until=now + timedelta(days=14),
        )
    gate = Gate.objects.get(area=community, name="东门")
    passes = list(
        Pass.objects.filter(response=response, household__building=building, status="active")[:20]
    )
    rule = GateRule.objects.get(gate=gate, response=response)
    for pass_ in passes:
        client_id = uuid.uuid5(uuid.NAMESPACE_URL, f"jijie-demo-scan-{pass_.pk}")
        if Scan.objects.filter(client_id=client_id).exists():
            continue  # a second `make demo`
        services.scan_record(
            actor=None,
            gate=gate,
            response=response,
            rule=rule,
            data=services.ScanData(
                client_id=client_id,
                device_at=now - timedelta(minutes=rng.randint(5, 240)),
                direction=rng.choice(["in", "out"]),
                token=services.pass_token(pass_),
                temperature=Decimal(rng.choice(["36.2", "36.5", "36.8", "37.5"])),
                certificate_checked=True,
            ),
        )
    ctx.out(f"  gates: 2 at {COMMUNITY}, {len(passes)} passes at {building.name}")
