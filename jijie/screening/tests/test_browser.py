"""On a phone: a grid worker opens the sweep of their grid, records three visits in a
building (one door does not answer), and the coverage page shows the change and the
revisit."""

import pytest

from jijie.screening.models import Revisit, Visit
from tests.browser import go, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grid_worker_records_three_visits(live_server, actors, tree, campaign, phone):
    page = phone
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "gridworker")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{live_server.url}/")

    go(page, "排查")
    page.click("[data-testid=campaigns] >> text=第一轮扫楼")
    # the grid worker's view starts at their grid: three doors, none reached
    assert page.locator("[data-testid=not-reached]").inner_text() == "3"
    page.click("[data-testid=coverage] >> text=1栋")
    page.click("text=开始排查")
    screenshot(page, "screening-doors-phone")

    # the building as its floor plan: every door not yet visited, floor by floor
    assert page.locator("[data-testid=floorplan] a[data-state=todo]").count() == 3
    for outcome in ("done", "no_answer", "done"):
        # a tap on a door not yet visited
        page.click("[data-testid=floorplan] a[data-state=todo] >> nth=0")
        page.check("input[name=mode][value=door]")
        page.check(f"input[name=outcome][value={outcome}]")
        if outcome == "done":
            page.fill("input[name=q_people_home]", "2")
            page.select_option("select[name=q_fever_cough]", "no")
        page.click("[data-testid=visit-form] button[type=submit]")
        page.wait_for_selector("[data-testid=floorplan]")
    screenshot(page, "screening-visit-saved-phone")
    assert page.locator("[data-testid=floorplan] a[data-state=todo]").count() == 0
    assert page.locator("[data-testid=floorplan] a[data-state=revisit]").count() == 1
    # the next door to knock at is the one that did not answer
    assert page.locator("[data-testid=next-door]").is_visible()

    page.click(f"text={campaign.name}")
    assert page.locator("[data-testid=completed]").inner_text() == "2"
    assert page.locator("[data-testid=pending]").inner_text() == "1"
    assert page.locator("[data-testid=not-reached]").inner_text() == "0"
    assert "无人应答" in page.locator("[data-testid=revisits]").inner_text()
    screenshot(page, "screening-coverage-phone")
    assert Visit.objects.count() == 3
    assert Revisit.objects.filter(closed_at=None).count() == 1
