"""The map's outlines: the loader refuses each kind of bad file or feature by number, code
and reason and then stores nothing; the command loads and redraws with its audit row;
the report page's map shows each office its own communities and no sibling's, coloured
by an indicator the page allows; and the demo draws its 36 communities with no gaps."""

from __future__ import annotations

import copy
import itertools
import json
import random
import re
from collections import Counter
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from jijie.areas import demo as areas_demo
from jijie.areas.models import Area, AreaKind
from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.core.demo import DemoContext
from jijie.reports import boundaries, demo, indicators, selectors
from jijie.reports.models import Boundary, Figures
from jijie.reports.tests.test_rollup import DAY, UNTIL, World

pytestmark = pytest.mark.django_db

URL = reverse("reports:index")


def square(lon: float, lat: float, size: float = 0.005) -> list[list[list[float]]]:
    corners = [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]
    return [[[round(lon + x * size, 6), round(lat + y * size, 6)] for x, y in corners]]


def feature(code: Any, geometry: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"code": code}, "geometry": geometry}


def collection(tree, shift: float = 0.0) -> dict[str, Any]:
    """Outlines of the tree's three communities (two streets)."""
    return {
        "type": "FeatureCollection",
        "features": [
            feature(
                area.code,
                {"type": "Polygon", "coordinates": square(114.69 + shift + n / 100, 23.74)},
            )
            for n, area in enumerate([tree.community, tree.sibling, tree.far_community])
        ],
    }


def load(tmp_path: Path, content: Any) -> str:
    path = tmp_path / "outlines.geojson"
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    out = StringIO()
    call_command("reports_boundaries", str(path), stdout=out)
    return out.getvalue()


def test_the_command_loads_the_outlines_and_redraws_them_with_an_audit_row(tree, tmp_path):
    assert "3 outlines loaded, 0 replaced" in load(tmp_path, collection(tree))
    stored = Boundary.objects.get(area=tree.community)
    assert stored.area_path == tree.community.path
    assert stored.geometry == {"type": "Polygon", "coordinates": square(114.69, 23.74)}
    # the same file again with the communities moved east: each drawn anew, none added
    assert "0 outlines loaded, 3 replaced" in load(tmp_path, collection(tree, shift=0.001))
    assert Boundary.objects.count() == 3
    stored.refresh_from_db()
    assert stored.geometry["coordinates"][0][0] == [114.691, 23.74]
    events = AuditEvent.objects.filter(action="reports.boundaries").order_by("seq")
    assert [(e.data, e.area_path) for e in events] == [
        ({"created": 3, "replaced": 0}, tree.district.path),  # two streets: their district
        ({"created": 0, "replaced": 3}, tree.district.path),
    ]


def _bad(tree) -> list[tuple[str, Any, str]]:
    """(what, the second feature, what the refusal says), the first feature being good."""
    good = square(114.70, 23.74)
    ring = good[0]
    return [
        ("unknown code", feature("441602999999", {"type": "Polygon", "coordinates": good}),
         "(代码 441602999999):没有这个代码的区域"),
        ("no code", {"type": "Feature", "properties": {}, "geometry": None},
         "(代码 —):properties 中没有区域代码(code)"),
        ("a grid", feature(tree.grid.code, {"type": "Polygon", "coordinates": good}),
         "是网格或楼栋"),
        ("twice", feature(tree.community.code, {"type": "Polygon", "coordinates": good}),
         "与第 1 个要素的代码重复"),
        ("a point", feature(tree.sibling.code, {"type": "Point", "coordinates": [114.7, 23.7]}),
         '边界应为 Polygon 或 MultiPolygon,这里是 "Point"'),
        ("no geometry", feature(tree.sibling.code, None), "没有边界(geometry 为空)"),
        ("a string", feature(tree.sibling.code, {"type": "Polygon", "coordinates": [
            [[114.70, 23.74], ["114.71", 23.74], [114.71, 23.75], [114.70, 23.74]]]}),
         '第 1 个环第 2 个点的坐标 "114.71" 不是数字'),
        ("east of the globe", feature(tree.sibling.code, {"type": "Polygon", "coordinates": [
            [[114.70, 23.74], [214.71, 23.74], [114.71, 23.75], [114.70, 23.74]]]}),
         "第 1 个环第 2 个点的经度 214.71 超出 -180 到 180"),
        ("swapped", feature(tree.sibling.code, {"type": "Polygon", "coordinates": [
            [[p[1], p[0]] for p in ring]]}),
         "第 1 个环第 1 个点的纬度 114.7 超出 -90 到 90(经纬度是否写反了?)"),
        ("open", feature(tree.sibling.code, {"type": "Polygon", "coordinates": [ring[:-1]]}),
         "第 1 个环没有闭合"),
        ("three points", feature(tree.sibling.code, {"type": "Polygon", "coordinates": [
            [ring[0], ring[1], ring[0]]]}),
         "第 1 个环至少要 4 个点(首尾相同),这里只有 3 个"),
        ("a bad second polygon", feature(tree.sibling.code, {"type": "MultiPolygon", "coordinates": [
            good, [ring[:-1]]]}),
         "第 2 个面第 1 个环没有闭合"),
        ("a bare number", feature(tree.sibling.code, {"type": "Polygon", "coordinates": [
            [[114.70, 23.74], 114.71, [114.71, 23.75], [114.70, 23.74]]]}),
         "第 1 个环第 2 个点应为 [经度, 纬度]"),
        ("a huge number", feature(tree.sibling.code, {"type": "Polygon", "coordinates": [
            [[114.70, 23.74], [10**400, 23.74], [114.71, 23.75], [114.70, 23.74]]]}),
         "第 1 个环第 2 个点的经度 1000"),
    ]  # fmt: skip


