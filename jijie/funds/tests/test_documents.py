"""Donation papers: the receipt with its number, the donor as recorded and the amount
in figures and capitals (marked 已作废 once cancelled), and the public notice with the
donors as the public may read them, the totals and where the money went."""

import dataclasses
import io
import time
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from jijie.audit.actors import SYSTEM
from jijie.funds import documents, selectors, services
from jijie.funds.documents import capital_yuan
from jijie.funds.models import Donation

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DAY = date(2026, 3, 9)
LONG_GOODS = "医用口罩 500 盒、防护服 20 套、消毒液 30 桶、额温枪 10 支"  # two lines in its column


def donate(books, **data):
    data.setdefault("donor_kind", "organisation")
    data.setdefault("donor", "区卫健局机关党支部")
    data.setdefault("received_on", DAY)
    if data.get("amount") is not None:
        data.setdefault("fund", books.donations)
    return services.do_donation_record(
        actor=SYSTEM, response=books.response, holder=books.street,
        data=services.DonationData(**data), now=NOW,
    )  # fmt: skip


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def size_mm(pdf: bytes) -> tuple[int, int]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        ("1351824.99", "壹佰叁拾伍万壹仟捌佰贰拾肆元玖角玖分"),
        ("2000", "贰仟元整"),
        ("0.10", "壹角"),
        ("0.5", "伍角"),
        ("0.05", "伍分"),
        ("0", "零元整"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("100.05", "壹佰元零伍分"),
        ("20.30", "贰拾元叁角"),
        ("1010", "壹仟零壹拾元整"),
        ("1001", "壹仟零壹元整"),
        ("10010.01", "壹万零壹拾元零壹分"),
        ("100000", "壹拾万元整"),
        ("1000000", "壹佰万元整"),
        ("1000010", "壹佰万零壹拾元整"),
        ("10000100", "壹仟万零壹佰元整"),
        ("100000001", "壹亿零壹元整"),
        ("1000010000", "壹拾亿零壹万元整"),
        ("1000000000", "壹拾亿元整"),
        ("60400.70", "陆万零肆佰元柒角"),
    ],
)
def test_capital_yuan_reads_zeros_as_a_receipt_writes_them(amount, capitals):
    assert capital_yuan(Decimal(amount)) == capitals


@pytest.mark.parametrize("amount", ["-1", "0.001", "1E+16", "1E+40"])
def test_capital_yuan_refuses_what_is_not_an_amount_to_the_cent(amount):
    with pytest.raises(ValueError, match="not an amount"):
        capital_yuan(Decimal(amount))


def test_a_receipt_reads_number_donor_and_amount_in_figures_and_capitals(books):
    # given
    gift = donate(books, amount="1351824.99", note="定向用于社区防疫")
    # when
    pdf = documents.receipt_pdf(gift)
    # then
    assert size_mm(pdf) == (210, 148)  # A5 landscape
    (text,) = pages(pdf)
    assert "捐赠收据" in text
    assert "No. 2026-000001" in text
    assert "区卫健局机关党支部" in text
    assert "党组织" in text
    assert "源西街道" in text
    assert books.response.name in text
    assert "¥1,351,824.99" in text
    assert "人民币壹佰叁拾伍万壹仟捌佰贰拾肆元玖角玖分" in text
    assert "2026-03-09" in text
    assert "定向用于社区防疫" in text
    assert "本收据号码唯一,作废收据保留号码并另行登记。" in text
    assert "已作废" not in text
    assert b"+WenQuanYi" in pdf  # the font travels with the receipt


def test_a_cancelled_receipt_is_marked_with_its_reason(books):
    gift = donate(books, amount="200")
    cancelled = services.do_donation_cancel(
        actor=SYSTEM, donation=gift, reason="金额登记错误", now=NOW
    )
    (text,) = pages(documents.receipt_pdf(cancelled))
    assert "已作废" in text
    assert "金额登记错误" in text
    assert "No. 2026-000001" in text  # the number stays with the cancelled receipt


