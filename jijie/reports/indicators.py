"""The indicators of the daily report, each defined once: its name, unit, source, what it
counts, and how it rolls up.

Every indicator is counted at the reporting unit a row belongs to — the community (or
village) of its area, or the street, district or city itself for a row kept there — by
one grouped statement per source (`collect`), then summed up the tree (`rollup`). Two
kinds roll up over time differently:

- a **flow** counts what happened in the day's window (the 24 hours to the day's
  cut-off): summed over days for a period;
- a **stock** is a level at the cut-off (open cases, households screened so far): a
  period shows its last day.

A **rate** is never stored: it is the ratio of two stored sums (coverage = households
screened ÷ households in scope), so it rolls up right at every level.

Adding an indicator is one `Indicator(...)` line here and its count in the source's
collector; every page, bulletin and workbook reads this list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import CharField, Count, Min, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.functional import Promise, lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from jijie.areas.models import KIND_DEPTH, Area, AreaKind
from jijie.care import rules as care_rules
from jijie.care.models import Alert, AlertKind, Errand, FollowUp, IsolationCase
from jijie.duty.models import HOLDING, Participation, ParticipationStatus, Shift
from jijie.funds.models import Donation, Posting, PostingKind
from jijie.gates.models import Scan
from jijie.inspections.models import Order
from jijie.mobilization.models import Deployment
from jijie.problems.models import Problem
from jijie.responses.models import Response
from jijie.screening.models import BuildingCoverage, Outcome, Temperature, Visit
from jijie.screening.models import Mode as VisitMode
from jijie.supplies import selectors as supplies
from jijie.supplies.models import Item, Movement, Threshold

# A reporting unit's path: the community's for anything at or below a community, the
# area's own above it (4 characters a level, the community at depth 4).
UNIT_DEPTH = KIND_DEPTH[AreaKind.COMMUNITY]
UNIT_LEN = UNIT_DEPTH * Area.steplen

FLOW = "flow"
STOCK = "stock"


@dataclass(frozen=True)
class Indicator:
    key: str
    name: Promise | str  # lazy, translated when shown
    unit: Promise | str
    source: str  # the app the figure comes from
    formula: Promise | str  # what is counted, in the words of the page
    kind: str = FLOW
    money: bool = False
    item: str = ""  # a key supply's name in the catalogue: its stock on hand


@dataclass(frozen=True)
class Rate:
    key: str
    name: Promise
    numerator: str
    denominator: str


HOUSEHOLDS = _("户")
PEOPLE = _("人")
TIMES = _("次")
PERSON_TIMES = _("人次")
CASES = _("件")
HOURS = _("小时")
MINUTES = _("分钟")
YUAN = _("元")
PLACES = _("处")
SHIFTS = _("班")


# The key supplies' units as a `units_read_once` block has read them (None outside one).
_UNITS: ContextVar[dict[str, str] | None] = ContextVar("report_stock_units", default=None)


def _read_units(names: Iterable[str]) -> dict[str, str]:
    """{catalogue name: unit} of these items, the first registered of a name winning."""
    rows = Item.objects.filter(name__in=list(names)).order_by("-pk").values_list("name", "unit")
    return {name: unit or "" for name, unit in rows}


def _item_unit(name: str) -> str:
    """A key supply's unit in the catalogue ("" for one not in it): read when shown,
    as the catalogue has it then; within `units_read_once`, every key supply's at its
    first use, in one query."""
    units = _UNITS.get()
    if units is None:
        return _read_units([name]).get(name, "")
    if name not in units:
        names = [*settings.REPORT_STOCK_ITEMS.values(), name]
        units.update(dict.fromkeys(names, ""))
        units.update(_read_units(names))
    return units[name]


@contextmanager
def units_read_once() -> Iterator[None]:
    """Within this block (a page drawing the report), the key supplies' units are read
    once, all together, however many times they are shown: each is a lazy text, and a
    page shows each in the bulletin, the table of indicators and the headline."""
    token = _UNITS.set({})
    try:
        yield
    finally:
        _UNITS.reset(token)


# The key supplies (重点物资) whose stock on hand the day reports: one stock indicator
# each, `stock_<key>`, for settings.REPORT_STOCK_ITEMS (key → the catalogue's name), in
# the catalogue's own unit.
STOCKED: tuple[Indicator, ...] = tuple(
    Indicator(
        f"stock_{key}",
        format_lazy(_("{item}库存"), item=name),
        lazy(_item_unit, str)(name),
        "supplies",
        format_lazy(_("截止时各仓库{item}的库存之和(含过期批次)"), item=name),
        STOCK,
        item=name,
    )
    for key, name in settings.REPORT_STOCK_ITEMS.items()
)

INDICATORS: tuple[Indicator, ...] = (
    # Screening (扫楼): the campaigns of the response.
    Indicator("households_in_scope", _("应排查户数"), HOUSEHOLDS, "screening",
              _("排查范围内楼栋的户数"), STOCK),
    Indicator("households_screened", _("累计排查户数"), HOUSEHOLDS, "screening",
              _("截止时至少入户或电话排查过一次的住户"), STOCK),
    Indicator("households_screened_today", _("新增排查户数"), HOUSEHOLDS, "screening",
              _("当日首次排查的住户")),
    Indicator("people_screened_today", _("排查人次"), PERSON_TIMES, "screening",
              _("当日已排查记录的在家人数之和")),
    Indicator("door_visits_today", _("入户排查"), TIMES, "screening", _("当日入户排查次数")),
    Indicator("phone_visits_today", _("电话排查、回访"), TIMES, "screening",
              _("当日电话排查次数")),
    Indicator("revisits_pending", _("待回访户数"), HOUSEHOLDS, "screening",
              _("截止时排查过但尚未完成的住户"), STOCK),
    Indicator("temperatures_today", _("测量体温"), PERSON_TIMES, "screening",
              _("当日入户测量体温人次")),
    Indicator("fevers_today", _("体温异常"), PERSON_TIMES, "screening",
              _("当日入户测温达到发热标准的人次")),
    # Care (居家隔离、代办).
    Indicator("cases_open", _("居家隔离观察"), PEOPLE, "care",
              _("截止时已开始、尚未解除的在册对象"), STOCK),
    Indicator("cases_started_today", _("新增隔离"), PEOPLE, "care", _("当日登记的隔离对象")),
    Indicator("cases_ended_today", _("解除隔离"), PEOPLE, "care", _("当日登记解除的隔离对象")),
    Indicator("followups_today", _("随访"), TIMES, "care", _("当日随访记录")),
    Indicator("followups_missed_today", _("漏访"), TIMES, "care", _("当日产生的漏访提醒")),
    Indicator("fever_alerts_today", _("发热提醒"), TIMES, "care", _("当日随访发现的发热")),
    Indicator("errands_open", _("待办代办"), CASES, "care",
              _("截止时未办结、未取消的代办"), STOCK),
    Indicator("errands_overdue", _("超时代办"), CASES, "care",
              _("截止时未办结且已过期望时间的代办"), STOCK),
    Indicator("errands_done_today", _("办结代办"), CASES, "care", _("当日办结的代办")),
    # Gates (卡口).
    Indicator("passages_today", _("卡口放行"), PERSON_TIMES, "gates", _("当日扫码放行人次")),
    Indicator("refusals_today", _("卡口劝返"), PERSON_TIMES, "gates", _("当日禁止通行人次")),
    # Members and duty (下沉、值守).
    Indicator("members_deployed", _("下沉党员干部"), PEOPLE, "mobilization",
              _("当日在岗的下沉安排"), STOCK),
    Indicator("on_shift_today", _("在岗人次"), PERSON_TIMES, "duty", _("当日签到人次")),
    Indicator("minutes_served_today", _("服务分钟数"), MINUTES, "duty",
              _("当日签退班次的服务时长")),
    Indicator("posts_filled_today", _("已满员班次"), SHIFTS, "duty",
              _("当日开始、报到人数达到最少人数的班次")),
    Indicator("posts_open_today", _("缺员班次"), SHIFTS, "duty",
              _("当日开始、报到人数不足最少人数的班次")),
    # Supplies and funds.
    *STOCKED,
    Indicator("stock_below", _("物资低于下限"), PLACES, "supplies",
              _("库存低于下限的仓库和物资"), STOCK),
    Indicator("donations_today", _("接收捐款"), YUAN, "funds", _("当日登记的有效捐款金额"),
              money=True),
    Indicator("donations_total", _("累计接收捐款"), YUAN, "funds",
              _("截止时登记且有效的捐款金额之和"), STOCK, money=True),
    Indicator("spending_today", _("支出"), YUAN, "funds", _("当日登记的支出减退回"),
              money=True),
    # Problems (接诉即办): the counts the three rates are made of.
    Indicator("problems_open", _("未办结问题"), CASES, "problems",
              _("截止时尚未答复的问题"), STOCK),
    Indicator("problems_overdue", _("超期问题"), CASES, "problems",
              _("截止时尚未答复且已过办理时限的问题"), STOCK),
    Indicator("problems_resolved_today", _("解决问题"), CASES, "problems",
              _("当日经提出人确认解决的问题")),
    Indicator("problems_raised", _("累计问题"), CASES, "problems",
              _("截止时已提出的问题"), STOCK),
    Indicator("problems_responded", _("按时响应问题"), CASES, "problems",
              _("首次时限内认领或答复的问题"), STOCK),
    Indicator("problems_resolved", _("累计解决问题"), CASES, "problems",
              _("截止时已确认解决的问题"), STOCK),
    Indicator("problems_rated", _("已评价问题"), CASES, "problems",
              _("截止时已评价的问题"), STOCK),
    Indicator("problems_satisfied", _("满意问题"), CASES, "problems",
              _("评价为4或5分的问题"), STOCK),
    # Inspections (督查).
    Indicator("orders_open", _("待整改问题"), CASES, "inspections",
              _("截止时未销号的整改通知"), STOCK),
)  # fmt: skip

RATES: tuple[Rate, ...] = (
    Rate("coverage", _("排查覆盖率"), "households_screened", "households_in_scope"),
    Rate("response_rate", _("响应率"), "problems_responded", "problems_raised"),
    Rate("resolution_rate", _("解决率"), "problems_resolved", "problems_raised"),
    Rate("satisfaction_rate", _("满意率"), "problems_satisfied", "problems_rated"),
)


@dataclass(frozen=True)
class Scaled:
    """A figure shown in another unit than it is kept in: hours served are kept as whole
    minutes, so that the units' figures add up exactly, and shown to one place."""

    key: str
    name: Promise
    unit: Promise
    source: str  # the kept indicator
    divisor: int


