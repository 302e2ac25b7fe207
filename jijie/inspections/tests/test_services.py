"""A visit recorded against its checklist, its findings and orders, the fix reported and
the recheck that closes or escalates; and who may do each."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jijie.areas import access
from jijie.audit.actors import SYSTEM
from jijie.core import uploads
from jijie.inspections import home, selectors, services
from jijie.inspections.models import Finding, Order, OrderState, Photo, Visit

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ON_THE_DAY = datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


def _gate_visit(inspections, tree):
    plan = services.do_plan_create(
        actor=SYSTEM,
        team=inspections.team,
        data=services.PlanData(
            starts_on=date(2026, 12, 4), ends_on=date(2026, 12, 10), kinds=["gate"], size=3, seed=7
        ),
        now=AT,
    )
    return plan.visits.get(label="新港路社区 东门")


def _answers(inspections, *fails):
    return {
        str(i.pk): ("fail" if n in fails else "pass") for n, i in enumerate(inspections.gate_lines)
    }


def _record(inspections, visit, *fails, findings=(), now=ON_THE_DAY):
    return services.visit_record(
        actor=inspections.inspector,
        visit=visit,
        answers=_answers(inspections, *fails),
        note="",
        findings=list(findings),
        now=now,
    )


def _problem(severity="major", text="值守人员脱岗", photos=()):
    return services.FindingData(
        kind="problem",
        severity=severity,
        text=text,
        photos=[uploads.Upload("a.jpg", p) for p in photos],
    )


def test_a_visit_scored_with_its_finding_photo_and_order(inspections, tree):
    visit = _gate_visit(inspections, tree)
    done = _record(inspections, visit, 0, findings=[_problem(photos=[JPEG])])
    assert done.score == 67  # two of three lines passed
    finding = Finding.objects.get()
    order = Order.objects.get()
    assert (order.owner, order.state) == (tree.community, OrderState.OPEN)
    assert order.due_at == ON_THE_DAY + timedelta(hours=24)
    assert Photo.objects.get().finding == finding


def test_the_community_sees_the_visit_only_once_recorded(inspections, tree, actors):
    visit = _gate_visit(inspections, tree)
    assert selectors.visit_in_sight(actors.manager, visit.pk) is None
    assert not selectors.plans_for(actors.manager).exists()
    assert not selectors.plans_for(actors.street).exists()  # the district's team, not the street's
    assert selectors.visit_in_sight(inspections.inspector, visit.pk) == visit
    _record(inspections, visit)
    assert selectors.visit_in_sight(actors.manager, visit.pk) == visit
    assert selectors.visit_in_sight(actors.outsider, visit.pk) is None


@pytest.mark.parametrize(
    ("answers", "findings", "message"),
    [
        ("missing", [], "请逐项填写检查结果"),
        ("fail", [], "有不合格项"),
        ("ok", [services.FindingData(kind="problem", severity="", text="x")], "不是可选的值"),
        (
            "ok",
            [services.FindingData(kind="commendation", severity="major", text="x")],
            "不分严重程度",
        ),
        ("ok", [_problem(photos=[b"MZ\x90\x00"])], "须为照片"),
        ("ok", [_problem(photos=[b"%PDF-1.4"])], "须为照片"),
        ("ok", [_problem(text=" ")], "请填写发现情况"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(inspections, tree, answers, findings, message):
    visit = _gate_visit(inspections, tree)
    given = _answers(inspections, *((0,) if answers == "fail" else ()))
    if answers == "missing":
        given.pop(next(iter(given)))
    with pytest.raises(ValidationError, match=message):
        services.visit_record(
            actor=inspections.inspector,
            visit=visit,
            answers=given,
            note="",
            findings=findings,
            now=ON_THE_DAY,
        )
    visit.refresh_from_db()
    assert visit.recorded_at is None
    assert (Finding.objects.count(), Order.objects.count(), Photo.objects.count()) == (0, 0, 0)


def test_only_the_team_records_and_only_once(inspections, tree, actors):
    visit = _gate_visit(inspections, tree)
    for someone in (actors.command, actors.manager):
        with pytest.raises(PermissionDenied):
            _record_as(someone, inspections, visit)
    _record(inspections, visit)
    with pytest.raises(ValidationError, match="已经检查过"):
        _record(inspections, Visit.objects.get(pk=visit.pk))


def test_not_before_the_plan_begins(inspections, tree):
    visit = _gate_visit(inspections, tree)
    with pytest.raises(ValidationError, match="还没有开始"):
        _record(inspections, visit, now=AT)


def _record_as(user, inspections, visit):
    return services.visit_record(
        actor=user, visit=visit, answers=_answers(inspections), note="", findings=[], now=ON_THE_DAY
    )


def _order(inspections, tree):
    _record(inspections, _gate_visit(inspections, tree), 0, findings=[_problem()])
    return Order.objects.get()


def test_the_community_fixes_the_team_rechecks_and_closes(inspections, tree, actors):
    order = _order(inspections, tree)
    services.order_fix(
        actor=actors.lower,
        order=order,
        fix="已安排两人轮值",
        photos=[uploads.Upload("b.jpg", JPEG)],
    )
    done = services.order_recheck(actor=inspections.inspector, order=order, is_fixed=True, note="")
    assert done.state == OrderState.CLOSED
    assert Photo.objects.filter(order=order).count() == 1


def test_not_fixed_it_goes_up_to_the_street(inspections, tree, actors):
    order = _order(inspections, tree)
    services.order_fix(actor=actors.manager, order=order, fix="已整改", photos=[])
    done = services.order_recheck(
        actor=actors.command,
        order=order,
        is_fixed=False,
        note="仍无人值守",
        now=ON_THE_DAY + timedelta(hours=5),
    )
    assert (done.state, done.owner, done.escalations) == (OrderState.OPEN, tree.street, 1)
    assert done.due_at == ON_THE_DAY + timedelta(hours=29)
    with pytest.raises(PermissionDenied):  # now the street's to fix
        services.order_fix(actor=actors.manager, order=done, fix="x", photos=[])
    services.order_fix(actor=actors.street, order=done, fix="街道已协调人员", photos=[])


def test_no_recheck_before_the_fix_is_reported(inspections, tree):
    order = _order(inspections, tree)
    with pytest.raises(ValidationError, match="还没有报告整改情况"):
        services.order_recheck(actor=inspections.inspector, order=order, is_fixed=True, note="")
    assert Order.objects.get().state == OrderState.OPEN


def test_not_fixed_needs_a_reason(inspections, tree, actors):
    order = _order(inspections, tree)
    services.order_fix(actor=actors.manager, order=order, fix="已整改", photos=[])
    with pytest.raises(ValidationError):
        services.order_recheck(actor=inspections.inspector, order=order, is_fixed=False, note="")
    assert Order.objects.get().state == OrderState.REPORTED


@pytest.mark.parametrize("who", ["outsider", "grid_worker", "guard"])
def test_only_the_owner_reports_the_fix(inspections, tree, actors, who):
    order = _order(inspections, tree)
    with pytest.raises(PermissionDenied):
        services.order_fix(actor=getattr(actors, who), order=order, fix="x", photos=[])


def test_scores_per_community(inspections, tree, actors):
    plan = services.do_plan_create(
        actor=SYSTEM,
        team=inspections.team,
        data=services.PlanData(
            starts_on=date(2026, 12, 4), ends_on=date(2026, 12, 10), kinds=["gate"], size=3, seed=7
        ),
        now=AT,
    )
    east, west = plan.visits.get(label="新港路社区 东门"), plan.visits.get(label="新港路社区 西门")
    south = plan.visits.get(label="新江三路社区 南门")
    _record(inspections, east, 0, findings=[_problem(severity="critical")])
    _record(
        inspections, west, findings=[services.FindingData(kind="commendation", text="测温规范")]
    )
    _record(inspections, south, 0, 1, findings=[_problem(severity="minor")])
    rows = {
        r.area.name if r.area else "": r
        for r in selectors.scores(
            tree.street,
            start=ON_THE_DAY - timedelta(days=1),
            end=ON_THE_DAY + timedelta(days=1),
            now=ON_THE_DAY + timedelta(hours=5),
        )
    }
    here, there = rows["新港路社区"], rows["新江三路社区"]
    assert (here.visits, round(here.average or 0, 1), here.problems, here.serious) == (
        2,
        83.5,
        1,
        1,
    )
    assert (here.commendations, here.orders_open, here.orders_overdue) == (1, 1, 1)  # 4 h passed
    assert (there.visits, there.average, there.problems, there.orders_overdue) == (1, 33, 1, 0)


def test_the_home_counts_the_open_orders_and_the_overdue_in_one_statement(
    inspections, tree, actors
):
    _record(inspections, _gate_visit(inspections, tree), 0, findings=[_problem()])  # due in 24 h
    access.assignments(actors.manager)  # read before every page's view, not the card's
    for hours, note in ((1, ""), (25, "其中逾期 1 件")):
        with (
            time_machine.travel(ON_THE_DAY + timedelta(hours=hours), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            cards = home.orders_to_fix(actors.manager)
        assert [(c.key, c.count, str(c.note)) for c in cards] == [("inspections-orders", 1, note)]
        assert len(queries.captured_queries) == 1
    assert home.orders_to_fix(actors.street) == []  # sent to the community, not the street
