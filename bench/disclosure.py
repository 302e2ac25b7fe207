"""bench/disclosure.py — the public disclosure of a response's donations (捐赠公示,
/public/donations/<response>/) at 100,000 valid donations on PostgreSQL.

The books: the seed district's tree (6 streets, 36 communities), one response, its
donations fund and its party-fee fund, 44 holders (the district's committee and Red
Cross, every street, every community). 100,000 valid donations over 60 days and about
1 % more that were cancelled (their money posted back out), each with its posting and
its receipt number (per holder and year, the sequences left where they stopped); the
money passed down the tree, spent and now and then refunded, day by day, in both funds
(a few thousand postings); every account's running figures the sums of its postings, so
that the books reconcile. Loaded with COPY, then VACUUM ANALYZE.

Measured, each next to its floor in the same run: the page itself through Django's test
client, with no sign-in — the first page, a middle page (?page=500 of 1,000) and a
week's period (?start=&end=) — against the bare SQL of the same content through a raw
cursor, rendering nothing: the response's name; one grouped aggregate of the period's
valid donations by donor kind (the count the pages need, the totals and the by-kind
table all come from it); the page of 100 rows by (received_on desc, id desc) with
OFFSET; one grouped aggregate of the donated money's allocations, expenditures and
refunds with the holders' names. The page's figures are checked equal to the floor's:
the totals, the by-kind rows, the 100 rows in order, the page number, where the money
went. Goal (issue 22): the page ≤ 200 ms at p95. Each page's queries are then run
again under EXPLAIN ANALYZE, to say where its time goes.

    python -m bench.disclosure [--reload]   # not part of the test suite
    BENCH_DISCLOSURE_DONATIONS=10000 python -m bench.disclosure --reload   # a quick try
"""

from __future__ import annotations

import html
import math
import os
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from typing import Any

from bench.common import machine, measure, ratio, setup_django, write

os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jijie_bench_disclosure"
)
DONATIONS = int(os.environ.get("BENCH_DISCLOSURE_DONATIONS", "100000"))
CANCELLED = DONATIONS // 100
DAYS = 60
RUNS = 50
GOAL_MS = 200
ROWS = 100  # the page's rows (views.PUBLIC_ROWS)
MIDDLE_PAGE = 500
PERIOD = (20, 26)  # the days of the response the period page shows, a week
RESPONSE = "新冠肺炎疫情防控"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余叶杜魏程苏"
    "吕丁任沈姚卢钟姜崔谭陆汪范廖石金贾夏付方邹熊白孟秦邱侯江尹薛闫段雷黎史龙陶贺顾毛郝龚邵万"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏飞宇浩然思雨欣怡涵轩俊嘉豪志海燕晓东春梅永亮丹凤"
COMPANY_STEMS = (
    "源城", "河源", "万绿", "东江", "客家", "新丰", "龙川", "连平", "紫金", "宏达", "康泰",
    "永盛", "华兴", "恒信", "嘉禾", "鸿运", "金穗", "明珠", "粤东", "新港",
)  # fmt: skip
TRADES = (
    "建材", "商贸", "电子", "医药", "物流", "食品", "科技", "实业", "房地产开发", "百货",
    "餐饮", "五金", "电力工程", "农业发展", "汽车销售",
)  # fmt: skip
OTHERS = (
    "源城区客家商会", "河源市潮汕商会", "源城区志愿者协会", "河源中学校友会",
    "源城区个体劳动者协会", "东江读书会", "源城区退役军人协会", "源城区慈善会",
)  # fmt: skip
PERSON_GIFTS = (100, 200, 200, 300, 500, 500, 500, 600, 800, 1000, 1000, 1000, 1500, 2000,
                2000, 3000, 5000)  # fmt: skip
COMPANY_GIFTS = (5000, 10000, 10000, 20000, 30000, 50000)
CANCEL_REASONS = ("金额录入错误,已重新开具收据", "捐赠方名称有误,已重新开具收据", "重复登记")
PURCHASES = (
    ("采购医用防护服", "康泰医疗器械有限公司"),
    ("采购消毒液、体温计", "本地药店"),
    ("租用值守帐篷和取暖器", "源城五金店"),
    ("慰问一线值守人员", "源城百货"),
    ("困难群众生活补助", "困难群众"),
    ("隔离点餐饮", "客家餐饮有限公司"),
)