SCALED: tuple[Scaled, ...] = (
    Scaled("hours_served_today", _("服务时长"), HOURS, "minutes_served_today", 60),
)

BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS}
RATE_BY_KEY: dict[str, Rate] = {r.key: r for r in RATES}
SCALED_BY_KEY: dict[str, Scaled] = {s.key: s for s in SCALED}


def value(figures: dict[str, Decimal], key: str) -> Decimal | None:
    """A figure of kept `figures`: an indicator's, a rate made from two (None when there
    is nothing to divide by), or a scaled one (hours from minutes)."""
    if key in RATE_BY_KEY:
        r = RATE_BY_KEY[key]
        return rate(figures.get(r.numerator), figures.get(r.denominator))
    if key in SCALED_BY_KEY:
        scaled = SCALED_BY_KEY[key]
        kept = figures.get(scaled.source, Decimal(0))
        return (kept / scaled.divisor).quantize(Decimal("0.1"))
    return figures.get(key, Decimal(0))


def name_of(key: str) -> str:
    found = RATE_BY_KEY.get(key) or SCALED_BY_KEY.get(key) or BY_KEY[key]
    return str(found.name)


def unit_of(key: str) -> str:
    if key in RATE_BY_KEY:
        return "%"
    return str((SCALED_BY_KEY.get(key) or BY_KEY[key]).unit)


