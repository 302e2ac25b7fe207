"""In a real browser, the pages run under the Content-Security-Policy without a refusal:
the shell with htmx, a live search, the API's documentation."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_break_no_rule_of_the_policy(live_server, actors, tree, desktop):
    page = desktop
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{live_server.url}/")
    # htmx loads and answers a live search
    page.goto(f"{live_server.url}/areas/{tree.community.code}/")
    assert page.evaluate("typeof htmx") == "object"
    page.fill("input[name=q]", "1栋")
    page.wait_for_selector("#search-results :text('1栋')")
    # Swagger UI draws the API's operations from its schema
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector("#swagger-ui .opblock")
    assert refused == []
