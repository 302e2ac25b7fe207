"""Writes of the daily report: the roll-up that counts a day's figures, the sign-off of a
unit's day (上报), and the correction of a closed day with a reason.

The roll-up is run by `manage.py reports_refresh` every few minutes for every response
in force: it counts the day's figures at every reporting unit with one grouped statement
a figure (`indicators.collect`) and sums them up the tree. Until the cut-off each run
replaces the day's figures; the first run at or after it fixes them. After that, what is
entered late changes only the live figures, and shows on the report as a difference
until a correction takes it in — with a reason, leaving a revision per figure changed.

Submission and correction come in two steps like every write (docs/architecture.md):
the checked entry takes a user and checks access once, then `do_*` writes in one
transaction with its audit row. The report's row is locked by every write of its day,
so a roll-up and a correction at once never lose either's work."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.actors import Actor, account_of
from jijie.audit.services import audit_record
from jijie.core import text
from jijie.reports import indicators, rules
from jijie.reports.indicators import UNIT_DEPTH
from jijie.reports.models import Correction, Figures, Report, Revision, Submission
from jijie.responses.models import Response, ResponseStatus

if TYPE_CHECKING:
    from jijie.accounts.models import User

ZERO = Decimal(0)


Values = dict[str, Decimal]


def _load(values: dict[str, str]) -> Values:
    return {key: Decimal(v) for key, v in values.items()}


def _dump(values: Values) -> dict[str, str]:
    # Zeros are left out: a unit with nothing to report stores {}.
    return {key: str(v) for key, v in sorted(values.items()) if v}


def units(response: Response) -> list[Area]:
    """The reporting units of a response: its area and every area under it down to the
    communities, parents before children."""
    return list(
        Area.objects.filter(
            path__startswith=response.area_path, depth__lte=max(UNIT_DEPTH, response.area.depth)
        ).order_by("path")
    )


def place(path: str, known: Iterable[str] | set[str]) -> str | None:
    """The nearest reporting unit at or above `path` (a row kept at a unit that is not
    reported on, e.g. above the response's area, counts nowhere)."""
    while path:
        if path in known:
            return path
        path = path[: -Area.steplen]
    return None


def own_counts(response: Response, day: date, paths: set[str]) -> dict[str, Values]:
    """Each unit's own figures, counted now from the rows."""
    counted = indicators.collect(response, day)
    own: dict[str, Values] = {p: {} for p in paths}
    for key, by_unit in counted.items():
        for unit, value in by_unit.items():
            at = place(unit, paths)
            if at is not None:
                own[at][key] = own[at].get(key, ZERO) + value
    return own


def roll_up(own: dict[str, Values]) -> dict[str, Values]:
    """Each unit's total: its own figures plus its children's totals (sums all the way
    up; rates are made from the sums where they are shown)."""
    total: dict[str, Values] = {p: dict(v) for p, v in own.items()}
    for path in sorted(own, key=len, reverse=True):
        parent = place(path[: -Area.steplen], own) if len(path) > Area.steplen else None
        if parent is None:
            continue
        into = total[parent]
        for key, value in total[path].items():
            into[key] = into.get(key, ZERO) + value
    return total


@dataclass
class Refreshed:
    report: Report
    closed_now: bool
    units: int


@transaction.atomic
def report_refresh(*, response: Response, day: date, now: datetime) -> Refreshed:
    """Count `day`'s figures for every unit of the response. Safe to run at any time and
    twice at once: the day's row is locked, and a closed day's reported figures never
    move (only the live ones)."""
    report, _created = Report.objects.get_or_create(
        response=response, day=day, defaults={"refreshed_at": now}
    )
    report = Report.objects.select_for_update().get(pk=report.pk)
    areas = units(response)
    paths = {a.path for a in areas}
    live = own_counts(response, day, paths)
    kept = {f.area_path: f for f in Figures.objects.filter(report=report)}
    was_closed = report.closed_at is not None
    own = {p: (_load(kept[p].own) if was_closed and p in kept else live[p]) for p in paths}
    totals, totals_live = roll_up(own), roll_up(live)
    new: list[Figures] = []
    changed: list[Figures] = []
    for area in areas:
        p = area.path
        row = kept.get(p) or Figures(report=report, area=area, area_path=p, depth=area.depth)
        row.own, row.own_live = _dump(own[p]), _dump(live[p])
        row.total, row.total_live = _dump(totals[p]), _dump(totals_live[p])
        (changed if row.pk else new).append(row)
    Figures.objects.bulk_create(new)
    Figures.objects.bulk_update(changed, ["own", "own_live", "total", "total_live"])
    closing = not was_closed and now >= indicators.window(day).until
    report.refreshed_at = now
    if closing:
        report.closed_at = now
    report.save(update_fields=["refreshed_at", "closed_at"])
    return Refreshed(report, closing, len(areas))


def refresh_due(*, now: datetime) -> list[Refreshed]:
    """What the scheduled roll-up does: for every response in force, today's report and
    any earlier day of the last week not yet closed (a roll-up that did not run at the
    cut-off closes it on its next run)."""
    done = []
    today = indicators.report_day(now)
    for response in Response.objects.filter(status=ResponseStatus.ACTIVE).select_related("area"):
        open_days = set(
            Report.objects.filter(
                response=response, closed_at__isnull=True, day__lt=today,
                day__gte=today - timedelta(days=7),
            ).values_list("day", flat=True)
        )  # fmt: skip
        for day in sorted(open_days | {today}):
            done.append(report_refresh(response=response, day=day, now=now))
    return done


def may_submit(user: User, area: Area) -> bool:
    """A unit's day is submitted by its own office: the user holds the right at that
    very unit (a street office submits the street, never one of its communities)."""
    return area.path in access.scope_paths(user, Action.REPORT_SUBMIT)


def report_submit(
    *, actor: User, report: Report, area: Area, now: datetime, note: str = ""
) -> Submission:
    if not may_submit(actor, area):
        raise PermissionDenied(_("只有本级单位可以上报本级日报。"))
    return do_report_submit(actor=actor, report=report, area=area, now=now, note=note)


@transaction.atomic
def do_report_submit(
    *, actor: Actor, report: Report, area: Area, now: datetime, note: str = ""
) -> Submission:
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.closed_at is None:
        raise ValidationError(
            _("当日统计截止后才能上报(截止时间 %(at)s)。")
            % {"at": timezone.localtime(indicators.window(report.day).until).strftime("%H:%M")}
        )
    if Submission.objects.filter(report=report, area=area).exists():
        raise ValidationError(_("%(area)s 当日已上报。") % {"area": area.name}, code="submitted")
    due = rules.due_at(report, area)
    submission = Submission.objects.create(
        report=report,
        area=area,
        area_path=area.path,
        submitted_by=account_of(actor),
        submitted_at=now,
        due_at=due,
        is_on_time=now <= due,
        note=text.bounded(note, field="note", label=_("说明"), limit=300),
    )
    audit_record(actor=actor, action="reports.submit", target=submission, area=area)
    return submission


def report_correct(
    *, actor: User, report: Report, area: Area, reason: str, now: datetime
) -> Correction:
    if not may_submit(actor, area):
        raise PermissionDenied(_("只有本级单位可以更正本级日报。"))
    return do_report_correct(actor=actor, report=report, area=area, reason=reason, now=now)


@transaction.atomic
def do_report_correct(
    *, actor: Actor, report: Report, area: Area, reason: str, now: datetime
) -> Correction:
    """Take a closed day's figures under `area` again from what is counted now (the
    late entries under it), with a reason. Every figure that changes — at the unit,
    below it and above it — leaves a revision."""
    reason = text.bounded(reason, field="reason", label=_("更正原因"), limit=300, required=True)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.closed_at is None:
        raise ValidationError(_("当日统计尚未截止,数字仍在自动更新,无需更正。"))
    rows = {f.area_path: f for f in Figures.objects.filter(report=report).select_related("area")}
    if area.path not in rows:
        raise ValidationError(_("这一天没有 %(area)s 的数字。") % {"area": area.name})
    own = {p: _load(f.own) for p, f in rows.items()}
    for p, f in rows.items():
        if p.startswith(area.path):
            own[p] = _load(f.own_live)
    totals = roll_up(own)
    correction = Correction.objects.create(
        report=report,
        area=area,
        area_path=area.path,
        made_by=account_of(actor),
        made_at=now,
        reason=reason,
    )
    revisions = []
    for p, f in rows.items():
        before = _load(f.total)
        after = totals[p]
        for key in sorted({*before, *after}):
            if before.get(key, ZERO) != after.get(key, ZERO):
                revisions.append(
                    Revision(
                        correction=correction,
                        area=f.area,
                        indicator=key,
                        before=before.get(key, ZERO),
                        after=after.get(key, ZERO),
                    )
                )
        f.own, f.total = _dump(own[p]), _dump(after)
    if not revisions:
        raise ValidationError(_("数字与统计一致,没有需要更正的。"), code="nothing")
    Revision.objects.bulk_create(revisions)
    Figures.objects.bulk_update(list(rows.values()), ["own", "total"])
    audit_record(actor=actor, action="reports.correct", target=correction, area=area)
    return correction