@dataclass(frozen=True)
class Window:
    """Day `day`'s window: the 24 hours to its cut-off (REPORT_CUTOFF, 18:00 local)."""

    day: date
    since: datetime
    until: datetime


def cutoff_time() -> time:
    hours, minutes = str(getattr(settings, "REPORT_CUTOFF", "18:00")).split(":")
    return time(int(hours), int(minutes))


def window(day: date) -> Window:
    until = timezone.make_aware(datetime.combine(day, cutoff_time()))
    return Window(day, until - timedelta(days=1), until)


def report_day(now: datetime) -> date:
    """The day whose window `now` falls in: after the cut-off, tomorrow's."""
    local = timezone.localtime(now)
    if local.time() >= cutoff_time():
        return local.date() + timedelta(days=1)
    return local.date()


def unit_path(path: str) -> str:
    return path[:UNIT_LEN]


# What one collector gives: indicator key → unit path → value.
Counts = dict[str, dict[str, Decimal]]


def _unit(field: str) -> Substr:
    return Substr(field, 1, UNIT_LEN, output_field=CharField())


def _grouped(qs: QuerySet[Any], field: str, into: dict[str, Decimal], *, total: Any = None) -> None:
    rows = (
        qs.annotate(unit=_unit(field))
        .values("unit")
        .annotate(n=total if total is not None else Count("pk"))
        .values_list("unit", "n")
    )
    for unit, n in rows:
        if n:
            into[unit] += Decimal(n)


