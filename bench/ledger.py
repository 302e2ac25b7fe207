"""bench/ledger.py — the supplies ledger at a response's scale on PostgreSQL: 1,000,000
movements over the seed district's stores (the district warehouse, 6 streets', 36
communities'), 8 items, 4 batches each, loaded with COPY and their kept stock rows.

Measured, each next to its floor in the same run:
- **posting one movement** through the checked service (`stock_issue` / `stock_receive`
  by a community's keeper: access, the stock rows held, the ledger row, the audit row,
  the commit), against the same writes as bare SQL in one transaction (the stock rows
  locked first-expiry-first, the stock updated, the movement inserted, the audit
  chain's head locked, the event hashed and inserted, the head moved on, the commit).
  Goal (issue 22): ≤ 10 ms at p95.
- **every store's balances** in the district (`selectors.balances_under`), against the
  bare GROUP BY over the kept stock rows, asserted equal. Goal: ≤ 1.5× the floor.

    python -m bench.ledger [--reload]   # not part of the test suite
    BENCH_LEDGER_MOVEMENTS=10000 python -m bench.ledger   # a quick try on a fresh database
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bench.common import machine, measure, ratio, setup_django, write

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jijie_bench_ledger")
MOVEMENTS = int(os.environ.get("BENCH_LEDGER_MOVEMENTS", "1000000"))
POSTS = 300
POST_GOAL_MS = 10
BALANCES_RATIO = 1.5
ITEMS = (
    ("医用外科口罩", "protection", "只"),
    ("N95口罩", "protection", "只"),
    ("防护服", "protection", "套"),
    ("隔离衣", "protection", "件"),
    ("医用手套", "protection", "副"),
    ("耳温枪", "device", "个"),
    ("核酸检测试剂", "testing", "人份"),
    ("生活物资包", "living", "份"),
)


def _load(rng: random.Random) -> dict[str, Any]:
    """Items, stores, batches, then a million movements in an order where no store ever
    holds less than nothing, copied in; then each store's stock as their sums."""
    from django.db import connection
    from django.utils import timezone

    from jijie.areas.models import Area, AreaKind
    from jijie.audit.actors import SYSTEM
    from jijie.responses.models import Response
    from jijie.responses.services import do_response_activate
    from jijie.supplies import services
    from jijie.supplies.models import Batch, Item, Movement, Stock, Store

    started = time.perf_counter()
    district = Area.objects.get(kind=AreaKind.DISTRICT)
    response = Response.objects.filter(name="新冠肺炎疫情防控").first() or do_response_activate(
        actor=SYSTEM, area=district, name="新冠肺炎疫情防控", level="1"
    )
    items = [
        Item.objects.filter(name=name).first()
        or services.do_item_create(
            actor=SYSTEM, data=services.ItemData(name=name, category=category, unit=unit)
        )
        for name, category, unit in ITEMS
    ]
    areas = [district, *Area.objects.filter(
        path__startswith=district.path,
        kind__in=[AreaKind.STREET, AreaKind.TOWN, AreaKind.COMMUNITY, AreaKind.VILLAGE],
    ).order_by("path")]  # fmt: skip
    stores = [
        Store.objects.filter(area=a).first()
        or services.do_store_create(actor=SYSTEM, area=a, name=f"{a.name}物资库")
        for a in areas
    ]
    today = timezone.localdate()
    batches = {
        item.pk: [
            Batch.objects.get_or_create(
                item=item, lot=f"L{n}", expires_on=today + timedelta(days=60 + 120 * n)
            )[0]
            for n in range(4)
        ]
        for item in items
    }
    held: dict[tuple[int, int], int] = {}
    at = timezone.now() - timedelta(days=20)
    step = timedelta(days=20) / MOVEMENTS
    table = Movement._meta.db_table
    columns = ("response_id", "store_id", "item_id", "batch_id", "area_path", "kind",
               "quantity", "source", "donor", "recipient_kind", "recipient", "adjust_reason",
               "voucher", "note", "at", "actor_label")  # fmt: skip
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for n in range(MOVEMENTS):
            store = stores[rng.randrange(len(stores))]
            item = items[rng.randrange(len(items))]
            batch = batches[item.pk][rng.randrange(4)]
            key = (store.pk, batch.pk)
            have = held.get(key, 0)
            if have == 0 or rng.random() < 0.45:
                quantity = rng.randint(1, 500)
                row = ("receive", quantity, "purchase", "", "")
            else:
                quantity = -rng.randint(1, min(have, 200))
                row = ("issue", quantity, "", "post", "东门卡口")
            held[key] = have + quantity
            copy.write_row((
                response.pk, store.pk, item.pk, batch.pk, store.area_path, row[0], row[1],
                row[2], "", row[3], row[4], "", "", "", at + step * n, "bench",
            ))  # fmt: skip
    by_pk = {b.pk: b for bs in batches.values() for b in bs}
    store_of = {s.pk: s for s in stores}
    Stock.objects.bulk_create(
        Stock(
            store_id=s, item_id=by_pk[b].item_id, batch_id=b,
            area_path=store_of[s].area_path, quantity=Decimal(q),
        )
        for (s, b), q in held.items()
    )  # fmt: skip
    with connection.cursor() as cursor:
        for name in ("movement", "stock"):
            cursor.execute(f"ANALYZE supplies_{name}")
    return {"movements": MOVEMENTS, "stock_rows": len(held), "stores": len(stores),
            "loaded_s": round(time.perf_counter() - started, 1)}  # fmt: skip


