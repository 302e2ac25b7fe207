"""Demo step: the response's money, with the seeds' figures exactly.

- Seed 000: 1,100,000 yuan of party fees allocated to the front line — received by the
  district committee, passed to every street, on to communities, spent on protective
  supplies (one of them a purchase that went into the district's warehouse).
- Seed 000: "全区100多个单位780多个党组织" donated 1,351,824.99 yuan — 780 party
  organisations of 104 agencies, one receipt each, received by the committee; one
  branch's gift carries its members' list.
- Seed 003: someone left 2,000 yuan and 60 masks at the police station without a name:
  one anonymous donation to 新港路社区, the money into the donations fund, the masks into
  its room; the public notice reads 爱心人士.
"""

from __future__ import annotations

from decimal import Decimal

from jijie.areas.models import Area, AreaKind
from jijie.audit.actors import SYSTEM
from jijie.core.demo import DemoContext
from jijie.funds import services
from jijie.funds.models import Donation, Fund, FundKind, Holder, HolderKind
from jijie.responses.models import Response, ResponseStatus
from jijie.supplies.models import Item, Store

ORDER = 96
PARTY_FEES = Decimal("1100000.00")
ORGANISATIONS_TOTAL = Decimal("1351824.99")
ORGANISATIONS = 780
ANONYMOUS_COMMUNITY = "新港路社区"

AGENCIES = (
    "区委办公室", "区政府办公室", "区纪委监委机关", "区委组织部", "区委宣传部", "区委统战部",
    "区委政法委", "区委编办", "区直机关工委", "区委党校", "区发展和改革局", "区教育局",
    "区科技工业和信息化局", "区公安分局", "区民政局", "区司法局", "区财政局",
    "区人力资源和社会保障局", "区自然资源局", "区生态环境分局", "区住房和城乡建设局",
    "区交通运输局", "区水务局", "区农业农村局", "区商务局", "区文化广电旅游体育局",
    "区卫生健康局", "区退役军人事务局", "区应急管理局", "区审计局", "区市场监督管理局",
    "区统计局", "区医疗保障局", "区城市管理和综合执法局", "区信访局", "区政务服务数据管理局",
    "区供销合作社", "区总工会", "团区委", "区妇联", "区科协", "区工商联", "区残联",
    "区税务局", "区人民法院", "区人民检察院", "区人武部", "区档案馆", "区机关事务管理局",
    "区融媒体中心", "区疾病预防控制中心", "区人民医院", "区中医院", "区妇幼保健院",
)  # fmt: skip
SCHOOLS = 50  # 区第一中学 … : with the 54 above, 104 agencies


def _agencies() -> list[str]:
    numerals = "一二三四五六七八九十"

    def number(n: int) -> str:
        tens, ones = divmod(n, 10)
        return (
            (numerals[tens - 1] if tens > 1 else "")
            + ("十" if tens else "")
            + (numerals[ones - 1] if ones else "")
        )

    return [
        *AGENCIES,
        *(f"区第{number(n)}{'中学' if n <= 20 else '小学'}" for n in range(1, SCHOOLS + 1)),
    ]


def _organisations(ctx: DemoContext) -> list[tuple[str, Decimal]]:
    """780 organisations of the 104 agencies with their gifts, adding up exactly to the
    seed's total: amounts drawn in whole yuan, the last one taking the difference."""
    rng = ctx.rng_for("funds:organisations")
    agencies = _agencies()
    names = []
    for index in range(ORGANISATIONS):
        agency = agencies[index % len(agencies)]
        branch = index // len(agencies) + 1
        names.append(f"{agency}机关第{branch}党支部" if branch > 1 else f"{agency}机关党支部")
    weights = [rng.randint(600, 2800) for _ in range(ORGANISATIONS)]
    scale = ORGANISATIONS_TOTAL / sum(weights)
    amounts = [(weight * scale).quantize(Decimal("0.01")) for weight in weights[:-1]]
    amounts.append(ORGANISATIONS_TOTAL - sum(amounts))
    return list(zip(names, amounts, strict=True))


def populate(ctx: DemoContext) -> None:
    response = Response.objects.filter(status=ResponseStatus.ACTIVE).order_by("started_at").first()
    district = Area.objects.filter(kind=AreaKind.DISTRICT).order_by("path").first()
    if response is None or district is None:
        ctx.out("  no response or district: skipped")
        return
    if Fund.objects.filter(response=response).exists():
        ctx.out("  funds already there")
        return
    party = services.do_fund_create(
        actor=SYSTEM, response=response, area=district, name="党费专项资金", kind=FundKind.PARTY_FEE
    )
    gifts = services.do_fund_create(
        actor=SYSTEM, response=response, area=district, name="防疫捐款", kind=FundKind.DONATION
    )
    committee = _holder(district, f"{district.name}委组织部", HolderKind.COMMITTEE)
    streets = list(
        Area.objects.filter(
            path__startswith=district.path, kind__in=[AreaKind.STREET, AreaKind.TOWN]
        ).order_by("path")
    )
    _party_fees(ctx, party, committee, streets)
    _organisation_gifts(ctx, response, gifts, committee, streets)
    _anonymous_gift(ctx, response, gifts)
    ctx.out(f"  {Donation.objects.count()} donations, {Holder.objects.count()} holders")


def _holder(area: Area, name: str, kind: str) -> Holder:
    return Holder.objects.filter(area=area, name=name).first() or services.do_holder_create(
        actor=SYSTEM, area=area, name=name, kind=kind
    )