def _screening(response: Response, w: Window, prefix: str, out: Counts) -> None:
    campaign = {"campaign__response": response, "area_path__startswith": prefix}
    # Counted from the visits themselves, whatever order they were recorded in (a visit
    # made with no signal arrives late with its own time).
    visits = Visit.objects.filter(**campaign)
    _grouped(
        visits.filter(visited_at__lt=w.until),
        "area_path",
        out["households_screened"],
        total=Count("household_id", distinct=True),
    )
    # A household stays to revisit from its first failed visit until a done one: those
    # screened less those completed.
    completed: dict[str, Decimal] = defaultdict(Decimal)
    _grouped(
        visits.filter(visited_at__lt=w.until, outcome=Outcome.DONE),
        "area_path",
        completed,
        total=Count("household_id", distinct=True),
    )
    for unit, screened in out["households_screened"].items():
        if screened - completed[unit]:
            out["revisits_pending"][unit] = screened - completed[unit]
    firsts = (
        visits.values("household_id", "area_path")
        .annotate(first=Min("visited_at"))
        .filter(first__gte=w.since, first__lt=w.until)
        .values_list("area_path", flat=True)
    )
    for path in firsts:
        out["households_screened_today"][unit_path(path)] += 1
    # A building in two campaigns of the response is in scope once.
    scope: dict[int, tuple[str, int]] = {}
    for building, path, households in BuildingCoverage.objects.filter(**campaign).values_list(
        "building_id", "area_path", "households"
    ):
        if households > scope.get(building, ("", 0))[1]:
            scope[building] = (path, households)
    for path, households in scope.values():
        out["households_in_scope"][unit_path(path)] += households
    visits = visits.filter(visited_at__gte=w.since, visited_at__lt=w.until)
    _grouped(
        visits.filter(outcome=Outcome.DONE),
        "area_path",
        out["people_screened_today"],
        total=Sum("people_present"),
    )
    _grouped(visits.filter(mode=VisitMode.DOOR), "area_path", out["door_visits_today"])
    _grouped(visits.filter(mode=VisitMode.PHONE), "area_path", out["phone_visits_today"])
    taken = Temperature.objects.filter(
        visit__campaign__response=response,
        visit__area_path__startswith=prefix,
        visit__visited_at__gte=w.since,
        visit__visited_at__lt=w.until,
    )
    _grouped(taken, "visit__area_path", out["temperatures_today"])
    _grouped(
        taken.filter(celsius__gte=care_rules.fever_threshold()),
        "visit__area_path",
        out["fevers_today"],
    )