def _keeper(store: Any) -> Any:
    from jijie.accounts.models import User
    from jijie.accounts.services import do_role_assign
    from jijie.areas.roles import Role
    from jijie.audit.actors import SYSTEM

    user = User.objects.filter(username="bench_ledger_keeper").first()
    if user is None:
        user = User.objects.create_user(username="bench_ledger_keeper", password="x" * 20)
        do_role_assign(actor=SYSTEM, user=user, role=Role.COMMUNITY_SECRETARY, area=store.area)
    return user


def _bare_issue(store: Any, item: Any, response: Any, user: Any, today: date) -> None:
    """The floor of an issue of one: the same writes as bare SQL, one transaction."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from jijie.audit.models import AuditEvent
    from jijie.audit.services import compute_hash

    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.id, s.quantity, s.batch_id FROM supplies_stock s"
            " JOIN supplies_batch b ON b.id = s.batch_id"
            " WHERE s.store_id = %s AND s.item_id = %s AND s.quantity > 0 AND b.expires_on >= %s"
            " ORDER BY b.expires_on, b.id LIMIT 1 FOR UPDATE OF s",
            [store.pk, item.pk, today],
        )
        stock_id, quantity, batch_id = cursor.fetchone()
        cursor.execute(
            "UPDATE supplies_stock SET quantity = %s, updated_at = %s WHERE id = %s",
            [quantity - 1, now, stock_id],
        )
        cursor.execute(
            "INSERT INTO supplies_movement (response_id, store_id, item_id, batch_id,"
            " area_path, kind, quantity, source, donor, recipient_kind, recipient,"
            " adjust_reason, voucher, note, at, actor_id, actor_label)"
            " VALUES (%s, %s, %s, %s, %s, 'issue', -1, '', '', 'post', '东门卡口', '', '', '',"
            " %s, %s, %s) RETURNING id",
            [response.pk, store.pk, item.pk, batch_id, store.area_path, now, user.pk,
             user.username],
        )  # fmt: skip
        movement_id = cursor.fetchone()[0]
        cursor.execute("SELECT last_seq, last_hash FROM accounts_audithead WHERE id = 1 FOR UPDATE")
        seq, prev = cursor.fetchone()
        event = AuditEvent(
            seq=seq + 1, at=now, actor_id=user.pk, actor_label=user.username,
            action="supplies.issue", target_type="supplies.movement", target_id=str(movement_id),
            area_path=store.area_path, reason="", ip_address=None,
            data={"quantity": "1", "item": str(item.pk)},
        )  # fmt: skip
        digest = compute_hash(event, prev)
        cursor.execute(
            "INSERT INTO accounts_auditevent (seq, at, actor_id, actor_label, action,"
            " target_type, target_id, area_path, reason, ip_address, data, prev_hash, hash)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', NULL, %s, %s, %s)",
            [event.seq, now, user.pk, user.username, event.action, event.target_type,
             event.target_id, event.area_path, json.dumps(event.data), prev, digest],
        )  # fmt: skip
        cursor.execute(
            "UPDATE accounts_audithead SET last_seq = %s, last_hash = %s WHERE id = 1",
            [event.seq, digest],
        )
    assert settings.AUDIT_KEY


def main() -> None:
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from jijie.areas.demo import CITY, build
    from jijie.areas.models import Area, AreaKind
    from jijie.core.models import prefix_upper_bound
    from jijie.responses.models import Response
    from jijie.supplies import selectors, services
    from jijie.supplies.models import Item, Movement, Stock, Store

    rng = random.Random(2020)
    if Area.objects.filter(code=CITY[0]).first() is None:
        build("seed", 2020)
    if "--reload" in sys.argv:
        Movement.objects.all()._raw_delete(Movement.objects.db)  # append-only, but a bench
        Stock.objects.all().delete()
    loaded = None
    if not Movement.objects.exists():
        loaded = _load(rng)
        print(loaded)
    district = Area.objects.get(kind=AreaKind.DISTRICT)
    response = Response.objects.get(name="新冠肺炎疫情防控")
    community = Store.objects.filter(area__kind=AreaKind.COMMUNITY).order_by("area_path").first()
    assert community is not None
    keeper = _keeper(community)
    mask = Item.objects.get(name="医用外科口罩")
    today = timezone.localdate()
    # Enough in the room for every post of both kinds, measured and bare.
    services.do_stock_receive(
        actor=keeper, store=community, response=response,
        receipt=services.Receipt(item=mask, quantity=10 * POSTS, source="purchase"),
    )  # fmt: skip

    turn = {"n": 0}

    def post() -> None:
        turn["n"] += 1
        if turn["n"] % 2:
            services.stock_issue(
                actor=keeper, store=community, response=response,
                issue=services.Issue(item=mask, quantity=1, recipient_kind="post", recipient="东门卡口"),
            )  # fmt: skip
        else:
            services.stock_receive(
                actor=keeper, store=community, response=response,
                receipt=services.Receipt(item=mask, quantity=1, source="purchase"),
            )  # fmt: skip

    def bare_post() -> None:
        _bare_issue(community, mask, response, keeper, today)

    posting = measure(post, runs=POSTS, warmup=10)
    posting_floor = measure(bare_post, runs=POSTS, warmup=10)

    def product() -> dict[tuple[int, int], Decimal]:
        return selectors.balances_under(district.path)

    def floor() -> dict[tuple[int, int], Decimal]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT store_id, item_id, SUM(quantity) FROM supplies_stock"
                " WHERE area_path >= %s AND area_path < %s AND quantity > 0"
                " GROUP BY store_id, item_id",
                [district.path, prefix_upper_bound(district.path)],
            )
            return {(s, i): q for s, i, q in cursor.fetchall()}

    assert product() == floor()
    balances = measure(product, runs=50)
    balances_floor = measure(floor, runs=50)
    assert selectors.ledger_disagreements(store=community) == []
    figures = {
        "machine": machine(),
        "loaded": loaded,
        "movements": Movement.objects.count(),
        "post": posting,
        "post_floor": posting_floor,
        "post_ratio_p95": ratio(posting, posting_floor, "p95_ms"),
        "balances": balances,
        "balances_floor": balances_floor,
        "balances_ratio": ratio(balances, balances_floor),
    }
    m = figures["machine"]
    markdown = f"""# bench/ledger.py

