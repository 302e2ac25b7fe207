"""On a phone: an inspector records a visit drawn by the plan, a gate found unmanned
with a photo; the community sees it only then, reports its fix with a photo, and the
inspector closes it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jijie.audit.actors import SYSTEM
from jijie.inspections import services
from jijie.inspections.models import Order, OrderState
from tests.browser import go, page_width, screenshot, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _photo(path):
    from PIL import Image

    Image.new("RGB", (320, 240), (40, 90, 160)).save(path, "JPEG")
    return str(path)


def test_a_finding_recorded_fixed_and_closed(
    live_server, tree, inspections, actors, phone, tmp_path
):
    url = live_server.url
    today = timezone.localdate()
    plan = services.do_plan_create(
        actor=SYSTEM, team=inspections.team,
        data=services.PlanData(starts_on=today, ends_on=today + timedelta(days=6), kinds=["gate"],
                               size=3, seed=11),
    )  # fmt: skip
    visit = plan.visits.get(label="新港路社区 东门")

    # nothing shows to the community before the visit
    sign_in(phone, url, "manager")
    go(phone, "督查")
    assert "东门" not in phone.inner_text("main")
    sign_out(phone)

    # the inspector records it on the phone
    sign_in(phone, url, "inspector")
    phone.click("[data-testid=card-inspections-visits] a")
    phone.click(f"[data-testid=visit-{visit.pk}] a")
    lines = inspections.gate_lines
    phone.check(f"input[name=item-{lines[0].pk}][value=fail]")
    for line in lines[1:]:
        phone.check(f"input[name=item-{line.pk}][value=pass]")
    phone.select_option("select[name=finding-1-kind]", value="problem")
    phone.select_option("select[name=finding-1-severity]", value="major")
    phone.fill("input[name=finding-1-text]", "东门卡口无人值守")
    phone.set_input_files("input[name=finding-1-photo]", _photo(tmp_path / "gate.jpg"))
    screenshot(phone, "inspections-record-phone")
    assert page_width(phone) <= 390
    phone.click("[data-testid=record-form] button[type=submit]")
    phone.wait_for_selector("text=检查已记录。")
    assert "67" in phone.inner_text("[data-testid=score]")
    sign_out(phone)

    # the community sees its order on home, reports the fix with a photo
    sign_in(phone, url, "manager")
    phone.click("[data-testid=card-inspections-orders] a")
    order = Order.objects.get()
    phone.click(f"[data-testid=order-{order.pk}] a")
    phone.fill("textarea[name=fix]", "已安排两人轮值,补签到表")
    phone.set_input_files("input[name=photo]", _photo(tmp_path / "fixed.jpg"))
    screenshot(phone, "inspections-fix-phone")
    phone.click("[data-testid=fix-form] button[type=submit]")
    phone.wait_for_selector("text=已报告整改情况,等待复查。")
    sign_out(phone)

    # the inspector rechecks and closes it
    sign_in(phone, url, "inspector")
    phone.click("[data-testid=card-inspections-recheck] a")
    phone.click(f"[data-testid=order-{order.pk}] a")
    phone.check("input[name=is_fixed][value=yes]")
    phone.click("[data-testid=recheck-form] button[type=submit]")
    phone.wait_for_selector("text=复查通过,已销号。")
    screenshot(phone, "inspections-order-phone")
    assert page_width(phone) <= 390
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED
