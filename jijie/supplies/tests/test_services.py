"""The stock ledger's writes: what each puts in and takes out, first expiry first, in
transit until received, and what each refuses with nothing stored."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.responses.services import do_response_close
from jijie.supplies import selectors, services
from jijie.supplies.models import (
    AppendOnlyError,
    Movement,
    MovementKind,
    Stock,
    Transfer,
    TransferState,
)
from jijie.supplies.tests.fixtures import receive

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()


def held(store, item) -> Decimal:
    return selectors.balances(store).get(item.pk, Decimal(0))


def issue(supplies, store, item, quantity, *, actor=SYSTEM, now=NOW, **kwargs):
    kwargs.setdefault("recipient_kind", "post")
    kwargs.setdefault("recipient", "东门卡口")
    data = services.Issue(item=item, quantity=quantity, **kwargs)
    if actor is SYSTEM:
        return services.do_stock_issue(
            actor=SYSTEM, store=store, response=supplies.response, issue=data, now=now
        )
    return services.stock_issue(
        actor=actor, store=store, response=supplies.response, issue=data, now=now
    )


def test_received_and_issued_stock_is_the_ledger_sum(supplies):
    receive(supplies, supplies.community, supplies.masks, 500)
    receive(supplies, supplies.community, supplies.disinfectant, "12.5")
    issue(supplies, supplies.community, supplies.masks, 120)
    issue(supplies, supplies.community, supplies.disinfectant, "0.25")
    assert held(supplies.community, supplies.masks) == 380
    assert held(supplies.community, supplies.disinfectant) == Decimal("12.25")
    assert selectors.ledger_disagreements() == []
    kinds = list(Movement.objects.order_by("pk").values_list("kind", "quantity"))
    assert kinds == [
        ("receive", Decimal(500)),
        ("receive", Decimal("12.5")),
        ("issue", Decimal(-120)),
        ("issue", Decimal("-0.25")),
    ]
    assert AuditEvent.objects.filter(action="supplies.issue").count() == 2


def test_issue_takes_the_first_expiry_first_and_skips_the_expired(supplies):
    late = receive(
        supplies, supplies.community, supplies.masks, 100, lot="B", expires_on=date(2027, 1, 1)
    )
    soon = receive(
        supplies, supplies.community, supplies.masks, 30, lot="A", expires_on=date(2026, 6, 1)
    )
    undated = receive(supplies, supplies.community, supplies.masks, 50, lot="C")
    expired = receive(
        supplies, supplies.community, supplies.masks, 40, lot="X", expires_on=date(2026, 3, 1)
    )
    # when 150 are issued
    movements = issue(supplies, supplies.community, supplies.masks, 150)
    # then the batch that expires first is emptied, then the next; the expired one stays
    assert [(m.batch_id, m.quantity) for m in movements] == [
        (soon.batch_id, Decimal(-30)),
        (late.batch_id, Decimal(-100)),
        (undated.batch_id, Decimal(-20)),
    ]
    assert Stock.objects.get(store=supplies.community, batch_id=expired.batch_id).quantity == 40
    # and what is left that may be issued is the 30 undated: asking more names both figures
    with pytest.raises(ValidationError) as refused:
        issue(supplies, supplies.community, supplies.masks, 31)
    message = " ".join(refused.value.messages)
    assert "30 只" in message
    assert "40 只 已过期" in message


def test_an_issue_beyond_the_stock_stores_nothing(supplies):
    receive(supplies, supplies.community, supplies.masks, 10)
    before = Movement.objects.count()
    with pytest.raises(ValidationError) as refused:
        issue(supplies, supplies.community, supplies.masks, 11)
    assert "库存不足" in refused.value.message_dict["quantity"][0]
    assert Movement.objects.count() == before
    assert held(supplies.community, supplies.masks) == 10


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("-5", "正数"),
        ("0", "大于零"),
        ("1.5", "整数"),
        ("NaN", "十进制"),
        ("１０", "半角"),
        ("1,000", "千位"),
        ("", "请填写"),
        ("1e3", "十进制"),
    ],
)
def test_a_bad_quantity_is_named_and_nothing_is_stored(supplies, raw, reason):
    receive(supplies, supplies.community, supplies.masks, 10)
    before = Movement.objects.count()
    with pytest.raises(ValidationError) as refused:
        issue(supplies, supplies.community, supplies.masks, raw)
    assert reason in refused.value.message_dict["quantity"][0]
    assert Movement.objects.count() == before


def test_a_measured_item_takes_a_fraction_to_the_thousandth(supplies):
    receive(supplies, supplies.community, supplies.disinfectant, "2.125")
    with pytest.raises(ValidationError) as refused:
        receive(supplies, supplies.community, supplies.disinfectant, "0.0005")
    assert "3 位小数" in refused.value.message_dict["quantity"][0]


def test_a_transfer_is_in_transit_until_received_once(supplies, actors):
    receive(supplies, supplies.street, supplies.thermometers, 10, lot="T1")
    # when the street sends six to the community
    transfer = services.transfer_send(
        actor=actors.street,
        source=supplies.street,
        destination=supplies.community,
        response=supplies.response,
        lines=[services.Line(supplies.thermometers, "6")],
        now=NOW,
    )
    # then they have left the street and are not yet in the community
    assert held(supplies.street, supplies.thermometers) == 4
    assert held(supplies.community, supplies.thermometers) == 0
    assert list(selectors.in_transit_to(supplies.community)) == [transfer]
    # the community confirms: they arrive, batch by batch
    services.transfer_receive(actor=actors.manager, transfer=transfer, now=NOW)
    assert held(supplies.community, supplies.thermometers) == 6
    assert Transfer.objects.get().state == TransferState.RECEIVED
    # confirming again changes nothing
    with pytest.raises(ValidationError) as refused:
        services.transfer_receive(actor=actors.manager, transfer=transfer, now=NOW)
    assert "已经签收" in refused.value.messages[0]
    assert held(supplies.community, supplies.thermometers) == 6
    assert selectors.ledger_disagreements() == []


def test_only_the_destination_receives_a_transfer(supplies, actors):
    receive(supplies, supplies.street, supplies.thermometers, 10)
    transfer = services.do_transfer_send(
        actor=SYSTEM,
        source=supplies.street,
        destination=supplies.community,
        response=supplies.response,
        lines=[services.Line(supplies.thermometers, 2)],
    )
    with pytest.raises(Http404):
        services.transfer_receive(actor=actors.outsider, transfer=transfer)
    with pytest.raises(PermissionDenied):
        services.transfer_receive(actor=actors.guard, transfer=transfer)
    assert Transfer.objects.get().state == TransferState.IN_TRANSIT


def test_a_community_sends_back_up_but_not_sideways(supplies, actors):
    receive(supplies, supplies.community, supplies.masks, 10)
    services.transfer_send(
        actor=actors.manager,
        source=supplies.community,
        destination=supplies.street,
        response=supplies.response,
        lines=[services.Line(supplies.masks, 3)],
    )
    with pytest.raises(PermissionDenied):
        services.transfer_send(
            actor=actors.manager,
            source=supplies.community,
            destination=supplies.sibling,
            response=supplies.response,
            lines=[services.Line(supplies.masks, 3)],
        )
    assert held(supplies.community, supplies.masks) == 7


def test_a_count_posts_its_variances_as_one_adjustment(supplies):
    a = receive(supplies, supplies.community, supplies.masks, 100, lot="A")
    b = receive(supplies, supplies.community, supplies.masks, 50, lot="B")
    c = receive(supplies, supplies.community, supplies.suits, 20)
    # when the shelf shows 97 of A, 50 of B, and no suits at all
    record = services.do_stock_count_post(
        actor=SYSTEM,
        store=supplies.community,
        response=supplies.response,
        count=services.Count(
            {a.batch_id: "97", b.batch_id: "50", c.batch_id: "0"}, note="月底盘点"
        ),
        now=NOW,
    )
    # then one movement per differing batch, all carried by the count
    assert sorted(record.movements.values_list("batch_id", "quantity")) == sorted(
        [(a.batch_id, Decimal(-3)), (c.batch_id, Decimal(-20))]
    )
    assert held(supplies.community, supplies.masks) == 147
    assert held(supplies.community, supplies.suits) == 0
    assert selectors.ledger_disagreements() == []


def test_a_count_of_a_batch_the_store_does_not_hold_stores_nothing(supplies):
    a = receive(supplies, supplies.community, supplies.masks, 100)
    other = receive(supplies, supplies.street, supplies.suits, 5)
    with pytest.raises(ValidationError):
        services.do_stock_count_post(
            actor=SYSTEM,
            store=supplies.community,
            response=supplies.response,
            count=services.Count({a.batch_id: "90", other.batch_id: "3"}),
        )
    assert held(supplies.community, supplies.masks) == 100
    assert not Movement.objects.filter(kind=MovementKind.ADJUST).exists()


def test_damage_goes_down_with_a_note_and_never_below_zero(supplies):
    m = receive(supplies, supplies.community, supplies.suits, 5)
    adjust = services.Adjustment(batch=m.batch, quantity="2", reason="damage", note="被雨淋湿")
    services.do_stock_adjust(
        actor=SYSTEM, store=supplies.community, response=supplies.response, adjustment=adjust
    )
    assert held(supplies.community, supplies.suits) == 3
    for bad, field in [
        (services.Adjustment(batch=m.batch, quantity="4", reason="loss", note="丢失"), "quantity"),
        (services.Adjustment(batch=m.batch, quantity="1", reason="damage", note=""), "note"),
        (
            services.Adjustment(
                batch=m.batch, quantity="1", reason="damage", note="x", increase=True
            ),
            "reason",
        ),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.do_stock_adjust(
                actor=SYSTEM, store=supplies.community, response=supplies.response, adjustment=bad
            )
        assert field in refused.value.message_dict
    assert held(supplies.community, supplies.suits) == 3


def test_an_expired_batch_is_written_off_whole_and_a_good_one_is_not(supplies):
    old = receive(
        supplies, supplies.community, supplies.masks, 40, expires_on=TODAY - timedelta(days=1)
    )
    good = receive(supplies, supplies.community, supplies.masks, 10, expires_on=TODAY)
    with pytest.raises(ValidationError):
        services.do_stock_write_off(
            actor=SYSTEM,
            store=supplies.community,
            response=supplies.response,
            batch=good.batch,
            now=NOW,
        )
    gone = services.do_stock_write_off(
        actor=SYSTEM, store=supplies.community, response=supplies.response, batch=old.batch, now=NOW
    )
    assert gone.quantity == -40
    assert held(supplies.community, supplies.masks) == 10


def test_a_closed_response_takes_no_more_movements(supplies):
    receive(supplies, supplies.community, supplies.masks, 10)
    do_response_close(actor=SYSTEM, response=supplies.response)
    supplies.response.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        issue(supplies, supplies.community, supplies.masks, 1)
    assert "response" in refused.value.message_dict


def test_a_donation_in_kind_names_its_donor_or_none(supplies):
    m = services.do_stock_receive(
        actor=SYSTEM,
        store=supplies.community,
        response=supplies.response,
        receipt=services.Receipt(item=supplies.masks, quantity="60", source="donation", donor=""),
    )
    assert (m.source, m.donor) == ("donation", "")
    with pytest.raises(ValidationError) as refused:
        services.do_stock_receive(
            actor=SYSTEM,
            store=supplies.community,
            response=supplies.response,
            receipt=services.Receipt(
                item=supplies.masks, quantity="1", source="purchase", donor="某公司"
            ),
        )
    assert "donor" in refused.value.message_dict


def test_a_movement_is_never_changed_nor_deleted(supplies):
    m = receive(supplies, supplies.community, supplies.masks, 10)
    m.quantity = Decimal(100)
    with pytest.raises(AppendOnlyError):
        m.save()
    with pytest.raises(AppendOnlyError):
        m.delete()


def test_three_actors_on_the_community_store(supplies, actors):
    receive(supplies, supplies.community, supplies.masks, 10)
    # the secretary and the community worker keep it
    issue(supplies, supplies.community, supplies.masks, 1, actor=actors.manager)
    issue(supplies, supplies.community, supplies.masks, 1, actor=actors.lower)
    # a grid worker sees nothing of it to act on; the sibling's secretary, not even that
    with pytest.raises((PermissionDenied, Http404)):
        issue(supplies, supplies.community, supplies.masks, 1, actor=actors.grid_worker)
    with pytest.raises(Http404):
        issue(supplies, supplies.community, supplies.masks, 1, actor=actors.outsider)
    assert held(supplies.community, supplies.masks) == 8
    assert [s.name for s in selectors.store_list(actor=actors.manager)] == ["新港路社区物资室"]
    assert [s.name for s in selectors.store_list(actor=actors.outsider)] == ["新江三路社区物资室"]
    assert len(selectors.store_list(actor=actors.command)) == 4
    assert list(selectors.store_list(actor=actors.grid_worker)) == []


def test_the_catalogue_is_the_districts(supplies, actors):
    data = services.ItemData(name="隔离衣", category="protection", unit="件")
    with pytest.raises(PermissionDenied):
        services.item_create(actor=actors.manager, data=data)
    assert services.item_create(actor=actors.command, data=data).name == "隔离衣"
    with pytest.raises(ValidationError):
        services.item_create(actor=actors.command, data=data)


def test_a_measured_item_stays_exact_to_the_thousandth(supplies):
    # SQLite adds decimals in floating point: 0.159 - 0.026 - 0.127 came to
    # 0.00600000000000001 in the ledger's sum, against 0.006 kept.
    m = receive(supplies, supplies.community, supplies.disinfectant, "0.159")
    services.do_stock_adjust(
        actor=SYSTEM,
        store=supplies.community,
        response=supplies.response,
        adjustment=services.Adjustment(
            batch=m.batch, quantity="0.026", reason="other", note="洒漏"
        ),
    )
    issue(supplies, supplies.community, supplies.disinfectant, "0.127")
    assert held(supplies.community, supplies.disinfectant) == Decimal("0.006")
    assert selectors.ledger_disagreements() == []


def test_every_stores_balances_read_in_one_go_equal_each_stores(supplies, tree):
    receive(supplies, supplies.community, supplies.masks, 100)
    receive(supplies, supplies.community, supplies.disinfectant, "0.159")
    receive(supplies, supplies.street, supplies.masks, 7, lot="B")
    receive(supplies, supplies.street, supplies.masks, 3, lot="C")
    receive(supplies, supplies.sibling, supplies.suits, 2)
    receive(supplies, supplies.district, supplies.suits, 9)
    issue(supplies, supplies.community, supplies.disinfectant, "0.127")
    under_street = selectors.balances_under(tree.street.path)
    expected = {
        (store.pk, item): quantity
        for store in (supplies.street, supplies.community, supplies.sibling)
        for item, quantity in selectors.balances(store).items()
    }
    assert under_street == expected
    assert under_street[(supplies.community.pk, supplies.disinfectant.pk)] == Decimal("0.032")
    assert (supplies.district.pk, supplies.suits.pk) not in under_street
    # a community's path is no prefix of its sibling's, though one may sort beside it
    assert set(selectors.balances_under(tree.community.path)) == {
        (supplies.community.pk, supplies.masks.pk),
        (supplies.community.pk, supplies.disinfectant.pk),
    }