def _party_fees(ctx: DemoContext, fund: Fund, committee: Holder, streets: list[Area]) -> None:
    """1,100,000 received; 600,000 passed to the streets in equal parts (to the cent,
    the first street taking the remainder), each street passing half of its part on to
    its communities; spending at every level."""
    services.do_income_receive(
        actor=SYSTEM, fund=fund, holder=committee, now=ctx.at(-21, 10),
        entry=services.Entry(
            amount=PARTY_FEES, on=ctx.day(-21), voucher="DF-001",
            summary="上级党组织下拨党费,用于支持疫情防控一线",
        ),
    )  # fmt: skip
    warehouse = Store.objects.filter(area__path=committee.area_path).order_by("pk").first()
    gloves = Item.objects.filter(name="医用手套").first()
    if warehouse is not None and gloves is not None:
        services.do_purchase(
            actor=SYSTEM, fund=fund, holder=committee, now=ctx.at(-20, 15),
            purchase=services.Purchase(
                amount="36000.00", on=ctx.day(-20), voucher="付-2020-001",
                summary="采购医用手套", payee="康泰医疗器械有限公司",
                store=warehouse, item=gloves, quantity=20000,
            ),
        )  # fmt: skip
    if not streets:
        return
    part, _rest = divmod(Decimal("600000.00"), len(streets))
    part = part.quantize(Decimal("0.01"))
    remainder = Decimal("600000.00") - part * len(streets)
    for index, street in enumerate(streets):
        holder = _holder(street, street.name, HolderKind.STREET)
        amount = part + (remainder if index == 0 else 0)
        services.do_allocate(
            actor=SYSTEM, fund=fund, holder=committee, to=holder, now=ctx.at(-19, 10),
            entry=services.Entry(
                amount=amount, on=ctx.day(-19), voucher=f"DF-1{index:02d}",
                summary="下拨党费,支持街道一线防控",
            ),
        )  # fmt: skip
        communities = list(
            Area.objects.filter(
                path__startswith=street.path, kind__in=[AreaKind.COMMUNITY, AreaKind.VILLAGE]
            ).order_by("path")
        )
        each = (amount / 2 / max(len(communities), 1)).quantize(Decimal("0.01"), "ROUND_DOWN")
        for number, community in enumerate(communities):
            taker = _holder(community, community.name, HolderKind.COMMUNITY)
            services.do_allocate(
                actor=SYSTEM, fund=fund, holder=holder, to=taker, now=ctx.at(-18, 11),
                entry=services.Entry(
                    amount=each, on=ctx.day(-18), voucher=f"JD-{number + 1:03d}",
                    summary="下拨党费,用于社区卡口值守和困难群众",
                ),
            )  # fmt: skip
            spent = Decimal(ctx.rng_for(f"funds:spend:{community.name}").randint(800, 3000))
            services.do_expend(
                actor=SYSTEM, fund=fund, holder=taker, now=ctx.at(-15, 16),
                expense=services.Expense(
                    amount=min(spent, each), on=ctx.day(-15), voucher=f"SQ-{number + 1:03d}",
                    summary="购买消毒液、体温计和值守帐篷", payee="本地药店、五金店",
                ),
            )  # fmt: skip


def _organisation_gifts(
    ctx: DemoContext, response: Response, fund: Fund, committee: Holder, streets: list[Area]
) -> None:
    organisations = _organisations(ctx)
    for index, (name, amount) in enumerate(organisations):
        members: list[tuple[int, str, Decimal]] = []
        if index == 0:  # the first branch's gift comes with its members' list
            parts = [(amount / 20).quantize(Decimal(1), "ROUND_DOWN")] * 11
            parts.append(amount - sum(parts))
            members = [(row + 3, f"党员{row + 1:02d}", part) for row, part in enumerate(parts)]
        services.do_donation_record(
            actor=SYSTEM, response=response, holder=committee,
            now=ctx.at(-20 + index % 10, 9 + index % 8),
            data=services.DonationData(
                donor_kind="organisation", donor=name,
                amount=amount, fund=fund, received_on=ctx.day(-20 + index % 10),
                contributions=members,
            ),
        )  # fmt: skip
    # Part of the donations passed to the streets, which bought supplies with some.
    for index, street in enumerate(streets[:4]):
        holder = _holder(street, street.name, HolderKind.STREET)
        services.do_allocate(
            actor=SYSTEM, fund=fund, holder=committee, to=holder, now=ctx.at(-9, 10),
            entry=services.Entry(
                amount="100000.00", on=ctx.day(-9), voucher=f"JK-{index + 1:03d}",
                summary="下拨党员捐款,用于一线防控",
            ),
        )  # fmt: skip
        services.do_expend(
            actor=SYSTEM, fund=fund, holder=holder, now=ctx.at(-8, 15),
            expense=services.Expense(
                amount="23560.00", on=ctx.day(-8), voucher=f"JD-JK-{index + 1:03d}",
                summary="慰问一线值守人员,购买防寒衣物", payee="源城百货",
            ),
        )  # fmt: skip


def _anonymous_gift(ctx: DemoContext, response: Response, fund: Fund) -> None:
    community = Area.objects.filter(name=ANONYMOUS_COMMUNITY).first()
    masks = Item.objects.filter(name="医用外科口罩").first()
    if community is None:
        return
    room = Store.objects.filter(area=community).order_by("pk").first()
    holder = _holder(community, community.name, HolderKind.COMMUNITY)
    services.do_donation_record(
        actor=SYSTEM, response=response, holder=holder, now=ctx.at(-6, 11),
        data=services.DonationData(
            donor_kind="person", donor="", disclose=False, amount="2000.00", fund=fund,
            goods=[services.Goods(masks, 60)] if masks and room else [], store=room,
            received_on=ctx.day(-6), note="群众匿名送到派出所,民警转交社区",
        ),
    )  # fmt: skip
