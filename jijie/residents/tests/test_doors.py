"""Door numbers sort as people read them, and a building is drawn floor by floor."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jijie.residents.doors import door_key, floor_of, floor_plan


def test_doors_sort_as_people_read_them():
    doors = ["1001", "102", "101", "B2", "B10", "301", "12"]
    assert sorted(doors, key=door_key) == ["12", "101", "102", "301", "1001", "B2", "B10"]
    units = ["2单元101", "1单元1201", "1单元301"]
    assert sorted(units, key=door_key) == ["1单元301", "1单元1201", "2单元101"]


@pytest.mark.parametrize(
    ("door", "floor"),
    [("502", 5), ("1203", 12), ("2单元1502", 15), ("B103", 1), ("3", None), ("12", None),
     ("商铺甲", None), (" 101 ", 1), ("3-201室", 2)],
)  # fmt: skip
def test_the_floor_a_door_names(door, floor):
    assert floor_of(door) == floor


def test_a_building_is_drawn_from_the_top_floor_down():
    doors = ["101", "1002", "102", "201", "商铺", "902", "901"]
    plan = floor_plan(doors, door=lambda d: d)
    assert [(f.number, f.doors) for f in plan] == [
        (10, ["1002"]),
        (9, ["901", "902"]),
        (2, ["201"]),
        (1, ["101", "102"]),
        (None, ["商铺"]),
    ]


@given(st.lists(st.integers(min_value=1, max_value=99), min_size=1), st.integers(1, 30))
def test_numbered_doors_order_by_floor_then_door(units, floors):
    doors = [f"{floor}{unit:02d}" for floor in range(1, floors + 1) for unit in set(units)]
    ordered = sorted(doors, key=door_key)
    assert ordered == sorted(doors, key=lambda d: (int(d[:-2]), int(d[-2:])))
    plan = floor_plan(doors, door=lambda d: d)
    assert [f.number for f in plan] == list(range(floors, 0, -1))
    assert sum(len(f.doors) for f in plan) == len(doors)
