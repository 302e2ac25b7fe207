"""Demo step: a sweep of 新港路社区 under the response, from yesterday for a week, with
the first grid's doors half knocked on by its grid worker yesterday morning (some not
answering, so that the revisit queue has entries) and a few phone calls in the second
grid in the afternoon; the grid worker carries it on today."""

from __future__ import annotations

from datetime import timedelta

from jijie.accounts.models import User
from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.core.demo import DemoContext
from jijie.residents.models import Household
from jijie.responses.demo import NAME as RESPONSE_NAME
from jijie.responses.models import Response
from jijie.screening.models import Campaign, Outcome
from jijie.screening.services import VisitData, do_campaign_create, do_visit_record

ORDER = 70
COMMUNITY = "441602004001"  # 新港路社区
NAME = "新港路社区第一轮扫楼"


def populate(ctx: DemoContext) -> None:
    if Campaign.objects.filter(name=NAME).exists():
        ctx.out("  campaign already there")
        return
    response = Response.objects.get(name=RESPONSE_NAME)
    community = Area.objects.get(code=COMMUNITY)
    campaign = do_campaign_create(
        actor=SYSTEM,
        response=response,
        name=NAME,
        areas=[community],
        starts_on=ctx.day(-1),
        ends_on=ctx.day(5),
    )
    Campaign.objects.filter(pk=campaign.pk).update(created_at=ctx.at(-1, 8))  # set up then
    rng = ctx.rng_for("screening")
    worker = User.objects.filter(username="grid_xingang01").first()
    grids = list(Area.objects.filter(path__startswith=community.path, kind="grid").order_by("path"))
    # door to door from 08:30 a minute a door, phone calls from 14:00 three minutes each
    starts = [(ctx.at(-1, 8, 30), timedelta(minutes=1)), (ctx.at(-1, 14), timedelta(minutes=3))]
    count = 0
    for index, grid in enumerate(grids[:2]):
        start, step = starts[index]
        households = list(
            Household.objects.filter(area_path__startswith=grid.path).order_by(
                "area_path", "door_number"
            )
        )
        share = 0.5 if index == 0 else 0.1
        for n, household in enumerate(households[: int(len(households) * share)]):
            roll = rng.random()
            outcome = Outcome.DONE
            if roll < 0.15:
                outcome = Outcome.NO_ANSWER
            elif roll < 0.18:
                outcome = Outcome.REFUSED
            elif roll < 0.2:
                outcome = Outcome.VACANT
            done = outcome == Outcome.DONE
            do_visit_record(
                actor=worker if index == 0 and worker is not None else SYSTEM,
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
                at=start + n * step,
            )
            count += 1
    ctx.out(f"  campaign: {NAME}, {count} visits")
