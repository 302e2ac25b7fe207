"""Demo step: the response's supplies. The district's emergency warehouse received its
masks, suits and thermometers three weeks ago (seed 002: "近2000套" suits, "近6万只"
masks), allocated part to every street's store, and each street sent on to its
communities' rooms, which have issued to their gates since. 新港路社区 got no ear
thermometer ("我们社区没有耳温枪", seed 003): it is under its minimum and has asked its
street for three, yesterday. The 60 masks someone left at the police station without a
name (seed 003) come with their 2,000 yuan in the funds' step, as one donation."""

from __future__ import annotations

from datetime import datetime

from jijie.areas.models import Area, AreaKind
from jijie.audit.actors import SYSTEM
from jijie.core.demo import DemoContext
from jijie.responses.models import Response, ResponseStatus
from jijie.supplies import services
from jijie.supplies.models import Item, Movement, Store

ORDER = 95
SHORT_COMMUNITY = "新港路社区"

# (name, category, unit, counted)
CATALOGUE = (
    ("医用外科口罩", "protection", "只", True),
    ("N95口罩", "protection", "只", True),
    ("防护服", "protection", "套", True),
    ("隔离衣", "protection", "件", True),
    ("医用手套", "protection", "副", True),
    ("耳温枪", "device", "个", True),
    ("84消毒液", "disinfection", "升", False),
    ("生活物资包", "living", "份", True),
)
# What the district received, what it sent each street, what each street sent each of
# its communities (a community of 新港路's kind gets no thermometer).
DISTRICT_STOCK = {
    "医用外科口罩": 60000,
    "防护服": 2000,
    "耳温枪": 120,
    "84消毒液": 500,
    "医用手套": 8000,
}
TO_STREET = {"医用外科口罩": 6000, "防护服": 200, "耳温枪": 16, "84消毒液": 40, "医用手套": 800}
TO_COMMUNITY = {"医用外科口罩": 800, "防护服": 20, "耳温枪": 2, "84消毒液": 5, "医用手套": 100}


def populate(ctx: DemoContext) -> None:
    response = Response.objects.filter(status=ResponseStatus.ACTIVE).order_by("started_at").first()
    district = Area.objects.filter(kind=AreaKind.DISTRICT).order_by("path").first()
    if response is None or district is None:
        ctx.out("  no response or district: skipped")
        return
    items = {
        name: _item(name, category, unit, counted) for name, category, unit, counted in CATALOGUE
    }
    warehouse = _store(district, f"{district.name}应急物资仓库")
    streets = list(
        Area.objects.filter(
            path__startswith=district.path, kind__in=[AreaKind.STREET, AreaKind.TOWN]
        ).order_by("path")
    )
    if Movement.objects.filter(store=warehouse).exists():
        ctx.out("  supplies already there")
        return
    received = ctx.at(-20, 9)
    for name, quantity in DISTRICT_STOCK.items():
        services.do_stock_receive(
            actor=SYSTEM, store=warehouse, response=response, now=received,
            receipt=services.Receipt(
                item=items[name], quantity=quantity, source="purchase",
                expires_on=ctx.day(700) if name != "耳温枪" else None,
                lot=f"2020-{ctx.day(-21):%m%d}", voucher=f"CG{ctx.day(-21):%Y%m%d}01",
            ),
        )  # fmt: skip
    short = None
    for street in streets:
        street_store = _store(street, f"{street.name}物资库")
        _send(warehouse, street_store, response, items, TO_STREET, ctx.at(-19, 10), ctx.at(-19, 15))
        communities = Area.objects.filter(
            path__startswith=street.path, kind__in=[AreaKind.COMMUNITY, AreaKind.VILLAGE]
        ).order_by("path")
        for community in communities:
            room = _store(community, f"{community.name}物资室")
            lines = dict(TO_COMMUNITY)
            if community.name == SHORT_COMMUNITY:
                lines.pop("耳温枪")
                short = (street_store, room)
            _send(street_store, room, response, items, lines, ctx.at(-18, 10), ctx.at(-18, 16))
            services.do_stock_issue(
                actor=SYSTEM, store=room, response=response, now=ctx.at(-17, 8),
                issue=services.Issue(
                    item=items["医用外科口罩"], quantity=ctx.rng_for(f"issue:{room.name}").randint(100, 400),
                    recipient_kind="post", recipient="各卡口值守", note="卡口值守人员每日用量",
                ),
            )  # fmt: skip
    if short is not None:
        _short_of_thermometers(ctx, response, items, *short)
    ctx.out(f"  {Store.objects.count()} stores, {Movement.objects.count()} movements")


def _item(name: str, category: str, unit: str, counted: bool) -> Item:
    return Item.objects.filter(name=name).first() or services.do_item_create(
        actor=SYSTEM,
        data=services.ItemData(name=name, category=category, unit=unit, is_counted=counted),
    )


def _store(area: Area, name: str) -> Store:
    return Store.objects.filter(area=area, name=name).first() or services.do_store_create(
        actor=SYSTEM, area=area, name=name
    )


def _send(
    source: Store,
    destination: Store,
    response: Response,
    items: dict[str, Item],
    lines: dict[str, int],
    sent: datetime,
    received: datetime,
) -> None:
    transfer = services.do_transfer_send(
        actor=SYSTEM, source=source, destination=destination, response=response,
        lines=[services.Line(items[name], quantity) for name, quantity in lines.items()],
        now=sent,
    )  # fmt: skip
    services.do_transfer_receive(actor=SYSTEM, transfer=transfer, now=received)


def _short_of_thermometers(
    ctx: DemoContext, response: Response, items: dict[str, Item], street: Store, room: Store
) -> None:
    services.do_threshold_set(actor=SYSTEM, store=room, item=items["耳温枪"], minimum=2)
    services.do_threshold_set(actor=SYSTEM, store=room, item=items["医用外科口罩"], minimum=200)
    services.do_request_submit(
        actor=SYSTEM, store=room, response=response, now=ctx.at(-1, 9),
        data=services.RequestData(
            lines=[services.Line(items["耳温枪"], 3)],
            reason="我们社区没有耳温枪,卡口测温只能用额温枪,请街道帮忙协调。",
            needed_by=ctx.day(0),
        ),
    )  # fmt: skip
    ctx.out(f"  {room.name} short of ear thermometers, asked {street.name}")