# How a posting moves a cash account's (received, allocated, spent), as the services
# move them (services/base.py): on the debited account, on the credited one.
DEBIT_MOVES = {"donation": (1, 0, 0), "income": (1, 0, 0), "allocation": (1, 0, 0),
               "refund": (0, 0, -1)}  # fmt: skip
CREDIT_MOVES = {"allocation": (0, 1, 0), "expenditure": (0, 0, 1), "cancellation": (-1, 0, 0)}
POSTING_COLUMNS = ("id", "response_id", "fund_id", "kind", "debit_id", "credit_id", "amount",
                   '"on"', "voucher", "summary", "payee", "refund_of_id", "at", "actor_label")  # fmt: skip
DONATION_COLUMNS = ("response_id", "fund_id", "holder_id", "area_path", "donor_kind", "donor",
                    "disclose", "amount", "goods", "received_on", "receipt_no", "note",
                    "posting_id", "state", "cancelled_at", "cancel_reason", "cancellation_id",
                    "created_at")  # fmt: skip


def cents_to_yuan(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _at(on: date, hour: int, minute: int = 0) -> datetime:
    """A moment of a day, in the project's time zone."""
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(on, clock(hour, minute)))


@dataclass
class Books:
    """Every account's running figures in cents, moved as each posting is appended, and
    the postings as rows to copy in, in the order they happened."""

    response_id: int
    next_id: int
    # account id → [received, allocated, spent, balance]
    figures: dict[int, list[int]] = field(default_factory=dict)
    cash: set[int] = field(default_factory=set)
    postings: list[tuple[Any, ...]] = field(default_factory=list)

    def balance(self, account_id: int) -> int:
        return self.figures[account_id][3]

    def post(
        self,
        fund_id: int,
        kind: str,
        *,
        debit: int,
        credit: int,
        cents: int,
        on: date,
        at: datetime,
        voucher: str,
        summary: str,
        payee: str = "",
        refund_of: int | None = None,
    ) -> int:
        assert cents > 0
        for account, moves, sign in ((debit, DEBIT_MOVES, 1), (credit, CREDIT_MOVES, -1)):
            figures = self.figures[account]
            figures[3] += sign * cents
            if account in self.cash:
                for index, move in enumerate(moves.get(kind, (0, 0, 0))):
                    figures[index] += move * cents
                assert figures[3] >= 0, (account, figures)
        posting_id = self.next_id
        self.next_id += 1
        self.postings.append((
            posting_id, self.response_id, fund_id, kind, debit, credit, cents, on, voucher,
            summary, payee, refund_of, at, "bench",
        ))  # fmt: skip
        return posting_id


@dataclass
class Tree:
    """The holders by level, with the accounts of each fund: (fund, holder) → id."""

    district: list[Any]
    streets: list[Any]
    communities: dict[int, list[Any]]  # street holder's pk → its communities' holders
    cash: dict[tuple[int, int], int]
    spent: dict[tuple[int, int], int]
    source: dict[int, int]


def _donor(rng: random.Random, agencies: list[str]) -> tuple[str, str, bool, int]:
    """(kind, name, disclose, cents) of one gift, in the shares a district sees."""
    draw = rng.random()
    if draw < 0.72:
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))
        cents = rng.choice(PERSON_GIFTS) * 100 if rng.random() < 0.8 else rng.randint(10000, 300000)
        if rng.random() < 0.2:  # not to be named: some leave no name at all
            return "person", "" if rng.random() < 0.5 else name, False, cents
        return "person", name, True, cents
    if draw < 0.82:
        return (
            "branch_members",
            f"{rng.choice(agencies)}第{rng.randint(1, 9)}党支部党员",
            True,
            rng.randint(80000, 900000),
        )
    if draw < 0.90:
        name = f"{rng.choice(COMPANY_STEMS)}{rng.choice(TRADES)}有限公司"
        cents = (
            rng.choice(COMPANY_GIFTS) * 100 if rng.random() < 0.8 else rng.randint(200000, 2000000)
        )
        return "company", name, True, cents
    if draw < 0.98:
        return "organisation", f"{rng.choice(agencies)}机关党委", True, rng.randint(100000, 800000)
    return "other", rng.choice(OTHERS), True, rng.randint(50000, 500000)


