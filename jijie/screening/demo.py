"""Demo step: a sweep of 新港路社区 under the 2020 response, started today, with the
first grid's doors half knocked on by its grid worker (some not answering, so that the
revisit queue has entries) and a few phone calls in the second grid."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from jijie.accounts.models import User
from jijie.areas.models import Area
from jijie.core.demo import DemoContext
from jijie.residents.models import Household
from jijie.responses.demo import NAME as RESPONSE_NAME
from jijie.responses.models import Response
from jijie.screening.models import Campaign, Outcome
from jijie.screening.services import VisitData, campaign_create, visit_record

ORDER = 70
COMMUNITY = "441602004001"  # 新港路社区
NAME = "新港路社区第一轮扫楼"


def populate(ctx: DemoContext) -> None:
    if Campaign.objects.filter(name=NAME).exists():
        ctx.out("  campaign already there")
        return
    response = Response.objects.get(name=RESPONSE_NAME)
    community = Area.objects.get(code=COMMUNITY)
    today = timezone.localdate()
    campaign = campaign_create(
        actor=None,
        response=response,
        name=NAME,
        areas=[community],
        starts_on=max(today, timezone.localdate(response.started_at)),
        ends_on=today + timedelta(days=6),
    )
    rng = ctx.rng_for("screening")
    worker = User.objects.filter(username="grid_xingang01").first()
    grids = list(Area.objects.filter(path__startswith=community.path, kind="grid").order_by("path"))
    start = timezone.now() - timedelta(hours=3)
    count = 0
    for index, grid in enumerate(grids[:2]):
        households = list(
            Household.objects.filter(area_path__startswith=grid.path).order_by(
                "area_path", "door_number"
            )
        )
        share = 0.5 if index == 0 else 0.1
        for household in households[: int(len(households) * share)]:
            roll = rng.random()
            outcome = Outcome.DONE
            if roll < 0.15:
                outcome = Outcome.NO_ANSWER
            elif roll < 0.18:
                outcome = Outcome.REFUSED
            elif roll < 0.2:
                outcome = Outcome.VACANT
            done = outcome == Outcome.DONE
            visit_record(
                actor=worker if index == 0 else None,
                campaign=campaign,
                household=household,
                data=VisitData(
                    mode="door" if index == 0 else "phone",
                    outcome=outcome,
                    answers={
                        "all_present": True,
                        "people_home": rng.randint(1, 4),
                        "risk_area_14d": rng.random() < 0.02,
                        "fever_cough": rng.random() < 0.01,
                        "needs_help": rng.random() < 0.05,
                    }
                    if done
                    else {},
                ),
                at=start + timedelta(seconds=20 * count),
            )
            count += 1
    ctx.out(f"  campaign: {NAME}, {count} visits")