{m["when"]}, {m["cpus"]} CPUs, Python {m["python"]}, {m["database"]}.
{figures["movements"]:,} movements over {Store.objects.count()} stores (the seed district's warehouse, streets and communities), {Stock.objects.count()} kept stock rows.

| measure | median ms | p95 ms | floor median ms | floor p95 ms | × floor | goal |
|---|---|---|---|---|---|---|
| post one movement (`stock_issue` / `stock_receive`, {POSTS} runs) | {posting["median_ms"]} | {posting["p95_ms"]} | {posting_floor["median_ms"]} | {posting_floor["p95_ms"]} | {figures["post_ratio_p95"]} (p95) | p95 ≤ {POST_GOAL_MS} ms: {"yes" if posting["p95_ms"] <= POST_GOAL_MS else "NO"} |
| every store's balances in the district | {balances["median_ms"]} | {balances["p95_ms"]} | {balances_floor["median_ms"]} | {balances_floor["p95_ms"]} | {figures["balances_ratio"]} | ≤ {BALANCES_RATIO}×: {"yes" if figures["balances_ratio"] <= BALANCES_RATIO else "NO"} |

The posting floor does the same writes as bare SQL in one transaction (the stock row
locked first-expiry-first, updated, the movement and the audit event inserted, the
audit head locked and moved on, the commit); the balances floor is the bare GROUP BY
over the kept stock rows, its answer asserted equal to the selector's.
"""
    write("ledger", figures, markdown)


if __name__ == "__main__":
    main()
