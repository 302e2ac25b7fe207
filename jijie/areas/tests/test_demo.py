import random

from jijie.areas.demo import GRID_MAX, GRID_MIN, SEED_DWELLINGS, STREETS, plan


def test_seed_plan_is_the_seed_district():
    layout = plan("seed", random.Random("2020:seed:areas"))
    assert len(layout.grids) == 36
    assert sum(sum(g) for g in layout.grids) == SEED_DWELLINGS
    assert all(GRID_MIN <= size <= GRID_MAX for g in layout.grids for size in g)


def test_the_district_has_its_six_streets_and_36_communities():
    assert [s[1] for s in STREETS] == [
        "上城街道",
        "新江街道",
        "东埔街道",
        "源西街道",
        "源南镇",
        "埔前镇",
    ]
    assert sum(len(s[3]) for s in STREETS) == 36
    yuanxi = next(s for s in STREETS if s[1] == "源西街道")
    assert {"新港路社区", "新江三路社区"} <= {name for name, _ in yuanxi[3]}
