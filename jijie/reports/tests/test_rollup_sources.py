"""The roll-up against a brute-force count over the raw rows, at every level, for the
sources `test_rollup.py` leaves out (care, gates, mobilization and duty, funds, supplies,
inspections): random activity made through each app's services around a day's window,
counted before the cut-off, after it with late entries, and after a correction.

Then one exact case for each definition that once counted something else than its
formula says."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.care import services as care
from jijie.duty import services as duty
from jijie.funds import services as funds
from jijie.funds.models import Account
from jijie.mobilization import services as mobilization
from jijie.reports import bulletin, indicators, services
from jijie.reports.models import Figures, Report, Revision
from jijie.reports.tests.sources import (
    BEFORE_CUT_OFF,
    CHECKED,
    DAY,
    SINCE,
    UNTIL,
    Rows,
    World,
    brute,
    checked,
)
from jijie.supplies import services as supplies

pytestmark = pytest.mark.django_db


def figures(report: Report) -> dict[str, Figures]:
    return {f.area_path: f for f in Figures.objects.filter(report=report)}


@pytest.mark.parametrize("seed", [1, 6, 8])
def test_every_level_equals_the_rows_of_every_source(tree, time_machine, seed):
    # given a day of every source's activity, all of it through the apps' services
    world = World(tree, time_machine, seed)
    held_back = world.populate()
    world.run()
    units = [tree.district, tree.street, tree.other_street, tree.community, tree.sibling]

    def expected() -> dict[str, dict[str, Decimal]]:
        rows = Rows.read(world.response)
        return {area.path: brute(rows, area.path) for area in units}

    # when the roll-up runs before the cut-off
    report = world.refresh(BEFORE_CUT_OFF)
    # then every level holds what the rows say, and every indicator was exercised
    assert report.closed_at is None
    rows = figures(report)
    at_close = expected()
    assert set(at_close[tree.district.path]) == set(CHECKED)
    for area in units:
        assert checked(rows[area.path].total) == at_close[area.path], area.name
        assert checked(rows[area.path].total_live) == at_close[area.path], area.name

    # The first run at the cut-off closes the day; what comes in later with an earlier
    # time of its own moves the live figures only.
    report = world.refresh(UNTIL + timedelta(minutes=1))
    assert report.closed_at == UNTIL + timedelta(minutes=1)
    world.late_entries(held_back)
    world.run()
    report = world.refresh(UNTIL + timedelta(hours=2))
    assert report.closed_at == UNTIL + timedelta(minutes=1)
    rows = figures(report)
    live = expected()
    for area in units:
        assert checked(rows[area.path].total) == at_close[area.path], area.name
        assert checked(rows[area.path].total_live) == live[area.path], area.name

    # A correction at one community takes in its late entries, and only its.
    services.do_report_correct(
        actor=SYSTEM,
        report=report,
        area=tree.community,
        reason="补录卡口和随访记录",
        now=UNTIL + timedelta(hours=3),
    )
    rows = figures(report)
    community, sibling, street = tree.community.path, tree.sibling.path, tree.street.path
    assert checked(rows[community].total) == live[community]
    assert checked(rows[sibling].total) == at_close[sibling]
    street_now = {
        k: at_close[street].get(k, 0) + live[community].get(k, 0) - at_close[community].get(k, 0)
        for k in set(at_close[street]) | set(live[community])
    }
    assert checked(rows[street].total) == {k: v for k, v in street_now.items() if v}
    for revision in Revision.objects.filter(correction__report=report):
        before = at_close[Area.objects.get(pk=revision.area_id).path].get(revision.indicator, 0)
        assert revision.before == before
        assert revision.before != revision.after

    # Taking in the rest from the district leaves every level equal to the rows.
    services.do_report_correct(
        actor=SYSTEM,
        report=report,
        area=tree.district,
        reason="补录",
        now=UNTIL + timedelta(hours=4),
    )
    rows = figures(report)
    for area in units:
        assert checked(rows[area.path].total) == live[area.path], area.name


# Definitions that once counted something else than their formula or their source app
# says: one exact case each.


def total(report: Report, area: Area, *keys: str, live: bool = False) -> dict[str, Decimal]:
    row = Figures.objects.get(report=report, area=area)
    return checked(row.total_live if live else row.total, keys)


def test_hours_served_add_up_the_minutes_not_the_rounded_hours(tree, time_machine):
    # given a member serving 3 minutes in each of two communities of the street
    world = World(tree, time_machine, 0)
    world.duty_setup()
    for place in world.places[:2]:
        shift = world.demand(place, first_shift_at=time(9), hours=4, per_day=1, low=1)[1]
        assert timezone.localdate(shift.starts_at) == DAY
        taken = duty.do_shift_assign(actor=SYSTEM, shift=shift, member=place.residents[0])
        duty.check_in(actor=place.secretary, participation=taken, now=shift.starts_at)
        duty.check_out(
            actor=place.secretary, participation=taken, now=shift.starts_at + timedelta(minutes=3)
        )
    # when the day is counted
    report = world.refresh(BEFORE_CUT_OFF)
    # then the street's 6 minutes are 0.1 hours
    assert total(report, tree.street, "on_shift_today") == {"on_shift_today": 2}
    kept = total(report, tree.street, "minutes_served_today")
    assert kept == {"minutes_served_today": 6}
    assert indicators.value(kept, "hours_served_today") == Decimal("0.1")


def test_a_fever_found_in_the_window_counts_on_its_day_however_late_it_is_sent(tree, time_machine):
    """Hours served are kept as minutes, so the units' figures add up exactly: 3 minutes in
    each of two communities are 6 at the street, 0.1 hours (once rounded per community
    before summing, they showed 0)."""
    world = World(tree, time_machine, 0)
    time_machine.move_to(SINCE - timedelta(days=1), tick=False)
    case = world.open_case(world.households[0], starts_on=DAY - timedelta(days=2))
    world.refresh(UNTIL + timedelta(minutes=1))
    # given a follow-up made at 17:00 that finds a fever, sent at 19:00
    time_machine.move_to(UNTIL + timedelta(hours=1), tick=False)
    world.follow_up(case, temperature="38.2", at=UNTIL - timedelta(hours=1))
    # when the roll-up counts again
    report = world.refresh(UNTIL + timedelta(hours=2))
    # then the live figures of the day hold the follow-up and its fever
    live = total(report, tree.community, "followups_today", "fever_alerts_today", live=True)
    assert live["followups_today"] == 1
    assert live == {"followups_today": 1, "fever_alerts_today": 1}


def test_a_deployment_ended_after_the_day_still_counts_on_it(tree, time_machine):
    """A fever counts on the day the follow-up found it, as the follow-up does, however late
    it was sent (once counted by when its alert row was made)."""
    world = World(tree, time_machine, 0)
    world.mobilization_setup()
    time_machine.move_to(SINCE - timedelta(days=2), tick=False)
    entry = world.approved()
    world.deploy(entry, tree.community, DAY - timedelta(days=2), DAY + timedelta(days=5))
    report = world.refresh(UNTIL + timedelta(minutes=1))
    assert total(report, tree.community, "members_deployed") == {"members_deployed": 1}
    # given the deployment ended at 10:00 the next day
    time_machine.move_to(UNTIL + timedelta(hours=16), tick=False)
    mobilization.do_sign_up_end(actor=SYSTEM, sign_up=entry)
    # when the roll-up counts the day again
    report = world.refresh(UNTIL + timedelta(hours=17))
    # then the member was still in post on the day
    assert total(report, tree.community, "members_deployed", live=True) == {"members_deployed": 1}


def test_stock_below_its_minimum_is_the_level_at_the_cut_off(tree, time_machine):
    """A store's stock is read as it stood at the cut-off: 15 masks issued at 18:30 leave
    the day's stock on hand and its threshold as they were at 18:00 (once read as the
    stock stood when the roll-up ran)."""
    world = World(tree, time_machine, 0)
    world.supplies_setup()
    store, masks = world.stores[2], world.items[0]  # the community's room
    supplies.do_threshold_set(actor=SYSTEM, store=store, item=masks, minimum=10)
    time_machine.move_to(SINCE + timedelta(hours=16), tick=False)
    world.receive(store, masks, Decimal(20))
    report = world.refresh(BEFORE_CUT_OFF)
    assert total(report, tree.community, "stock_below") == {}
    # given 15 masks issued at 18:30, after the cut-off
    time_machine.move_to(UNTIL + timedelta(minutes=30), tick=False)
    world.issue(store, masks, Decimal(15))
    # when the first run after the cut-off closes the day
    report = world.refresh(UNTIL + timedelta(minutes=31))
    assert report.closed_at is not None
    # then the day's figure is the level at 18:00: 20 masks, not short
    assert total(report, tree.community, "stock_below") == {}
    assert total(report, tree.community, "stock_masks") == {"stock_masks": 20}
    assert total(report, tree.district, "stock_masks") == {"stock_masks": 20}
    kept = Figures.objects.get(report=report, area=tree.street).total
    said = bulletin.paragraph(tree.street, DAY, {k: Decimal(v) for k, v in kept.items()})
    assert "重点物资库存医用外科口罩20只" in said
    # while the next day reads the 5 left, under its minimum of 10
    next_day = services.report_refresh(
        response=world.response, day=DAY + timedelta(days=1), now=UNTIL + timedelta(hours=23)
    ).report
    assert total(next_day, tree.community, "stock_masks", "stock_below") == {
        "stock_masks": 5,
        "stock_below": 1,
    }


def test_spending_of_the_day_is_what_the_books_count_as_spent(tree, time_machine):
    """Stock below its minimum is the level at the cut-off, the ledger summed to 18:00 (once
    read as the stock stood when the roll-up ran)."""
    world = World(tree, time_machine, 0)
    world.funds_setup()
    holder = world.holders[3]  # 新港路社区
    cash = Account.objects.get(fund=world.party_fees, holder=holder, kind="cash")
    # given 100 spent and 40 of it refunded on the day
    time_machine.move_to(SINCE + timedelta(hours=16), tick=False)
    expenditure = world.spend(holder, DAY, Decimal(100))
    time_machine.move_to(SINCE + timedelta(hours=17), tick=False)
    funds.do_refund(
        actor=SYSTEM,
        expenditure=expenditure,
        entry=funds.Entry(amount="40", on=DAY, summary="退货退款"),
    )
    cash.refresh_from_db()
    assert cash.spent == Decimal(60)
    # when the day is counted
    report = world.refresh(BEFORE_CUT_OFF)
    # then the day's spending is the books'
    assert total(report, tree.community, "spending_today") == {"spending_today": Decimal(60)}


def test_a_case_ended_after_the_cut_off_counts_in_the_next_days_window(tree, time_machine):
    """A case's end counts when it was recorded (the case once kept only the end's date,
    and a case ended at 19:00 on the day was counted by no day's reported figure)."""
    world = World(tree, time_machine, 0)
    time_machine.move_to(SINCE - timedelta(days=1), tick=False)
    case = world.open_case(world.households[0], starts_on=DAY - timedelta(days=2))
    day = world.refresh(UNTIL + timedelta(minutes=1))
    # given the case ended at 19:00, after the day's cut-off
    time_machine.move_to(UNTIL + timedelta(hours=1), tick=False)
    care.do_case_end(actor=SYSTEM, case=case, outcome="other")
    # when the next day is counted
    next_day = services.report_refresh(
        response=world.response, day=DAY + timedelta(days=1), now=UNTIL + timedelta(hours=23)
    ).report
    # then the open cases of the next day are the day's less the ones ended in its window
    keys = ("cases_open", "cases_started_today", "cases_ended_today")
    assert total(day, tree.community, *keys) == {"cases_open": 1}
    assert total(next_day, tree.community, "cases_open") == {}
    assert total(next_day, tree.community, *keys) == {"cases_ended_today": 1}


def test_a_gift_entered_after_the_cut_off_counts_in_some_days_gifts(tree, time_machine):
    world = World(tree, time_machine, 0)
    world.funds_setup()
    holder = world.holders[3]
    day = world.refresh(UNTIL + timedelta(minutes=1))
    # given a gift received on the day and entered at 19:00, after its cut-off
    time_machine.move_to(UNTIL + timedelta(hours=1), tick=False)
    world.donate(holder, DAY, amount=Decimal(500))
    # when the next day is counted
    next_day = services.report_refresh(
        response=world.response, day=DAY + timedelta(days=1), now=UNTIL + timedelta(hours=23)
    ).report
    # then the total of the next day is the day's plus the next day's gifts
    keys = ("donations_total", "donations_today")
    assert total(day, tree.community, *keys) == {}
    assert total(next_day, tree.community, "donations_total") == {"donations_total": 500}
    assert total(next_day, tree.community, *keys) == {
        "donations_total": 500,
        "donations_today": 500,
    }