def _care(response: Response, w: Window, prefix: str, out: Counts) -> None:
    cases = IsolationCase.objects.filter(response=response, area_path__startswith=prefix)
    _grouped(
        cases.filter(starts_on__lte=w.day, created_at__lt=w.until).filter(
            Q(ended_at__isnull=True) | Q(ended_at__gte=w.until)
        ),
        "area_path",
        out["cases_open"],
    )
    _grouped(
        cases.filter(created_at__gte=w.since, created_at__lt=w.until),
        "area_path",
        out["cases_started_today"],
    )
    _grouped(
        cases.filter(ended_at__gte=w.since, ended_at__lt=w.until),
        "area_path",
        out["cases_ended_today"],
    )
    follow_ups = FollowUp.objects.filter(
        case__response=response,
        area_path__startswith=prefix,
        recorded_at__gte=w.since,
        recorded_at__lt=w.until,
    )
    _grouped(follow_ups, "area_path", out["followups_today"])
    # A fever counts on the day the follow-up found it, however late it was sent.
    _grouped(follow_ups.filter(is_fever=True), "area_path", out["fever_alerts_today"])
    _grouped(
        Alert.objects.filter(
            case__response=response,
            area_path__startswith=prefix,
            kind=AlertKind.MISSED,
            created_at__gte=w.since,
            created_at__lt=w.until,
        ),
        "area_path",
        out["followups_missed_today"],
    )
    # Errands serve households whatever the response; they count where they are.
    errands = Errand.objects.filter(area_path__startswith=prefix)
    still_open = (
        errands.filter(created_at__lt=w.until)
        .filter(Q(done_at__isnull=True) | Q(done_at__gte=w.until))
        .filter(Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=w.until))
    )
    _grouped(still_open, "area_path", out["errands_open"])
    _grouped(still_open.filter(due_by__lt=w.until), "area_path", out["errands_overdue"])
    _grouped(
        errands.filter(done_at__gte=w.since, done_at__lt=w.until),
        "area_path",
        out["errands_done_today"],
    )


def _gates(response: Response, w: Window, prefix: str, out: Counts) -> None:
    scans = Scan.objects.filter(
        response=response,
        area_path__startswith=prefix,
        device_at__gte=w.since,
        device_at__lt=w.until,
    )
    _grouped(scans.filter(is_allowed=True), "area_path", out["passages_today"])
    _grouped(scans.filter(is_allowed=False), "area_path", out["refusals_today"])


def _duty(response: Response, w: Window, prefix: str, out: Counts) -> None:
    _grouped(
        Deployment.objects.filter(
            sign_up__call_up__response=response,
            community_path__startswith=prefix,
            # in post on the day, whatever it became since: a deployment ended or
            # withdrawn later keeps the days it served (its end day is cut to the last)
            starts_on__lte=w.day,
            ends_on__gte=w.day,
            created_at__lt=w.until,
        ),
        "community_path",
        out["members_deployed"],
    )
    attended = Participation.objects.filter(
        status=ParticipationStatus.CONFIRMED, shift__community_path__startswith=prefix
    )
    _grouped(
        attended.filter(checked_in_at__gte=w.since, checked_in_at__lt=w.until),
        "shift__community_path",
        out["on_shift_today"],
    )
    _grouped(
        attended.filter(checked_out_at__gte=w.since, checked_out_at__lt=w.until),
        "shift__community_path",
        out["minutes_served_today"],
        total=Sum("minutes"),
    )
    shifts = (
        Shift.objects.filter(
            community_path__startswith=prefix, starts_at__gte=w.since, starts_at__lt=w.until
        )
        .annotate(held=Count("participations", filter=Q(participations__status__in=HOLDING)))
        .values_list("community_path", "held", "min_people")
    )
    for path, held, least in shifts:
        key = "posts_filled_today" if held >= least else "posts_open_today"
        out[key][unit_path(path)] += 1


def _supplies(response: Response, w: Window, prefix: str, out: Counts) -> None:
    """What each store held at the cut-off, its ledger summed to that instant (expired
    batches count as held, as on the supplies pages): each key supply's stock on hand
    at its store's unit, and each threshold's store and item held under its minimum."""
    held = {
        (store, item): (path, supplies.summed(total))
        for store, item, path, total in Movement.objects.filter(
            area_path__startswith=prefix, at__lt=w.until
        )
        .values("store_id", "item_id", "area_path")
        .annotate(total=supplies.exact_sum())
        .values_list("store_id", "item_id", "area_path", "total")
    }
    key_of = {i.item: i.key for i in STOCKED}
    stocked = {
        pk: key_of[name]
        for pk, name in Item.objects.filter(name__in=key_of).values_list("pk", "name")
    }
    for (_store, item), (path, quantity) in held.items():
        if item in stocked and quantity:
            out[stocked[item]][unit_path(path)] += quantity
    for store, item, path, minimum in Threshold.objects.filter(
        area_path__startswith=prefix
    ).values_list("store_id", "item_id", "area_path", "minimum"):
        if held.get((store, item), (path, Decimal(0)))[1] < minimum:
            out["stock_below"][unit_path(path)] += 1