@pytest.mark.parametrize("case", range(14))
def test_each_bad_feature_is_refused_by_number_code_and_reason_and_nothing_is_stored(
    tree, tmp_path, case
):
    what, bad, says = _bad(tree)[case]
    good = collection(tree)
    load(tmp_path, good)
    before = list(Boundary.objects.order_by("pk").values_list("geometry", flat=True))
    # the good ones moved and the bad one after the first: the whole file is refused
    refused = collection(tree, shift=0.002)
    refused["features"].insert(1, bad)
    with pytest.raises(CommandError) as error:
        load(tmp_path, refused)
    message = str(error.value)
    assert "第 2 个要素" in message, what
    assert says in message, (what, message)
    assert "本次未导入任何边界" in message
    assert list(Boundary.objects.order_by("pk").values_list("geometry", flat=True)) == before
    assert AuditEvent.objects.filter(action="reports.boundaries").count() == 1


def test_a_coordinate_that_is_not_a_finite_number_is_refused(tree, tmp_path):
    text = json.dumps(collection(tree)).replace("114.69,", "NaN,", 1)
    with pytest.raises(CommandError, match=r"第 1 个要素.*第 1 个环第 1 个点的坐标不是有限的数"):
        load(tmp_path, text.encode())
    assert not Boundary.objects.exists()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b'{"type": "FeatureCollection", "features": [', "文件不是有效的 JSON:第 1 行第 44 列有误"),
        ("{}".encode("utf-16"), "文件不是 UTF-8 编码的 GeoJSON"),
        (b"[" * 100_000 + b"]" * 100_000, "嵌套过深"),
        (b"[" + b"1" * 5000 + b"]", "其中的数字过长"),
        (b'{"type": "Feature"}', "文件应为 GeoJSON 的 FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": []}', "文件中没有要素"),
    ],
)
def test_a_file_that_is_not_a_feature_collection_is_refused(tree, tmp_path, content, says):
    with pytest.raises(CommandError, match=re.escape(says)):
        load(tmp_path, content)
    assert not Boundary.objects.exists()


def test_a_file_too_large_is_refused_before_it_is_read(tree, tmp_path, monkeypatch):
    monkeypatch.setattr(boundaries, "MAX_FILE_BYTES", 1024 * 1024)
    big = collection(tree)
    big["padding"] = "x" * (1024 * 1024)
    with pytest.raises(CommandError, match=r"文件太大\(2 MB\),边界文件不能超过 1 MB"):
        load(tmp_path, big)
    with pytest.raises(CommandError, match="No such file"):
        call_command("reports_boundaries", str(tmp_path / "missing.geojson"))
    assert not Boundary.objects.exists()


def test_many_bad_features_are_listed_up_to_a_bound(tree):
    many = {
        "type": "FeatureCollection",
        "features": [feature(f"9{n:011d}", None) for n in range(boundaries.MAX_ERRORS + 5)],
    }
    with pytest.raises(ValidationError) as error:
        boundaries.check(many)
    messages = error.value.messages
    assert len(messages) == boundaries.MAX_ERRORS + 2
    assert messages[-2] == "……另有 5 个要素有误。"


# The map on the report page -------------------------------------------------------------


@pytest.fixture
def world(tree, actors):
    made = World(tree, 7)
    made.visits(20)
    made.problems(6)
    made.refresh(UNTIL - timedelta(minutes=10))
    return made


def page(client, user, **params):
    client.force_login(user)
    with time_machine.travel(UNTIL - timedelta(minutes=5), tick=False):
        return client.get(URL, {"day": DAY.isoformat(), **params})


def drawn(answer) -> Any:
    """The map's data on a page, or None when the page has no map."""
    assert answer.status_code == 200
    found = re.search(
        r'<script id="map-data" type="application/json">(.*?)</script>', answer.content.decode()
    )
    return json.loads(found.group(1)) if found else None


def codes(data: dict[str, Any]) -> set[str]:
    assert {f["properties"]["name"] for f in data["geojson"]["features"]} == {
        d["name"] for d in data["data"]
    }
    return {d["name"] for d in data["data"]}