def test_an_anonymous_gift_reads_as_a_kind_hearted_donor(books):
    gift = donate(books, donor_kind="person", donor="", disclose=False, amount="0.5")
    (text,) = pages(documents.receipt_pdf(gift))
    assert "爱心人士" in text
    assert "个人" in text
    assert "人民币伍角" in text


def test_a_gift_in_kind_reads_its_goods_and_no_amount(books):
    # a receipt reads only what it is given: an unsaved gift in kind will do
    gift = Donation(
        response=books.response, holder=books.street, donor_kind="company", donor="源西超市",
        goods="医用口罩 500 盒、84消毒液 30 桶", received_on=DAY, receipt_no="2026-000007",
    )  # fmt: skip
    (text,) = pages(documents.receipt_pdf(gift))
    assert "医用口罩 500 盒、84消毒液 30 桶" in text
    assert "No. 2026-000007" in text
    assert "¥" not in text
    assert "人民币" not in text


def test_the_notice_lists_public_donors_totals_and_where_the_money_went(books):
    # given three gifts, one whose donor asked not to be named, and the money passed on
    donate(books, amount="1351824.99")
    donate(books, donor_kind="person", donor="王芳", disclose=False, amount="300")
    donate(books, donor_kind="company", donor="源西超市", amount="0.10")
    services.do_allocate(
        actor=SYSTEM, fund=books.donations, holder=books.street, to=books.community,
        entry=services.Entry(amount="500000", on=DAY, summary="下拨社区防疫"), now=NOW,
    )  # fmt: skip
    services.do_expend(
        actor=SYSTEM, fund=books.donations, holder=books.community,
        expense=services.Expense(
            amount="1200", on=DAY, summary="购买口罩", voucher="付-1", payee="药店"
        ),
        now=NOW,
    )  # fmt: skip
    start, end = date(2026, 3, 1), date(2026, 3, 31)
    # when
    pdf = documents.notice_pdf(
        books.response,
        start,
        end,
        selectors.public_donations(books.response, start, end).order_by("received_on", "id"),
        selectors.disclosure(books.response, start, end),
    )
    # then
    assert size_mm(pdf) == (210, 297)
    text = "".join(pages(pdf))
    assert f"{books.response.name} 捐赠公示" in text
    assert "2026-03-01 至 2026-03-31" in text
    assert "区卫健局机关党支部" in text
    assert "源西超市" in text
    assert "爱心人士" in text
    assert "王芳" not in text
    assert "1,351,824.99" in text
    assert "共 3 笔捐赠" in text
    assert "¥1,352,125.09" in text
    assert "资金去向" in text
    assert "源西街道 新港路社区 500,000.00" in text
    assert "新港路社区 1,200.00" in text
    assert "第 1 / 1 页" in text


def test_a_thousand_gifts_flow_over_pages_with_the_heading_on_each_quickly(books):
    gifts = [
        Donation(
            received_on=DAY,
            receipt_no=f"2026-{n:06d}",
            donor=f"捐赠人{n}",
            disclose=n % 3 != 0,
            amount=Decimal(n),
            goods=LONG_GOODS if n % 10 == 0 else "",
        )
        for n in range(1, 1001)
    ]
    disclosure = dataclasses.replace(
        selectors.disclosure(books.response, None, None),
        count=1000, money=Decimal(sum(range(1, 1001))), money_count=1000,
        in_kind_count=100,
    )  # fmt: skip
    began = time.perf_counter()
    pdf = documents.notice_pdf(books.response, None, None, gifts, disclosure)
    took = time.perf_counter() - began
    assert took < 3, f"{took:.2f} s"
    texts = pages(pdf)
    assert len(texts) > 10
    assert all("收据号" in page for page in texts)  # the heading repeated
    assert "2026-001000" in texts[-1]
    assert "¥500,500.00" in texts[-1]
    assert f"第 2 / {len(texts)} 页" in texts[1]
    assert "本期无下拨。" in texts[-1]
    assert "".join(texts).count("额温枪 10 支") == 100  # the second line of the goods
