"""On a phone: a member signs up from the shared link; the committee screens and
deploys them; the community's secretary finds them among the members deployed there,
their phone masked as the registry masks it."""

from datetime import date

import pytest

from jijie.mobilization.models import SignUp, SignUpStatus
from jijie.mobilization.tests.fixtures import make_id
from tests.browser import go, screenshot, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url, username):
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "a-long-test-password")
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{url}/**")


def test_sign_up_screen_deploy_and_the_community_sees(live_server, mob, actors, tree, phone):
    page = phone
    # a member signs up on their phone, without an account
    page.goto(f"{live_server.url}/mobilization/join/{mob.call_up.token}/")
    assert page.locator("[data-testid=join]").inner_text() == "疫情防控集结号"
    page.fill("input[name=name]", "陈建国")
    page.fill("input[name=document_number]", make_id(date(1984, 7, 9), 31))
    page.fill("input[name=phone]", "13926001122")
    page.select_option("select[name=organisation]", label="区财政局机关党支部")
    page.select_option("select[name=residence]", label="新江三路社区")
    page.check("input[name=skills][value=driving]")
    page.check("input[name=health_declared]")
    screenshot(page, "mobilization-join-phone")
    page.click("button:has-text('报名')")
    assert "陈建国" in page.locator("[data-testid=joined]").inner_text()
    assert SignUp.objects.get().status == SignUpStatus.REQUESTED

    # the committee screens the sign-ups and deploys the member to 新港路社区
    sign_in(page, live_server.url, "chair")
    page.goto(f"{live_server.url}/mobilization/call-ups/{mob.call_up.pk}/")
    page.click("summary:has-text('按条件批量筛选')")
    page.click("button:has-text('筛选待筛选的报名')")
    assert "通过 1 人,未通过 0 人" in page.content()
    screenshot(page, "mobilization-funnel-phone")
    page.click("text=报名名单")
    page.click("[data-testid=sign-up] >> text=下沉")
    page.select_option("select[name=community]", label="新港路社区 (2)")
    page.click("button:has-text('确认下沉')")
    screenshot(page, "mobilization-deploy-phone")
    assert "陈建国 已下沉" in page.content()
    assert SignUp.objects.get().status == SignUpStatus.DEPLOYED
    sign_out(page)

    # the community secretary sees them, masked
    sign_in(page, live_server.url, "manager")
    go(page, "集结")
    screenshot(page, "mobilization-community-phone")
    deployed = page.locator("[data-testid=deployed]").inner_text()
    assert "陈建国" in deployed
    assert "139****1122" in deployed
    assert "13926001122" not in page.content()
    screenshot(page, "mobilization-community-phone")