def test_each_office_sees_the_outlines_of_its_own_communities_and_no_sibling(
    client, tree, actors, world
):
    assert drawn(page(client, actors.command)) is None  # no outlines yet: no map
    boundaries.do_boundaries_load(actor=SYSTEM, features=boundaries.check(collection(tree)))

    district = drawn(page(client, actors.command))
    assert codes(district) == {tree.community.code, tree.sibling.code, tree.far_community.code}
    street = drawn(page(client, actors.street))
    assert codes(street) == {tree.community.code, tree.sibling.code}
    mine = drawn(page(client, actors.manager))
    assert codes(mine) == {tree.community.code}
    theirs = drawn(page(client, actors.outsider))
    assert codes(theirs) == {tree.sibling.code}
    assert page(client, actors.outsider, area=tree.community.code).status_code == 404

    # the coverage, as the kept figures give it, each community's page a click away
    kept = Figures.objects.get(report__day=DAY, area=tree.community)
    (row,) = [d for d in street["data"] if d["name"] == tree.community.code]
    expected = indicators.value(selectors.values(kept.total), "coverage")
    assert row["value"] == (None if expected is None else float(expected))
    assert row["label"] == "新港路社区"
    assert f"area={tree.community.code}" in row["href"]
    assert f"day={DAY.isoformat()}" in row["href"]
    assert (street["indicator"], street["unit"], street["max"]) == ("排查覆盖率", "%", 100)
    assert street["high_is_bad"] is False
    assert 0.9 < street["aspect"] < 0.93  # cos 23.74°
    # the far community's outline has no figures on the district's page: it is drawn
    # grey (no visits there)
    (far,) = [d for d in district["data"] if d["name"] == tree.far_community.code]
    assert far["value"] is None


def test_the_map_is_coloured_by_an_allowed_indicator_only(client, tree, actors, world):
    boundaries.do_boundaries_load(actor=SYSTEM, features=boundaries.check(collection(tree)))
    problems = drawn(page(client, actors.street, indicator="problems_open"))
    assert (problems["indicator"], problems["unit"], problems["high_is_bad"]) == (
        "未办结问题",
        "件",
        True,
    )
    counted = {
        f.area.code: float(selectors.values(f.total).get("problems_open", 0))
        for f in Figures.objects.filter(report__day=DAY, depth=4).select_related("area")
    }
    assert {d["name"]: d["value"] for d in problems["data"]} == {
        code: counted[code] for code in (tree.community.code, tree.sibling.code)
    }
    assert problems["max"] == max(1.0, *counted.values())
    assert "indicator=problems_open" in problems["data"][0]["href"]
    assert drawn(page(client, actors.street, indicator="revisits_pending"))["unit"] == "户"
    assert page(client, actors.street, indicator="households_in_scope").status_code == 400
    assert page(client, actors.street, indicator="<script>").status_code == 400
    client.force_login(actors.street)
    with time_machine.travel(UNTIL - timedelta(minutes=5), tick=False):
        refreshed = client.get(URL, {"day": DAY.isoformat(), "indicator": "x"}, HTTP_HX_REQUEST="1")
    assert refreshed.status_code == 400


def test_a_day_not_counted_has_no_map(client, tree, actors, world):
    boundaries.do_boundaries_load(actor=SYSTEM, features=boundaries.check(collection(tree)))
    answer = page(client, actors.street, day=(DAY + timedelta(days=5)).isoformat())
    assert "这一天还没有统计" in answer.content.decode()
    assert drawn(answer) is None


# The demo's outlines --------------------------------------------------------------------


def test_the_demo_draws_each_of_its_36_communities_once_with_no_gaps():
    areas_demo.build("small", 2020)
    district = Area.objects.get(code=areas_demo.DISTRICT[0])
    made = demo.plausible_boundaries(district, random.Random(1))
    features = boundaries.check(copy.deepcopy(made))  # as strict as a deployment's file
    communities = Area.objects.filter(kind__in=[AreaKind.COMMUNITY, AreaKind.VILLAGE])
    assert sorted(f.area.code for f in features) == sorted(c.code for c in communities)
    assert len(features) == 36
    # Around Heyuan, a few kilometres across.
    points = [p for f in features for p in f.geometry["coordinates"][0]]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    assert 114.67 < min(lons) < max(lons) < 114.73
    assert 23.71 < min(lats) < max(lats) < 23.77
    # No gaps and no overlaps: every edge inside the district is drawn by the two
    # communities it parts, once each way; the edges drawn once are the district's
    # outline (6 × 8 lattice cells, each cell's side in two segments).
    edges: Counter[tuple[tuple[float, ...], tuple[float, ...]]] = Counter()
    for f in features:
        ring = [tuple(p) for p in f.geometry["coordinates"][0]]
        edges.update(itertools.pairwise(ring))
    assert all(n == 1 for n in edges.values())
    outline = [e for e in edges if (e[1], e[0]) not in edges]
    assert len(outline) == 2 * 2 * (6 + 8)
    # each community one lattice cell or two side by side (4 or 6 corners, a bent point
    # between each two, closed)
    assert {len(f.geometry["coordinates"][0]) for f in features} == {9, 13}


def test_the_demo_step_draws_the_outlines_once():
    areas_demo.build("small", 2020)
    said: list[str] = []
    ctx = DemoContext(scale="small", seed=2020, out=said.append)
    demo._outlines(ctx)
    demo._outlines(ctx)
    assert said == ["  map outlines: 36 communities", "  map outlines already there"]
    assert Boundary.objects.count() == 36
