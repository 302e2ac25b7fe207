"""Demo step: the area tree of 河源市 › 源城区 (seed-000's district).

`small` (default): all 6 streets/towns and 36 communities/villages, two grids each.
`seed`: 361,876 dwellings across the 36, grids of 300–500 households, as in seed-000.
Codes follow the statistical division code layout; the grids, buildings and compounds
are generated, deterministically for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from jijie.areas.models import Area, AreaKind, Compound
from jijie.core.demo import DemoContext

ORDER = 10
CITY = ("441600", "河源市")
DISTRICT = ("441602", "源城区")
SEED_DWELLINGS = 361_876  # households screened in seed-000's district

# (code, name, kind, [(name, kind), ...]) — 36 communities/villages in all.
STREETS: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    (
        "441602001000",
        "上城街道",
        AreaKind.STREET,
        [
            ("上角社区", AreaKind.COMMUNITY),
            ("中山社区", AreaKind.COMMUNITY),
            ("太平社区", AreaKind.COMMUNITY),
            ("下角社区", AreaKind.COMMUNITY),
            ("和平社区", AreaKind.COMMUNITY),
            ("沙坪社区", AreaKind.COMMUNITY),
        ],
    ),
    (
        "441602002000",
        "新江街道",
        AreaKind.STREET,
        [
            ("东源社区", AreaKind.COMMUNITY),
            ("文明社区", AreaKind.COMMUNITY),
            ("新风社区", AreaKind.COMMUNITY),
            ("福兴社区", AreaKind.COMMUNITY),
            ("龙泉社区", AreaKind.COMMUNITY),
            ("长塘社区", AreaKind.COMMUNITY),
            ("兴华社区", AreaKind.COMMUNITY),
        ],
    ),
    (
        "441602003000",
        "东埔街道",
        AreaKind.STREET,
        [
            ("东埔社区", AreaKind.COMMUNITY),
            ("东华社区", AreaKind.COMMUNITY),
            ("建设社区", AreaKind.COMMUNITY),
            ("学前社区", AreaKind.COMMUNITY),
            ("永和社区", AreaKind.COMMUNITY),
            ("东风社区", AreaKind.COMMUNITY),
            ("红星社区", AreaKind.COMMUNITY),
        ],
    ),
    (
        "441602004000",
        "源西街道",
        AreaKind.STREET,
        [
            ("新港路社区", AreaKind.COMMUNITY),
            ("新江三路社区", AreaKind.COMMUNITY),
            ("源西社区", AreaKind.COMMUNITY),
            ("坪围社区", AreaKind.COMMUNITY),
            ("明珠社区", AreaKind.COMMUNITY),
            ("宝源社区", AreaKind.COMMUNITY),
        ],
    ),
    (
        "441602100000",
        "源南镇",
        AreaKind.TOWN,
        [
            ("源南社区", AreaKind.COMMUNITY),
            ("联新村", AreaKind.VILLAGE),
            ("金星村", AreaKind.VILLAGE),
            ("塔岭村", AreaKind.VILLAGE),
            ("江东村", AreaKind.VILLAGE),
        ],
    ),
    (
        "441602101000",
        "埔前镇",
        AreaKind.TOWN,
        [
            ("埔前社区", AreaKind.COMMUNITY),
            ("大坪村", AreaKind.VILLAGE),
            ("莲塘村", AreaKind.VILLAGE),
            ("泥金村", AreaKind.VILLAGE),
            ("上坝村", AreaKind.VILLAGE),
        ],
    ),
]
COMPOUND_WORDS = ["花园", "小区", "雅苑", "新村", "华庭", "家园", "名都", "公寓"]
COMPOUND_STEMS = [
    "金丰",
    "碧桂",
    "翠湖",
    "江景",
    "新港",
    "东湖",
    "锦绣",
    "阳光",
    "康乐",
    "丽景",
    "怡景",
    "龙湖",
    "宏达",
    "富源",
    "万绿",
    "槎城",
    "东江",
    "紫荆",
]
GRID_MIN, GRID_MAX = 300, 500


@dataclass
class Plan:
    """Dwellings per grid, per community (in STREETS order)."""

    grids: list[list[int]]


def _split(total: int, parts: int, low: int, high: int, rng: random.Random) -> list[int]:
    """`parts` numbers in [low, high] that add up to `total` exactly."""
    if not low * parts <= total <= high * parts:
        raise ValueError(f"cannot split {total} into {parts} parts of {low}..{high}")
    sizes = [low] * parts
    rest = total - low * parts
    while rest:
        i = rng.randrange(parts)
        room = high - sizes[i]
        if room:
            step = min(room, rest, rng.randint(1, 50))
            sizes[i] += step
            rest -= step
    return sizes


def plan(scale: str, rng: random.Random) -> Plan:
    communities = sum(len(s[3]) for s in STREETS)
    if scale == "small":
        return Plan(
            grids=[[rng.randint(GRID_MIN, GRID_MAX) for _ in range(2)] for _ in range(communities)]
        )
    weights = [rng.uniform(0.75, 1.25) for _ in range(communities)]
    raw = [SEED_DWELLINGS * w / sum(weights) for w in weights]
    totals = [int(x) for x in raw]
    # Largest remainders take the leftover dwellings, so the sum is exact.
    for i in sorted(range(communities), key=lambda i: raw[i] - totals[i], reverse=True)[
        : SEED_DWELLINGS - sum(totals)
    ]:
        totals[i] += 1
    grids = []
    for total in totals:
        count = min(max(round(total / 400), -(-total // GRID_MAX)), total // GRID_MIN)
        grids.append(_split(total, count, GRID_MIN, GRID_MAX, rng))
    return Plan(grids=grids)


def _building_sizes(total: int, *, rural: bool, rng: random.Random) -> list[int]:
    low, high = (1, 4) if rural else (24, 120)
    sizes: list[int] = []
    while total > 0:
        size = min(total, rng.randint(low, high))
        sizes.append(size)
        total -= size
    return sizes


class TreeBuilder:
    """Builds many nodes in memory with their materialised paths, then saves them level by
    level with bulk_create: the seed tree (tens of thousands of nodes) in seconds."""

    def __init__(self) -> None:
        self.levels: dict[int, list[Area]] = {}
        last_root = Area.objects.filter(depth=1).order_by("-path").first()
        self._roots = Area._str2int(last_root.path) if last_root else 0

    def add(self, parent: Area | None, **fields: object) -> Area:
        if parent is None:
            self._roots += 1
            node = Area(path=Area._get_path(None, 1, self._roots), depth=1, **fields)
        else:
            parent.numchild += 1
            node = Area(
                path=Area._get_path(parent.path, parent.depth + 1, parent.numchild),
                depth=parent.depth + 1,
                **fields,
            )
        self.levels.setdefault(node.depth, []).append(node)
        return node

    def save(self, *, compounds: list[Compound], batch_size: int = 5000) -> None:
        for depth in sorted(self.levels):
            if depth == 5:
                Compound.objects.bulk_create(compounds, batch_size=batch_size)
            Area.objects.bulk_create(self.levels[depth], batch_size=batch_size)


@transaction.atomic
def build(scale: str, seed: int) -> Area:
    rng = random.Random(f"{seed}:{scale}:areas")
    layout = plan(scale, rng)
    tree = TreeBuilder()
    city = tree.add(None, kind=AreaKind.CITY, code=CITY[0], name=CITY[1])
    district = tree.add(city, kind=AreaKind.DISTRICT, code=DISTRICT[0], name=DISTRICT[1])
    compounds: list[Compound] = []
    index = 0
    for street_code, street_name, street_kind, communities in STREETS:
        street = tree.add(district, kind=street_kind, code=street_code, name=street_name)
        for number, (community_name, community_kind) in enumerate(communities, start=1):
            community = tree.add(
                street,
                kind=community_kind,
                code=f"{street_code[:9]}{number:03d}",
                name=community_name,
            )
            rural = community_kind == AreaKind.VILLAGE
            building_no = 0
            for grid_no, dwellings in enumerate(layout.grids[index], start=1):
                grid = tree.add(
                    community,
                    kind=AreaKind.GRID,
                    code=f"{community.code}-{grid_no:02d}",
                    name=f"第{grid_no:02d}网格",
                )
                compound = None
                for size in _building_sizes(dwellings, rural=rural, rng=rng):
                    building_no += 1
                    if not rural and (compound is None or rng.random() < 0.15):
                        compound = Compound(
                            community=community,
                            code=f"{community.code}-C{len(compounds) + 1:03d}",
                            name=(
                                f"{rng.choice(COMPOUND_STEMS)}{rng.choice(COMPOUND_WORDS)}"
                                f"{len(compounds) + 1}"
                            ),
                        )
                        compounds.append(compound)
                    tree.add(
                        grid,
                        kind=AreaKind.BUILDING,
                        code=f"{grid.code}-{building_no:03d}",
                        name=f"{building_no}号" if rural else f"{building_no}栋",
                        dwelling_count=size,
                        compound=compound,
                    )
            index += 1
    tree.save(compounds=compounds)
    return Area.objects.get(code=CITY[0])


def populate(ctx: DemoContext) -> None:
    city = Area.objects.filter(code=CITY[0]).first()
    if city is None:
        city = build(ctx.scale, ctx.seed)
        nodes = Area.objects.filter(path__startswith=city.path).count()
        ctx.out(f"  built {nodes} areas under {city.name}")
    else:
        ctx.out(f"  {city.name} is already loaded")
    ctx.shared["city"] = city
