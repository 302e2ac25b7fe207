"""Every page a role opens from the menu passes an accessibility check (axe-core, from
npm): no critical or serious violation, on a phone and on a desktop."""

import pytest

from tests.browser import AXE, PHONE, axe_violations, new_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each role, and where its menu leads.
ROLES = ["manager", "gridworker", "guard", "street", "command", "member"]


@pytest.mark.parametrize(
    "viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"]
)
def test_every_menu_page_of_every_role_passes_axe(live_server, actors, tree, browser, viewport):
    assert AXE.is_file(), "axe-core is installed by npm (make setup)"
    # The page's policy allows only the app's own scripts; the checker is the test's.
    context = new_context(browser, viewport=viewport, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    problems = []
    try:
        for username in ROLES:
            sign_in(page, live_server.url, username)
            urls = [f"{live_server.url}/", f"{live_server.url}/account/"]
            urls += [
                page.locator("[data-testid=menu-wide] a[data-menu]").nth(i).get_attribute("href")
                for i in range(page.locator("[data-testid=menu-wide] a[data-menu]").count())
            ]
            for url in urls:
                page.goto(url if url.startswith("http") else f"{live_server.url}{url}")
                problems += axe_violations(page)
            page.context.clear_cookies()
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
