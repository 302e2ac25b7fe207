"""The demo's money, with the seeds' figures exactly: 1,100,000 yuan of party fees,
780 party organisations' 1,351,824.99 yuan, the anonymous 2,000 yuan and 60 masks; the
books whole; the public notice showing them; loaded twice, the same."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from jijie.core.demo import DemoContext, demo_steps
from jijie.funds import selectors
from jijie.funds.models import Donation, Fund, Posting
from jijie.supplies import selectors as stock
from jijie.supplies.models import Movement, Store

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
STEPS = {"areas", "responses", "supplies", "funds"}


def _load() -> None:
    ctx = DemoContext(scale="small", seed=2020, out=lambda _line: None, now=NOW)
    for _order, label, populate in demo_steps():
        if label in STEPS:
            populate(ctx)


def test_the_demo_books_hold_the_seed_figures_and_the_notice_shows_them():
    with time_machine.travel(NOW, tick=False):
        _load()
        postings = Posting.objects.count()
        _load()  # the second run changes nothing
        assert Posting.objects.count() == postings
        party = Fund.objects.get(kind="party_fee")
        assert selectors.fund_totals(party).received == Decimal("1100000.00")
        organisations = Donation.objects.filter(donor_kind="organisation")
        assert organisations.count() == 780
        assert len(set(organisations.values_list("donor", flat=True))) == 780
        assert sum(d.amount or 0 for d in organisations) == Decimal("1351824.99")
        anonymous = Donation.objects.get(donor="")
        assert (anonymous.amount, anonymous.goods, anonymous.disclose) == (
            Decimal("2000.00"), "医用外科口罩 60 只", False,
        )  # fmt: skip
        room = Store.objects.get(area__name="新港路社区")
        masks = Movement.objects.get(store=room, kind="receive")
        assert (masks.source, masks.donor, masks.quantity) == ("donation", "", Decimal(60))
        assert stock.ledger_disagreements() == []
        for fund in Fund.objects.all():
            assert selectors.trial_balance(fund) == 0
        assert selectors.ledger_disagreements() == []
        page = Client().get(f"/public/donations/{party.response_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "1,351,824.99" in text  # the organisations' line
    assert "1,353,824.99" in text  # with the anonymous 2,000: every donation's total
    assert "爱心人士" in text