def _spend_and_pass_down(
    books: Books,
    tree: Tree,
    fund_id: int,
    day: int,
    on: date,
    rng: random.Random,
    refunds: list[tuple[int, int, int, int]],
) -> None:
    """The end of a day in one fund: the district's holders pass part of what they hold to
    streets every other day, the streets to their communities on the days between, and
    those holding money spend some of it (now and then a supplier refunds part)."""
    at = _at(on, 17, 30)
    for expenditure, holder_pk, cents, _fund in [r for r in refunds if r[3] == fund_id]:
        cash, spent = tree.cash[fund_id, holder_pk], tree.spent[fund_id, holder_pk]
        books.post(
            fund_id, "refund", debit=cash, credit=spent, cents=cents, on=on, at=at,
            voucher=f"TH-{expenditure}", summary="供应商退回多付货款", refund_of=expenditure,
        )  # fmt: skip
    refunds[:] = [r for r in refunds if r[3] != fund_id]
    givers = (
        [(h, rng.sample(tree.streets, 3), 0.04) for h in tree.district]
        if day % 2 == 0
        else [(h, rng.sample(tree.communities[h.pk], 2), 0.12) for h in tree.streets]
    )
    for giver, takers, share in givers:
        giving = tree.cash[fund_id, giver.pk]
        for taker in takers:
            cents = int(books.balance(giving) * share * rng.uniform(0.5, 1.5)) // 10000 * 10000
            if cents > 0:
                books.post(
                    fund_id, "allocation", debit=tree.cash[fund_id, taker.pk], credit=giving,
                    cents=cents, on=on, at=at, voucher=f"BK-{books.next_id}",
                    summary="下拨资金,用于一线防控", payee=taker.name,
                )  # fmt: skip
    holders = [*tree.district, *tree.streets, *(c for cs in tree.communities.values() for c in cs)]
    for holder in holders:
        cash = tree.cash[fund_id, holder.pk]
        held = books.balance(cash)
        if held < 100000 or rng.random() > 0.5:
            continue
        cents = int(held * rng.uniform(0.01, 0.06))
        summary, payee = rng.choice(PURCHASES)
        expenditure = books.post(
            fund_id, "expenditure", debit=tree.spent[fund_id, holder.pk], credit=cash,
            cents=cents, on=on, at=at, voucher=f"FK-{books.next_id}", summary=summary,
            payee=payee,
        )  # fmt: skip
        if rng.random() < 0.03:
            refunds.append((expenditure, holder.pk, max(cents // 10 // 100 * 100, 100), fund_id))


def _load(rng: random.Random) -> dict[str, Any]:
    """The tree's holders, both funds and their accounts, then day by day the donations
    (with their cancellations) and the money passed down and spent, copied in; then the
    accounts' figures, the receipt sequences, VACUUM ANALYZE."""
    from django.db import connection
    from django.utils import timezone

    from jijie.areas.models import Area, AreaKind
    from jijie.audit.actors import SYSTEM
    from jijie.funds import services
    from jijie.funds.demo import AGENCIES
    from jijie.funds.models import Account, AccountKind, Donation, FundKind, ReceiptSequence
    from jijie.responses.models import Response
    from jijie.responses.services import do_response_activate

    started = time.perf_counter()
    district = Area.objects.get(kind=AreaKind.DISTRICT)
    first = timezone.localdate() - timedelta(days=DAYS)
    response = Response.objects.filter(area=district, name=RESPONSE).first() or (
        do_response_activate(actor=SYSTEM, area=district, name=RESPONSE, level="1")
    )
    Response.objects.filter(pk=response.pk).update(started_at=_at(first, 8))
    gifts = services.do_fund_create(
        actor=SYSTEM, response=response, area=district, name="防疫捐款", kind=FundKind.DONATION
    )
    party = services.do_fund_create(
        actor=SYSTEM, response=response, area=district, name="党费专项资金", kind=FundKind.PARTY_FEE
    )

    def holder(area: Any, name: str, kind: str) -> Any:
        return services.do_holder_create(actor=SYSTEM, area=area, name=name, kind=kind)

    streets = Area.objects.filter(
        path__startswith=district.path, kind__in=[AreaKind.STREET, AreaKind.TOWN]
    ).order_by("path")
    district_holders = [
        holder(district, f"{district.name}委组织部", "committee"),
        holder(district, f"{district.name}红十字会", "unit"),
    ]
    street_holders, community_holders = [], {}
    for street in streets:
        street_holder = holder(street, street.name, "street")
        street_holders.append(street_holder)
        community_holders[street_holder.pk] = [
            holder(community, community.name, "community")
            for community in Area.objects.filter(
                path__startswith=street.path, kind__in=[AreaKind.COMMUNITY, AreaKind.VILLAGE]
            ).order_by("path")
        ]
    every = [
        *district_holders,
        *street_holders,
        *(c for cs in community_holders.values() for c in cs),
    ]
    Account.objects.bulk_create(
        Account(fund=fund, holder=h, kind=kind, area_path=h.area_path)
        for fund in (gifts, party)
        for h in every
        for kind in (AccountKind.CASH, AccountKind.SPENT)
    )
    accounts = list(Account.objects.filter(fund__in=[gifts, party]))
    tree = Tree(
        district=district_holders,
        streets=street_holders,
        communities=community_holders,
        cash={(a.fund_id, a.holder_id): a.pk for a in accounts if a.kind == AccountKind.CASH},
        spent={(a.fund_id, a.holder_id): a.pk for a in accounts if a.kind == AccountKind.SPENT},
        source={a.fund_id: a.pk for a in accounts if a.kind == AccountKind.SOURCE},
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM funds_posting")
        next_id = cursor.fetchone()[0]
    books = Books(
        response_id=response.pk,
        next_id=next_id,
        figures={a.pk: [0, 0, 0, 0] for a in accounts},
        cash={a.pk for a in accounts if a.kind == AccountKind.CASH},
    )

    # Who receives: the committee and the Red Cross most, then the streets, the communities.
    receivers = every
    district_weight = {district_holders[0].pk: 0.40, district_holders[1].pk: 0.30}
    communities = len(every) - len(district_holders) - len(street_holders)
    weights = [
        district_weight.get(h.pk)
        or (0.15 / len(street_holders) if h in street_holders else 0.15 / communities)
        for h in receivers
    ]
    # More gifts in the first weeks, fewer as the response goes on.
    total = DONATIONS + CANCELLED
    per_day = [1 + 3 * math.exp(-day / 15) for day in range(DAYS)]
    counts = [int(total * w / sum(per_day)) for w in per_day]
    counts[0] += total - sum(counts)
    cancelled = set(rng.sample(range(total), CANCELLED))
    agencies = [*AGENCIES, *(f"区第{n}中学" for n in range(1, 21))]
    sequences: dict[tuple[int, int], int] = defaultdict(int)
    donations: list[tuple[Any, ...]] = []
    refunds: list[tuple[int, int, int, int]] = []
    number = 0
    party_source = tree.source[party.pk]
    for day in range(DAYS):
        on = first + timedelta(days=day)
        if day == 1:
            books.post(
                party.pk, "income", debit=tree.cash[party.pk, district_holders[0].pk],
                credit=party_source, cents=110000000, on=on, at=_at(on, 10), voucher="DF-001",
                summary="上级党组织下拨党费,用于支持疫情防控一线",
            )  # fmt: skip
        stamps = sorted(_at(on, rng.randint(8, 19), rng.randint(0, 59)) for _ in range(counts[day]))
        for at in stamps:
            receiver = rng.choices(receivers, weights)[0]
            kind, donor, disclose, cents = _donor(rng, agencies)
            sequences[receiver.pk, on.year] += 1
            receipt = f"{on.year}-{sequences[receiver.pk, on.year]:06d}"
            cash, source = tree.cash[gifts.pk, receiver.pk], tree.source[gifts.pk]
            posting = books.post(
                gifts.pk, "donation", debit=cash, credit=source, cents=cents, on=on, at=at,
                voucher=receipt, summary=f"{donor if disclose else '爱心人士'}捐款",
                payee=receiver.name,
            )  # fmt: skip
            state, cancelled_at, reason, cancellation = "valid", None, "", None
            if number in cancelled:
                state, cancelled_at = "cancelled", at + timedelta(hours=1)
                reason = rng.choice(CANCEL_REASONS)
                cancellation = books.post(
                    gifts.pk, "cancellation", debit=source, credit=cash, cents=cents, on=on,
                    at=cancelled_at, voucher=receipt, summary=f"作废收据 {receipt}:{reason}",
                )  # fmt: skip
            number += 1
            donations.append((
                response.pk, gifts.pk, receiver.pk, receiver.area_path, kind, donor, disclose,
                cents, "", on, receipt, "", posting, state, cancelled_at, reason, cancellation, at,
            ))  # fmt: skip
        for fund in (gifts, party):
            _spend_and_pass_down(books, tree, fund.pk, day, on, rng, refunds)

    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            f"COPY funds_posting ({', '.join(POSTING_COLUMNS)}) FROM STDIN"
        ) as copy:
            for row in books.postings:
                copy.write_row(row)
        with cursor.cursor.copy(
            f"COPY funds_donation ({', '.join(DONATION_COLUMNS)}) FROM STDIN"
        ) as copy:
            for row in donations:
                copy.write_row(row)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('funds_posting', 'id'), (SELECT MAX(id) FROM funds_posting))"
        )
    for account in accounts:
        received, allocated, spent, balance = books.figures[account.pk]
        account.received, account.allocated = cents_to_yuan(received), cents_to_yuan(allocated)
        account.spent, account.balance = cents_to_yuan(spent), cents_to_yuan(balance)
    Account.objects.bulk_update(accounts, ["received", "allocated", "spent", "balance"])
    ReceiptSequence.objects.bulk_create(
        ReceiptSequence(holder_id=h, year=year, last=last) for (h, year), last in sequences.items()
    )
    with connection.cursor() as cursor:
        for table in ("funds_posting", "funds_donation", "funds_account"):
            # VACUUM as autovacuum would after such an insert: the visibility map is
            # set, and the run does not race it.
            cursor.execute(f"VACUUM ANALYZE {table}")
    kinds: dict[str, int] = defaultdict(int)
    for row in books.postings:
        kinds[row[3]] += 1
    return {
        "donations": Donation.objects.count(),
        "postings": len(books.postings),
        "postings_by_kind": dict(sorted(kinds.items())),
        "holders": len(every),
        "accounts": len(accounts),
        "loaded_s": round(time.perf_counter() - started, 1),
    }


def _period(start: date | None, end: date | None) -> tuple[str, list[Any]]:
    sql, params = "", []
    if start is not None:
        sql, params = sql + " AND {on} >= %s", [*params, start]
    if end is not None:
        sql, params = sql + " AND {on} <= %s", [*params, end]
    return sql, params


def floor(response_id: int, start: date | None, end: date | None, page: int) -> dict[str, Any]:
    """The page's content by hand: the response's name; the valid donations of the period
    grouped by donor kind (their count is the pages', their sums the totals); the page's
    100 rows; the donated money's allocations, expenditures and refunds by holder."""
    from django.db import connection

    period, dates = _period(start, end)
    donations = " FROM funds_donation WHERE response_id = %s AND state = 'valid'" + period.format(
        on="received_on"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM responses_response WHERE id = %s", [response_id])
        (name,) = cursor.fetchone()
        cursor.execute(
            "SELECT donor_kind, COUNT(*), SUM(amount), COUNT(amount),"
            " COUNT(*) FILTER (WHERE goods <> '')" + donations + " GROUP BY donor_kind",
            [response_id, *dates],
        )
        groups = cursor.fetchall()
        count = sum(g[1] for g in groups)
        number = max(1, min(page, math.ceil(count / ROWS)))
        cursor.execute(
            "SELECT received_on, receipt_no, donor, disclose, amount, goods"
            + donations
            + " ORDER BY received_on DESC, id DESC LIMIT %s OFFSET %s",
            [response_id, *dates, ROWS, (number - 1) * ROWS],
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT p.kind, giver.name, taker.name, SUM(p.amount) FROM funds_posting p"
            " JOIN funds_fund f ON f.id = p.fund_id"
            " JOIN funds_account c ON c.id = p.credit_id"
            " LEFT JOIN funds_holder giver ON giver.id = c.holder_id"
            " JOIN funds_account d ON d.id = p.debit_id"
            " LEFT JOIN funds_holder taker ON taker.id = d.holder_id"
            " WHERE p.response_id = %s AND f.kind = 'donation'"
            " AND p.kind IN ('allocation', 'expenditure', 'refund')"
            + period.format(on='p."on"')
            + " GROUP BY p.kind, giver.name, taker.name ORDER BY p.kind, giver.name, taker.name",
            [response_id, *dates],
        )
        went = cursor.fetchall()
    return {
        "name": name,
        "groups": groups,
        "count": count,
        "number": number,
        "rows": rows,
        "went": went,
    }


@dataclass
class Shown:
    """What a disclosure page says, as a reader would copy it out."""

    totals: tuple[int, str]
    by_kind: list[tuple[str, int, str]]
    rows: list[tuple[str, ...]]
    number: tuple[int, int] | None
    allocated: list[tuple[str, str, str]]
    spent: list[tuple[str, str]]


def _section(page: str, testid: str, end: str) -> str:
    at = page.find(f'data-testid="{testid}"')
    return "" if at < 0 else page[at : page.index(end, at)]


def read_page(page: str) -> Shown:
    totals = re.search(r"共收到捐赠 (\d+) 笔.{1,2}其中捐款合计 <strong>([^<]*)</strong>", page)
    assert totals is not None
    by_kind = re.findall(
        r"<td>([^<]*)</td>\s*<td class=\"num\">\s*(\d+) 笔\s*</td>\s*"
        r"<td class=\"num\">([^<]*?) 元</td>",
        _section(page, "by-kind", "</table>"),
    )
    rows = re.findall(
        r"<td class=\"when\">([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*"
        r"<td class=\"num\">([^<]*)</td>\s*<td>([^<]*)</td>",
        _section(page, "public-donations", "</table>"),
    )
    number = re.search(r"<span>(\d+) / (\d+)</span>", page)
    allocated = re.findall(
        r"<li>\s*(\S+) 拨付 (\S+) (\S+) 元\s*</li>", _section(page, "allocated", "</ul>")
    )
    spent = re.findall(r"<li>\s*(\S+) 支出 (\S+) 元\s*</li>", _section(page, "spent", "</ul>"))
    return Shown(
        totals=(int(totals[1]), totals[2]),
        by_kind=[(html.unescape(k), int(n), m) for k, n, m in by_kind],
        rows=[tuple(html.unescape(cell) for cell in row) for row in rows],
        number=(int(number[1]), int(number[2])) if number else None,
        allocated=[tuple(html.unescape(x) for x in a) for a in allocated],
        spent=[(html.unescape(h), m) for h, m in spent],
    )


def expected(answer: dict[str, Any]) -> Shown:
    """The floor's answer written out as the page writes it."""
    from jijie.core.decimals import yuan
    from jijie.funds.models import DonorKind

    labels = dict(DonorKind.choices)
    money = sum((g[2] or 0 for g in answer["groups"]), 0)
    by_kind = sorted(answer["groups"], key=lambda g: -(g[2] or 0))
    spent: dict[str, int] = defaultdict(int)
    allocated = []
    for kind, giver, taker, cents in answer["went"]:
        if kind == "expenditure":
            spent[giver] += cents
        elif kind == "refund":
            spent[taker] -= cents
        else:
            allocated.append((giver, taker, yuan(cents_to_yuan(cents))))
    pages = math.ceil(answer["count"] / ROWS)
    return Shown(
        totals=(answer["count"], yuan(cents_to_yuan(money))),
        by_kind=[(str(labels[k]), n, yuan(cents_to_yuan(m or 0))) for k, n, m, *_ in by_kind],
        rows=[
            (
                on.isoformat(),
                receipt,
                donor if disclose and donor else "爱心人士",
                yuan(cents_to_yuan(cents)) if cents is not None else "—",
                goods or "—",
            )
            for on, receipt, donor, disclose, cents, goods in answer["rows"]
        ],
        number=(answer["number"], pages) if pages > 1 else None,
        allocated=allocated,
        spent=[(holder, yuan(cents_to_yuan(cents))) for holder, cents in sorted(spent.items())],
    )


def explain(client: Any, url: str, params: dict[str, Any]) -> dict[str, Any]:
    """One request of the page with its queries captured, then each query run again under
    EXPLAIN ANALYZE: what each costs in the database, and the plans of the dearest."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url, params)
    request_ms = (time.perf_counter() - started) * 1000
    assert answer.status_code == 200, answer.status_code
    queries = []
    for query in captured.captured_queries:
        sql = query["sql"]
        entry: dict[str, Any] = {"sql": sql, "client_ms": round(float(query["time"]) * 1000, 2)}
        if sql.lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0][0]
                entry["execution_ms"] = round(plan["Execution Time"], 2)
                entry["planning_ms"] = round(plan["Planning Time"], 2)
                if "JIT" in plan:
                    entry["jit_ms"] = round(plan["JIT"]["Timing"]["Total"], 2)
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                entry["plan"] = "\n".join(row[0] for row in cursor.fetchall())
        queries.append(entry)
    dearest = sorted(queries, key=lambda q: -q.get("execution_ms", 0))
    for query in dearest[3:]:
        query.pop("plan", None)
    return {
        "request_ms": round(request_ms, 1),
        "queries": len(queries),
        "database_ms": round(sum(q["client_ms"] for q in queries), 1),
        "each": queries,
    }


def main() -> None:
    setup_django()
    from django.db import connection
    from django.db.models import Max, Min
    from django.test import Client
    from django.urls import reverse

    from jijie.areas.demo import CITY, build
    from jijie.areas.models import Area
    from jijie.funds import selectors
    from jijie.funds.models import (
        Account,
        Attachment,
        Closing,
        Contribution,
        Donation,
        Fund,
        Holder,
        Posting,
        ReceiptSequence,
    )
    from jijie.responses.models import Response

    rng = random.Random(2020)
    if Area.objects.filter(code=CITY[0]).first() is None:
        build("small", 2020)  # the seed district's streets and communities, few buildings
    if "--reload" in sys.argv:
        tables = [
            m._meta.db_table
            for m in (
                Contribution,
                Attachment,
                Closing,
                Donation,
                Posting,
                ReceiptSequence,
                Account,
                Fund,
                Holder,
            )
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
    loaded: dict[str, Any] | None = None
    if not Donation.objects.exists():
        loaded = _load(rng)
        print(loaded)
    response = Response.objects.get(name=RESPONSE)
    for fund in Fund.objects.filter(response=response):
        assert selectors.trial_balance(fund) == 0, fund
    assert selectors.ledger_disagreements() == []
    days = Donation.objects.aggregate(first=Min("received_on"), last=Max("received_on"))
    first, last = days["first"], days["last"]
    start, end = first + timedelta(days=PERIOD[0]), first + timedelta(days=PERIOD[1])
    url = reverse("public:disclosure", args=[response.pk])
    client = Client()  # no sign-in: the public's page
    kinds = {
        "first": ({}, None, None, 1),
        "middle": ({"page": MIDDLE_PAGE}, None, None, MIDDLE_PAGE),
        "period": ({"start": start.isoformat(), "end": end.isoformat()}, start, end, 1),
    }
    results: dict[str, Any] = {}
    for kind, (params, since, until, page) in kinds.items():

        def product(params: dict[str, Any] = params) -> str:
            answer = client.get(url, params)
            assert answer.status_code == 200, answer.status_code
            return answer.content.decode()

        def by_hand(
            since: date | None = since, until: date | None = until, page: int = page
        ) -> dict[str, Any]:
            return floor(response.pk, since, until, page)

        shown, wanted = read_page(product()), expected(by_hand())
        assert shown == wanted, (kind, shown, wanted)
        assert len(shown.rows) == ROWS, kind
        assert shown.allocated, kind
        assert shown.spent, kind
        page_figures = measure(product, runs=RUNS, warmup=5)
        floor_figures = measure(by_hand, runs=RUNS, warmup=5)
        results[kind] = {
            "params": params,
            "donations_in_period": shown.totals[0],
            "page": page_figures,
            "floor": floor_figures,
            "ratio": ratio(page_figures, floor_figures),
            "ratio_p95": ratio(page_figures, floor_figures, "p95_ms"),
            "meets_goal": page_figures["p95_ms"] <= GOAL_MS,
        }
        print(kind, page_figures, floor_figures)
    for kind, (params, *_rest) in kinds.items():
        results[kind]["explained"] = explain(client, url, params)

    figures = {
        "machine": {**machine(), "load_average": [round(x, 2) for x in os.getloadavg()]},
        "loaded": loaded,
        "donations": {
            "valid": Donation.objects.filter(response=response, state="valid").count(),
            "cancelled": Donation.objects.filter(response=response, state="cancelled").count(),
            "from": first.isoformat(),
            "to": last.isoformat(),
        },
        "postings": Posting.objects.filter(response=response).count(),
        "goal_p95_ms": GOAL_MS,
        **results,
    }
    write("disclosure", figures, _markdown(figures))


def _markdown(figures: dict[str, Any]) -> str:
    m, d = figures["machine"], figures["donations"]
    labels = {
        "first": "first page",
        "middle": f"middle page (?page={MIDDLE_PAGE}, OFFSET {(MIDDLE_PAGE - 1) * ROWS:,})",
        "period": f"a week's period (?start=&end=, {figures['period']['donations_in_period']:,} donations), first page",
    }
    lines = []
    for kind, label in labels.items():
        r = figures[kind]
        lines.append(
            f"| {label} | {r['page']['median_ms']} | {r['page']['p95_ms']} "
            f"| {r['floor']['median_ms']} | {r['floor']['p95_ms']} | {r['ratio']} "
            f"| {r['ratio_p95']} | {'yes' if r['meets_goal'] else 'NO'} |"
        )
    table = "\n".join(lines)
    where = []
    for kind, label in labels.items():
        e = figures[kind]["explained"]
        dearest = sorted(e["each"], key=lambda q: -q.get("execution_ms", 0))[:4]
        parts = ", ".join(
            f"{_what(q['sql'])} {q['execution_ms']} ms" for q in dearest if "execution_ms" in q
        )
        where.append(
            f"| {label} | {e['request_ms']} | {e['queries']} | {e['database_ms']} | {parts} |"
        )
    where_table = "\n".join(where)
    return f"""# bench/disclosure.py

{m["when"]}, {m["cpus"]} CPUs (load average {", ".join(map(str, m["load_average"]))} at the end), Python {m["python"]}, {m["database"]}.
{d["valid"]:,} valid donations and {d["cancelled"]:,} cancelled ones from {d["from"]} to {d["to"]}, {figures["postings"]:,} postings of the response (donations, cancellations, both funds' allocations, expenditures and refunds).

The public disclosure page (/public/donations/<response>/, no sign-in) through Django's test
client, {RUNS} requests of each after 5 of warm-up, against its floor: the same content as
bare SQL through a raw cursor (the response's name; one grouped aggregate of the valid
donations by donor kind, which gives the count, the totals and the by-kind table; the
page's {ROWS} rows by (received_on desc, id desc) with OFFSET; one grouped aggregate of the
donated money's allocations, expenditures and refunds with the holders' names), rendering
nothing. The page's totals, by-kind rows, {ROWS} rows in order, page number and where the
money went are checked equal to the floor's. Goal (issue 22): p95 ≤ {GOAL_MS} ms.

| page | median ms | p95 ms | floor median ms | floor p95 ms | × floor (median) | × floor (p95) | p95 ≤ {GOAL_MS} ms |
|---|---|---|---|---|---|---|---|
{table}

Where one request's time goes (its queries captured, then each run again under EXPLAIN
ANALYZE; the plans of the dearest three are in disclosure.json):

| page | request ms | queries | their time ms | dearest, execution ms |
|---|---|---|---|---|
{where_table}
"""


def _what(sql: str) -> str:
    """A query named by what it reads, for the table."""
    head = sql.upper()
    if 'FROM "FUNDS_POSTING"' in head:
        for kind in ("EXPENDITURE", "REFUND", "ALLOCATION"):
            if f"'{kind}'" in head:
                return f"postings ({kind.lower()})"
        return "postings"
    if 'FROM "FUNDS_DONATION"' in head:
        if "GROUP BY" in head:
            return "donations by kind"
        if "COUNT(" in head and "SUM(" in head:
            return "donation totals"
        if "COUNT(" in head:
            return "donations count"
        return "donation rows"
    return "other"


if __name__ == "__main__":
    main()
