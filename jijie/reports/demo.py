"""Demo step: the daily reports of the response, counted by the roll-up from what the
other steps left (the sweep, the cases, the gates, the shifts, the stores, the money,
the problems and the inspections), for every day since the response began and today
so far; and yesterday's sign-off under 源西街道: most communities on time, one late, one
not yet, and the street's own — so the street's page shows its completeness and
timeliness, and the command's the communities still missing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from jijie.areas.models import Area, AreaKind
from jijie.audit.actors import SYSTEM
from jijie.core.demo import DemoContext
from jijie.reports import indicators, rules, services
from jijie.reports.models import Report, Submission
from jijie.responses.models import Response, ResponseStatus

ORDER = 100
STREET = "源西街道"


def populate(ctx: DemoContext) -> None:
    response = (
        Response.objects.filter(status=ResponseStatus.ACTIVE, area__kind=AreaKind.DISTRICT)
        .select_related("area")
        .order_by("started_at")
        .first()
    )
    if response is None:
        ctx.out("  no response in force: skipped")
        return
    today = indicators.report_day(ctx.now)
    first = timezone.localdate(response.started_at)
    counted = 0
    for offset in range((today - first).days + 1):
        day = first + timedelta(days=offset)
        services.report_refresh(response=response, day=day, now=ctx.now)
        counted += 1
    ctx.out(f"  daily reports: {counted} days of {response.name}")
    yesterday = today - timedelta(days=1)
    report = Report.objects.filter(
        response=response, day=yesterday, closed_at__isnull=False
    ).first()
    street = Area.objects.filter(name=STREET, kind=AreaKind.STREET).first()
    if report is None or street is None:
        return
    if Submission.objects.filter(report=report).exists():
        ctx.out("  sign-off already there")
        return
    communities = list(
        Area.objects.filter(path__startswith=street.path, depth=street.depth + 1).order_by("path")
    )
    for n, community in enumerate(communities):
        if n == len(communities) - 1:
            continue  # not yet submitted
        due = rules.due_at(report, community)
        # the second one late, the others within the hour after the cut-off
        at = due + timedelta(minutes=50) if n == 1 else due - timedelta(minutes=70 - 7 * n)
        services.do_report_submit(actor=SYSTEM, report=report, area=community, now=at)
    services.do_report_submit(
        actor=SYSTEM,
        report=report,
        area=street,
        now=rules.due_at(report, street) - timedelta(minutes=20),
    )
    ctx.out(f"  sign-off of {yesterday}: {len(communities) - 1} of {len(communities)} communities")
