"""The menu offers what its pages let the user open: a member's own shifts, errands and
record, whatever other roles the member also holds."""

import pytest
from django.test import RequestFactory

from config.context_processors import shell
from jijie.accounts.services import do_role_assign
from jijie.areas.roles import Role
from jijie.audit.actors import SYSTEM

pytestmark = pytest.mark.django_db


def nav(user) -> dict[str, bool]:
    request = RequestFactory().get("/")
    request.user = user
    entries: dict[str, bool] = shell(request)["nav"]
    return entries


def test_a_member_sees_duty_care_and_mobilization(actors):
    entries = nav(actors.member)
    assert [entries["duty"], entries["care"], entries["mobilization"]] == [True, True, True]
    assert not entries["residents"]


def test_a_member_who_also_guards_a_gate_keeps_the_member_entries(actors, tree):
    do_role_assign(actor=SYSTEM, user=actors.guard, role=Role.MEMBER, area=tree.community)
    entries = nav(actors.guard)
    assert [entries["duty"], entries["care"], entries["mobilization"]] == [True, True, True]
    assert entries["gates"]


def test_nobody_sees_nothing(actors):
    assert not any(nav(actors.nobody).values())


def test_the_menu_lists_what_the_user_may_open_in_order(actors):
    request = RequestFactory().get("/")
    request.user = actors.manager
    menu = shell(request)["menu"]
    keys = [entry.key for entry in menu]
    assert keys == [
        "areas",
        "reports",
        "residents",
        "mobilization",
        "screening",
        "gates",
        "duty",
        "care",
        "supplies",
        "funds",
        "problems",
        "inspections",
        "testing",
        "responses",
        "people",
    ]
    assert menu[0].url == "/areas/"


def test_a_page_draws_the_menu_entries_once_and_shows_them_twice(client, actors):
    # A desktop's row and a phone's list hold the same entries: drawn once a page.
    client.force_login(actors.manager)
    response = client.get("/account/")
    drawn = [t.name for t in response.templates if t.name == "core/_menu_entries.html"]
    assert drawn == ["core/_menu_entries.html"]
    page = response.content.decode()
    assert page.count('data-testid="sign-out"') == 2
    assert page.count('data-testid="me"') == 2
