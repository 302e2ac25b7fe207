"""`/api/reports/...`: the daily report's kept figures as other systems read them (a
city's big screen, a province's collation): the indicators' definitions, a unit's day
with the units below it and their sign-off, and the evening bulletin. Read only:
submitting and correcting a day are done on the report page, where the figures are
seen. Figures are strings of decimals, like money elsewhere in the API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.reports import bulletin, indicators, selectors
from jijie.reports.models import Report

router = Router(tags=["reports"])


class IndicatorOut(Schema):
    key: str
    name: str
    unit: str
    source: str
    formula: str
    kind: str  # flow (in the day) or stock (at the cut-off)


class RateOut(Schema):
    key: str
    name: str
    numerator: str
    denominator: str


class UnitOut(Schema):
    area_code: str
    area: str
    figures: dict[str, str]
    submitted_at: datetime | None
    is_on_time: bool | None


class DayOut(Schema):
    area_code: str
    area: str
    response: int
    day: date
    closed_at: datetime | None
    refreshed_at: datetime
    figures: dict[str, str]
    rates: dict[str, str | None]
    submitted_at: datetime | None
    units: list[UnitOut]
    submitted: int | None
    expected: int | None
    on_time: int | None


class BulletinOut(Schema):
    area_code: str
    day: date
    text: str


def _unit(
    request: HttpRequest, code: str, response: int | None, day: date | None
) -> tuple[Area, selectors.Day, Report]:
    area = selectors.reporting_unit(request.user, code)
    found = selectors.response_at(area, str(response) if response else None)
    now = timezone.now()
    unit = selectors.unit_day(request.user, area, found, day or indicators.report_day(now), now=now)
    if unit.report is None:
        raise Http404(_("这一天还没有统计。"))
    return area, unit, unit.report


def _strings(figures: dict[str, Decimal]) -> dict[str, str]:
    return {key: str(value) for key, value in figures.items()}


@router.get("/indicators", response=list[IndicatorOut], summary="What each figure counts")
def indicator_list(request: HttpRequest) -> list[IndicatorOut]:
    if not access.scope_paths(request.user, Action.REPORT_VIEW):
        raise PermissionDenied(_("您的角色不能查看日报。"))
    return [
        IndicatorOut(
            key=i.key,
            name=str(i.name),
            unit=str(i.unit),
            source=i.source,
            formula=str(i.formula),
            kind=i.kind,
        )
        for i in indicators.INDICATORS
    ]


@router.get("/rates", response=list[RateOut], summary="The rates and the sums they divide")
def rate_list(request: HttpRequest) -> list[RateOut]:
    if not access.scope_paths(request.user, Action.REPORT_VIEW):
        raise PermissionDenied(_("您的角色不能查看日报。"))
    return [
        RateOut(key=r.key, name=str(r.name), numerator=r.numerator, denominator=r.denominator)
        for r in indicators.RATES
    ]


@router.get("/day", response=DayOut, summary="A unit's day and the units below it")
def day_detail(
    request: HttpRequest, area: str, day: date | None = None, response: int | None = None
) -> DayOut:
    """The kept figures of the unit with code `area` on `day` (by default the day now
    being counted), with its rates, the units one level below and their sign-off."""
    found, unit, report = _unit(request, area, response, day)
    signoff = unit.signoff
    return DayOut(
        area_code=found.code,
        area=found.name,
        response=unit.response.pk,
        day=unit.day,
        closed_at=report.closed_at,
        refreshed_at=report.refreshed_at,
        figures=_strings(unit.figures),
        rates={
            r.key: None if (v := indicators.value(unit.figures, r.key)) is None else str(v)
            for r in indicators.RATES
        },
        submitted_at=unit.submission.submitted_at if unit.submission else None,
        units=[
            UnitOut(
                area_code=row.area.code,
                area=row.area.name,
                figures=_strings(row.figures),
                submitted_at=row.submission.submitted_at if row.submission else None,
                is_on_time=row.submission.is_on_time if row.submission else None,
            )
            for row in unit.children
        ],
        submitted=signoff.submitted if signoff else None,
        expected=signoff.expected if signoff else None,
        on_time=signoff.on_time if signoff else None,
    )


@router.get("/bulletin", response=BulletinOut, summary="The evening bulletin of a unit's day")
def bulletin_text(
    request: HttpRequest, area: str, day: date | None = None, response: int | None = None
) -> BulletinOut:
    found, unit, _report = _unit(request, area, response, day)
    return BulletinOut(
        area_code=found.code, day=unit.day, text=bulletin.paragraph(found, unit.day, unit.figures)
    )