def _funds(response: Response, w: Window, prefix: str, out: Counts) -> None:
    """Money by when it was entered in the books (the day's window), a donation valid
    at the cut-off (cancelled later, it stays in the days it was valid)."""
    gifts = (
        Donation.objects.filter(
            response=response, area_path__startswith=prefix, created_at__lt=w.until
        )
        .exclude(amount=None)
        .filter(Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=w.until))
    )
    _grouped(gifts, "area_path", out["donations_total"], total=Sum("amount"))
    _grouped(
        gifts.filter(created_at__gte=w.since),
        "area_path",
        out["donations_today"],
        total=Sum("amount"),
    )
    # Spent as the books count it: expenditures less refunds, at the holder who paid.
    day = Posting.objects.filter(response=response, at__gte=w.since, at__lt=w.until)
    _grouped(
        day.filter(kind=PostingKind.EXPENDITURE, credit__area_path__startswith=prefix),
        "credit__area_path",
        out["spending_today"],
        total=Sum("amount"),
    )
    refunds: dict[str, Decimal] = defaultdict(Decimal)
    _grouped(
        day.filter(kind=PostingKind.REFUND, debit__area_path__startswith=prefix),
        "debit__area_path",
        refunds,
        total=Sum("amount"),
    )
    for unit, refunded in refunds.items():
        out["spending_today"][unit] -= refunded


def _problems(response: Response, w: Window, prefix: str, out: Counts) -> None:
    raised = Problem.objects.filter(
        response=response, area_path__startswith=prefix, raised_at__lt=w.until
    )
    unanswered = raised.filter(Q(answered_at__isnull=True) | Q(answered_at__gte=w.until))
    _grouped(unanswered, "area_path", out["problems_open"])
    _grouped(unanswered.filter(deadline_at__lt=w.until), "area_path", out["problems_overdue"])
    _grouped(
        raised.filter(resolved_at__gte=w.since, resolved_at__lt=w.until),
        "area_path",
        out["problems_resolved_today"],
    )
    _grouped(raised, "area_path", out["problems_raised"])
    _grouped(
        raised.filter(is_responded_in_time=True, responded_at__lt=w.until),
        "area_path",
        out["problems_responded"],
    )
    resolved = raised.filter(resolved_at__lt=w.until)
    _grouped(resolved, "area_path", out["problems_resolved"])
    rated = resolved.filter(rating__isnull=False)
    _grouped(rated, "area_path", out["problems_rated"])
    _grouped(rated.filter(rating__gte=4), "area_path", out["problems_satisfied"])


def _inspections(response: Response, w: Window, prefix: str, out: Counts) -> None:
    _grouped(
        Order.objects.filter(
            finding__visit__plan__team__response=response,
            area_path__startswith=prefix,
            finding__created_at__lt=w.until,
        ).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=w.until)),
        "area_path",
        out["orders_open"],
    )


COLLECTORS: tuple[Callable[[Response, Window, str, Counts], None], ...] = (
    _screening,
    _care,
    _gates,
    _duty,
    _supplies,
    _funds,
    _problems,
    _inspections,
)


def collect(response: Response, day: date) -> Counts:
    """Every indicator of `day` counted at the reporting units under the response's area:
    one grouped statement a figure, whatever the number of units."""
    w = window(day)
    out: Counts = {i.key: defaultdict(Decimal) for i in INDICATORS}
    for collector in COLLECTORS:
        collector(response, w, response.area_path, out)
    return {key: dict(values) for key, values in out.items()}


def rate(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """A rate in percent to one place, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(100) * (numerator or 0) / denominator).quantize(Decimal("0.1"))
