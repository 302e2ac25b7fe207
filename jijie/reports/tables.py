"""The daily report as a table, in the layout streets and communities fill in by hand
(疫情防控工作日报表): the columns grouped by line of work, one row per community under
the area (and a row for what a street or the district keeps at its own level), and a
totals row that is the sum of the rows — a rate in it made from the summed figures, as
in every row. The workbook and the printed report are both drawn from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jijie.areas.models import Area
from jijie.reports import indicators
from jijie.reports.indicators import RATE_BY_KEY, UNIT_DEPTH
from jijie.reports.models import Figures, Report

ZERO = Decimal(0)

LAYOUT: tuple[tuple[object, tuple[str, ...]], ...] = (
    (
        gettext_lazy("入户排查"),
        (
            "households_in_scope",
            "households_screened",
            "households_screened_today",
            "coverage",
            "door_visits_today",
            "phone_visits_today",
            "people_screened_today",
            "temperatures_today",
            "fevers_today",
            "revisits_pending",
        ),
    ),
    (
        gettext_lazy("居家隔离"),
        (
            "cases_open",
            "cases_started_today",
            "cases_ended_today",
            "followups_today",
            "followups_missed_today",
            "fever_alerts_today",
        ),
    ),
    (gettext_lazy("代办服务"), ("errands_open", "errands_overdue", "errands_done_today")),
    (gettext_lazy("卡口管控"), ("passages_today", "refusals_today")),
    (
        gettext_lazy("下沉值守"),
        (
            "members_deployed",
            "on_shift_today",
            "hours_served_today",
            "posts_filled_today",
            "posts_open_today",
        ),
    ),
    (
        gettext_lazy("物资保障"),
        (*(i.key for i in indicators.STOCKED), "stock_below"),
    ),
    (gettext_lazy("捐款资金"), ("donations_today", "donations_total", "spending_today")),
    (
        gettext_lazy("接诉即办"),
        (
            "problems_open",
            "problems_overdue",
            "problems_resolved_today",
            "response_rate",
            "resolution_rate",
            "satisfaction_rate",
        ),
    ),
    (gettext_lazy("督查整改"), ("orders_open",)),
)
COLUMNS: tuple[str, ...] = tuple(key for _group, keys in LAYOUT for key in keys)


@dataclass(frozen=True)
class Column:
    key: str
    name: str
    unit: str
    is_rate: bool


@dataclass
class Line:
    label: str
    figures: dict[str, Decimal]

    def value(self, key: str) -> Decimal | None:
        return indicators.value(self.figures, key)

    @property
    def values(self) -> list[Decimal | None]:
        return [self.value(key) for key in COLUMNS]


@dataclass
class Table:
    area: Area
    day: date
    title: str
    groups: list[tuple[str, list[Column]]]
    lines: list[Line]
    total: Line

    @property
    def columns(self) -> list[Column]:
        return [c for _group, columns in self.groups for c in columns]


def columns() -> list[tuple[str, list[Column]]]:
    made = []
    for group, keys in LAYOUT:
        cols = []
        for key in keys:
            cols.append(
                Column(key, indicators.name_of(key), indicators.unit_of(key), key in RATE_BY_KEY)
            )
        made.append((str(group), cols))
    return made


def _values(raw: dict[str, str]) -> dict[str, Decimal]:
    return {key: Decimal(v) for key, v in raw.items()}


def day_table(report: Report, area: Area) -> Table | None:
    """`area`'s day as the table offices submit: its communities one by one (and the
    units above them for what they keep themselves), then the totals. None when the
    day has no figures for it."""
    rows = list(
        Figures.objects.filter(report=report, area_path__startswith=area.path).select_related(
            "area"
        )
    )
    if not rows:
        return None
    # A unit's own row (what a street keeps at its own level) after its communities.
    rows.sort(key=lambda f: f.area_path + ("~" if f.depth < UNIT_DEPTH else ""))
    lines = []
    for f in rows:
        if f.depth == UNIT_DEPTH:
            lines.append(Line(f.area.name, _values(f.total)))
        elif f.own:
            lines.append(Line(_("%(name)s(本级)") % {"name": f.area.name}, _values(f.own)))
    total: dict[str, Decimal] = {}
    for line in lines:
        for key, value in line.figures.items():
            total[key] = total.get(key, ZERO) + value
    title = _("%(area)s%(response)s工作日报表(%(month)s月%(day)s日)") % {
        "area": area.name,
        "response": report.response.name,
        "month": report.day.month,
        "day": report.day.day,
    }
    return Table(area, report.day, title, columns(), lines, Line(_("合计"), total))


def note(area: Area, report: Report) -> str:
    """The line under the title: who fills it in, the cut-off, when it was counted."""
    until = indicators.window(report.day).until
    return _("填报单位:%(area)s 统计截止:%(until)s 统计时间:%(at)s") % {
        "area": area.name,
        "until": timezone.localtime(until).strftime("%Y-%m-%d %H:%M"),
        "at": timezone.localtime(report.refreshed_at).strftime("%Y-%m-%d %H:%M"),
    }
