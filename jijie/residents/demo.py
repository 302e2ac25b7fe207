"""Demo step: households at every door of the demo buildings, and the people in them.

`seed`: every building of the district, 361,876 households and 658,787 people (the seed
district's screening). `small`: households everywhere, people in 源西街道 only (where the
demo accounts work), so that `make demo` stays quick. ID numbers are valid GB 11643
numbers of 源城区 (441602) and unique; phones are random mainland mobiles. All of it is
made up and deterministic for a seed.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from django.db import transaction
from stdnum.cn.ric import calc_check_digit

from jijie.areas.models import Area, AreaKind
from jijie.core.demo import DemoContext
from jijie.residents import counts
from jijie.residents.doors import door_sort
from jijie.residents.models import (
    Household,
    HouseholdKind,
    NameGram,
    Person,
    Relation,
    ResidentType,
)
from jijie.residents.names import grams_for, initials

ORDER = 40
SEED_PEOPLE = 658_787
SMALL_STREET = "441602004000"  # 源西街道
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严赖覃洪武莫孔"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅文辉林春海波宇浩然子轩欣怡佳琪思雨俊杰梓涵雨桐晓东小明丽华美玲国强家豪嘉怡"
RELATIONS_AFTER_HEAD = [
    Relation.SPOUSE,
    Relation.CHILD,
    Relation.CHILD,
    Relation.PARENT,
    Relation.GRANDCHILD,
    Relation.SIBLING,
    Relation.OTHER,
]
PLACES = [
    "广东省河源市源城区",
    "广东省河源市东源县",
    "广东省河源市紫金县",
    "广东省河源市龙川县",
    "广东省梅州市",
    "广东省惠州市",
    "江西省赣州市",
    "湖南省郴州市",
]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


class IdMaker:
    """Unique, valid resident ID numbers of 源城区."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, born: date, male: bool) -> str:
        while True:
            seq = self.rng.randrange(0, 999)
            if seq % 2 != int(male):
                seq = (seq + 1) % 1000
            body = f"441602{born:%Y%m%d}{seq:03d}"
            number = body + calc_check_digit(body + "0")
            if number not in self.used:
                self.used.add(number)
                return number


def _people_per_household(
    total_households: int, total_people: int, rng: random.Random
) -> list[int]:
    """Household sizes of 1–5 that add up exactly to `total_people`."""
    sizes = [1] * total_households
    rest = total_people - total_households
    while rest > 0:
        i = rng.randrange(total_households)
        if sizes[i] < 5:
            sizes[i] += 1
            rest -= 1
    return sizes


@transaction.atomic
def build(ctx: DemoContext, buildings: list[Area], people_under: str | None) -> tuple[int, int]:
    rng = ctx.rng_for("residents")
    households: list[Household] = []
    for building in buildings:
        for door in range(1, building.dwelling_count + 1):
            floor, unit = divmod(door - 1, 4)
            kind = HouseholdKind.RESIDENT
            roll = rng.random()
            if roll < 0.12:
                kind = HouseholdKind.RENTAL
            elif roll < 0.15:
                kind = HouseholdKind.SHOP
            households.append(
                Household(
                    building=building,
                    area_path=building.path,
                    kind=kind,
                    door_number=f"{floor + 1}{unit + 1:02d}",
                    door_sort=door_sort(f"{floor + 1}{unit + 1:02d}"),
                    is_party_centre=rng.random() < 0.01,
                    is_hardship=rng.random() < 0.005,
                )
            )
    Household.objects.bulk_create(households, batch_size=5000)
    counts.registered(Counter(h.building_id for h in households))
    with_people = [
        h for h in households if people_under is None or h.area_path.startswith(people_under)
    ]
    target = round(SEED_PEOPLE * len(with_people) / 361_876)
    sizes = _people_per_household(len(with_people), target, rng)
    ids = IdMaker(rng)
    today = ctx.today  # ages as of the demo's today
    batch: list[Person] = []
    count = 0
    per_building: Counter[int] = Counter()
    for household, size in zip(with_people, sizes, strict=True):
        per_building[household.building_id] += size
        for index in range(size):
            relation = Relation.HEAD if index == 0 else RELATIONS_AFTER_HEAD[index - 1]
            age = rng.randint(25, 80) if index == 0 else rng.randint(1, 90)
            born = today - timedelta(days=age * 365 + rng.randrange(365))
            male = rng.random() < 0.5
            number = ids.make(born, male)
            phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
            name = _name(rng)
            person = Person(
                household=household,
                area_path=household.area_path,
                name=name,
                name_initials=initials(name),
                sex="M" if male else "F",
                relation=relation,
                register_place=rng.choice(PLACES),
                resident_type=ResidentType.FLOATING
                if household.kind == HouseholdKind.RENTAL
                else ResidentType.REGISTERED,
            )
            person.set_birth_date(born)
            person.set_document("resident_id", number)
            person.set_phone(phone)
            batch.append(person)
        if len(batch) >= 5000:
            NameGram.objects.bulk_create(
                grams_for(Person.objects.bulk_create(batch)), batch_size=10_000
            )
            count += len(batch)
            batch = []
    NameGram.objects.bulk_create(grams_for(Person.objects.bulk_create(batch)), batch_size=10_000)
    count += len(batch)
    counts.people_added(per_building)
    return len(households), count


def populate(ctx: DemoContext) -> None:
    city = ctx.shared.get("city") or Area.objects.get(code="441600")
    if Household.objects.filter(area_path__startswith=city.path).exists():
        ctx.out("  households are already loaded")
        return
    buildings = list(
        Area.objects.filter(path__startswith=city.path, kind=AreaKind.BUILDING).order_by("path")
    )
    people_under = None if ctx.scale == "seed" else Area.objects.get(code=SMALL_STREET).path
    households, people = build(ctx, buildings, people_under)
    ctx.out(f"  {households} households, {people} people")
