"""The supplies pages, by three actors (the store's keeper, a lower role, an outsider)
and along a request from the community to the street and back."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from jijie.supplies import selectors, services
from jijie.supplies.models import Movement, RequestState, SupplyRequest
from jijie.supplies.tests.fixtures import receive


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_three_actors_on_every_page(client, supplies, actors):
    receive(supplies, supplies.community, supplies.masks, 10)
    store = supplies.community.pk
    pages = [
        reverse("supplies:store", args=[store]),
        reverse("supplies:receive", args=[store]),
        reverse("supplies:issue", args=[store]),
        reverse("supplies:request_new", args=[store]),
    ]
    for url in pages:
        assert _get(client, actors.manager, url).status_code == 200
        assert _get(client, actors.outsider, url).status_code == 404
    # an inspector of the street reads the store but records nothing
    inspector = make_user("inspector", "inspector", supplies.street.area)
    assert _get(client, inspector, pages[0]).status_code == 200
    for url in pages[1:]:
        assert _get(client, inspector, url).status_code == 403
    # a guard (no supplies role) is turned away at the door, the menu offers nothing
    assert _get(client, actors.guard, reverse("supplies:index")).status_code == 403
    assert _get(client, actors.guard, pages[0]).status_code == 404
    # the requests board is for those who decide
    assert _get(client, actors.street, reverse("supplies:requests")).status_code == 200
    assert _get(client, actors.lower, reverse("supplies:requests")).status_code == 403


def test_the_index_lists_the_stores_in_sight_and_what_is_short(client, supplies, actors):
    services.threshold_set(
        actor=actors.manager, store=supplies.community, item=supplies.thermometers, minimum="2"
    )
    page = _get(client, actors.street, reverse("supplies:index")).content.decode()
    assert "源西街道物资库" in page
    assert "新港路社区物资室" in page
    assert "区应急物资仓库" not in page
    shortages = page[page.index('data-testid="shortages"') :]
    assert "耳温枪" in shortages
    assert (
        "新港路社区物资室"
        in _get(client, actors.manager, reverse("supplies:index")).content.decode()
    )


def test_receive_then_issue_on_the_store_page(client, supplies, actors):
    client.force_login(actors.lower)
    url = reverse("supplies:receive", args=[supplies.community.pk])
    answer = client.post(
        url,
        {"item": supplies.masks.pk, "quantity": "60", "source": "donation", "donor": ""},
    )
    assert answer.status_code == 302
    answer = client.post(
        reverse("supplies:issue", args=[supplies.community.pk]),
        {
            "item": supplies.masks.pk,
            "quantity": "61",
            "recipient_kind": "post",
            "recipient": "东门卡口",
        },
    )
    assert answer.status_code == 200  # refused, on the form
    assert "库存不足" in answer.content.decode()
    answer = client.post(
        reverse("supplies:issue", args=[supplies.community.pk]),
        {
            "item": supplies.masks.pk,
            "quantity": "20",
            "recipient_kind": "post",
            "recipient": "东门卡口",
        },
    )
    assert answer.status_code == 302
    page = client.get(reverse("supplies:store", args=[supplies.community.pk])).content.decode()
    stock = page[page.index('data-testid="stock"') :]
    assert "40 只" in stock
    assert "东门卡口" in page[page.index('data-testid="ledger"') :]
    assert Movement.objects.count() == 2


@pytest.mark.parametrize("typed", ["１００", "1,000", "-5", "NaN", "2.5"])
def test_a_bad_quantity_is_shown_on_its_field(client, supplies, actors, typed):
    client.force_login(actors.manager)
    answer = client.post(
        reverse("supplies:receive", args=[supplies.community.pk]),
        {"item": supplies.masks.pk, "quantity": typed, "source": "purchase"},
    )
    assert answer.status_code == 200
    assert 'role="alert"' in answer.content.decode()
    assert not Movement.objects.exists()


@time_machine.travel("2026-03-10 23:59:59+08:00", tick=False)
def test_a_request_from_the_community_to_the_street_and_back(client, supplies, actors):
    receive(supplies, supplies.street, supplies.thermometers, 3)
    # the community asks for five thermometers
    client.force_login(actors.manager)
    answer = client.post(
        reverse("supplies:request_new", args=[supplies.community.pk]),
        {
            "item": supplies.thermometers.pk,
            "quantity": "5",
            "reason": "我们社区没有耳温枪",
            "needed_by": (timezone.localdate() + timedelta(days=1)).isoformat(),
        },
    )
    assert answer.status_code == 302
    request = SupplyRequest.objects.get()
    # the street sees it, approves the three it has, and sends them
    client.force_login(actors.street)
    board = client.get(reverse("supplies:requests")).content.decode()
    assert "我们社区没有耳温枪" in board
    client.post(
        reverse("supplies:request_decide", args=[request.pk]),
        {f"approved-{supplies.thermometers.pk}": "3", "note": "街道只有 3 个"},
    )
    request.refresh_from_db()
    assert request.state == RequestState.APPROVED
    client.post(
        reverse("supplies:request_fulfil", args=[request.pk]),
        {f"r{request.pk}-source": supplies.street.pk},
    )
    request.refresh_from_db()
    assert request.state == RequestState.SENT
    # the community sees it on its way and confirms receipt
    client.force_login(actors.manager)
    page = client.get(reverse("supplies:store", args=[supplies.community.pk])).content.decode()
    assert 'data-testid="in-transit"' in page
    client.post(reverse("supplies:transfer_receive", args=[request.transfer_id]))
    request.refresh_from_db()
    assert request.state == RequestState.RECEIVED
    assert selectors.balances(supplies.community) == {supplies.thermometers.pk: 3}
    assert selectors.balances(supplies.street) == {}
    # the sibling community can neither see nor confirm it
    client.force_login(actors.outsider)
    assert (
        client.post(reverse("supplies:transfer_receive", args=[request.transfer_id])).status_code
        == 404
    )
    assert client.post(reverse("supplies:request_decide", args=[request.pk])).status_code == 404


def test_a_count_is_checked_then_posted(client, supplies, actors):
    a = receive(supplies, supplies.community, supplies.masks, 100, lot="A")
    b = receive(supplies, supplies.community, supplies.suits, 20, lot="B")
    url = reverse("supplies:count", args=[supplies.community.pk])
    client.force_login(actors.lower)
    assert client.get(url).status_code == 200
    # the variances are shown first, nothing is posted
    typed = {f"batch-{a.batch_id}": "97", f"batch-{b.batch_id}": "20", "note": "周盘点"}
    page = client.post(url, {**typed, "step": "preview"}).content.decode()
    variances = page[page.index('data-testid="variances"') :]
    assert "差异 -3 只" in variances
    assert "相符" in variances
    assert not Movement.objects.filter(kind="adjust").exists()
    # a bad figure is named on its batch and nothing is posted
    bad = client.post(url, {**typed, f"batch-{a.batch_id}": "9.5", "step": "post"})
    assert "整数" in bad.content.decode()
    assert not Movement.objects.filter(kind="adjust").exists()
    # posted: one adjustment of the difference
    assert client.post(url, {**typed, "step": "post"}).status_code == 302
    assert list(Movement.objects.filter(kind="adjust").values_list("quantity", flat=True)) == [-3]


def test_a_transfer_goes_down_or_back_up_but_not_sideways(client, supplies, actors):
    receive(supplies, supplies.community, supplies.masks, 100)
    client.force_login(actors.manager)
    url = reverse("supplies:transfer_new", args=[supplies.community.pk])
    page = client.get(url).content.decode()
    assert "源西街道物资库" in page
    assert "区应急物资仓库" in page
    assert "新江三路社区物资室" not in page
    answer = client.post(
        url, {"destination": supplies.street.pk, "item": supplies.masks.pk, "quantity": "30"}
    )
    assert answer.status_code == 302
    answer = client.post(
        url, {"destination": supplies.sibling.pk, "item": supplies.masks.pk, "quantity": "30"}
    )
    assert answer.status_code == 200  # not a choice
    assert selectors.balances(supplies.community) == {supplies.masks.pk: 70}


@time_machine.travel("2026-03-10 23:59:59+08:00", tick=False)
def test_an_expired_batch_is_written_off_from_the_store_page(client, supplies, actors):
    old = receive(
        supplies, supplies.community, supplies.masks, 40,
        expires_on=timezone.localdate() - timedelta(days=1),
    )  # fmt: skip
    client.force_login(actors.manager)
    page = client.get(reverse("supplies:store", args=[supplies.community.pk])).content.decode()
    assert 'data-testid="write-off"' in page
    url = reverse("supplies:write_off", args=[supplies.community.pk, old.batch_id])
    client.force_login(actors.outsider)
    assert client.post(url).status_code == 404
    client.force_login(actors.manager)
    assert client.post(url).status_code == 302
    assert selectors.balances(supplies.community) == {}


def test_a_household_page_offers_an_issue_to_it(client, supplies, actors, tree):
    from jijie.audit.actors import SYSTEM
    from jijie.residents.services import do_household_register

    home = do_household_register(actor=SYSTEM, building=tree.building, door_number="301")
    receive(supplies, supplies.community, supplies.masks, 50)
    client.force_login(actors.manager)
    page = client.get(reverse("residents:household", args=[home.pk])).content.decode()
    at = page.index('data-testid="act-supplies-issue"')
    offer = page[at - 200 : at]
    url = reverse("supplies:issue", args=[supplies.community.pk]) + f"?household={home.pk}"
    assert url in offer.replace("&amp;", "&")
    form = client.get(url).content.decode()
    assert "1栋 301" in form
    assert 'name="recipient"' not in form
    answer = client.post(url, {"household": home.pk, "item": supplies.masks.pk, "quantity": "10"})
    assert answer.status_code == 302
    issued = Movement.objects.get(kind="issue")
    assert (issued.household, issued.recipient_kind, issued.recipient) == (
        home,
        "household",
        "1栋 301",
    )
    # a household out of sight is not found
    client.force_login(actors.outsider)
    assert client.get(url).status_code == 404
    # the sibling's keeper has no store above this household to offer
    other = do_household_register(actor=SYSTEM, building=tree.building, door_number="302")
    client.force_login(actors.grid_worker)
    page = client.get(reverse("residents:household", args=[other.pk])).content.decode()
    assert 'data-testid="act-supplies-issue"' not in page


def test_the_ledger_downloads_as_a_spreadsheet_with_balances_and_totals(client, supplies, actors):
    import io

    from openpyxl import load_workbook

    from jijie.audit.models import AuditEvent

    receive(supplies, supplies.community, supplies.masks, 100)
    services.do_stock_receive(
        actor=actors.manager,
        store=supplies.community,
        response=supplies.response,
        receipt=services.Receipt(
            item=supplies.masks,
            quantity="60",
            source="donation",
            donor="某公司",
            voucher="=HYPERLINK(1)",
        ),
    )
    services.do_stock_issue(
        actor=actors.manager,
        store=supplies.community,
        response=supplies.response,
        issue=services.Issue(
            item=supplies.masks, quantity="30", recipient_kind="post", recipient="东门卡口"
        ),
    )
    receive(supplies, supplies.community, supplies.suits, 5)
    client.force_login(actors.lower)
    answer = client.get(reverse("supplies:ledger", args=[supplies.community.pk]))
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "新港路社区物资室 物资台账"
    assert rows[1][:7] == ["日期", "凭证号", "物资", "摘要", "入库", "出库", "结存"]
    body = rows[2:6]
    assert [(r[2], r[4], r[5], r[6]) for r in body] == [
        ("医用口罩", 100, None, 100),
        ("医用口罩", 60, None, 160),
        ("医用口罩", None, 30, 130),
        ("防护服", 5, None, 5),
    ]
    assert body[1][3] == "入库 捐赠 某公司"
    assert body[1][1] == "'=HYPERLINK(1)"  # a voucher typed as a formula stays text
    totals = {r[2]: (r[4], r[5], r[6]) for r in rows[6:] if r[0] == "合计"}
    assert totals == {"医用口罩": (160, 30, 130), "防护服": (5, 0, 5)}
    assert AuditEvent.objects.filter(action="supplies.ledger_export").count() == 1
    client.force_login(actors.outsider)
    assert client.get(reverse("supplies:ledger", args=[supplies.community.pk])).status_code == 404
