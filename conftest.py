"""Fixtures shared by every app's tests: a small area tree and the three actors
(manager, lower role in the same area, outsider in a sibling area); and the instant
the suite runs at (`--at`), so that a failure at a given hour or day can be replayed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jijie.accounts.models import User
from jijie.accounts.services import do_role_assign
from jijie.areas.models import Area, AreaKind
from jijie.areas.roles import Role
from jijie.areas.services import do_area_create
from jijie.audit.actors import SYSTEM
from tests import live_server, postgres

# Each app's fixtures, by name for every test (Saleor's layout). Mobilization first: the
# others import its helpers, and a plugin imported before it is registered would miss
# pytest's assertion rewriting.
pytest_plugins = [
    "jijie.mobilization.tests.fixtures",
    "jijie.care.tests.fixtures",
    "jijie.core.tests.fixtures",
    "jijie.duty.tests.fixtures",
    "jijie.gates.tests.fixtures",
    "jijie.residents.tests.fixtures",
    "jijie.supplies.tests.fixtures",
    "jijie.funds.tests.fixtures",
    "jijie.problems.tests.fixtures",
    "jijie.inspections.tests.fixtures",
]

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# The suite's instant -------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--at",
        default=os.environ.get("TEST_AT", ""),
        help="start every test at this instant, the clock running on from there (ISO 8601, "
        "e.g. 2027-12-31T23:59; without an offset, Asia/Shanghai). Default: $TEST_AT.",
    )


def suite_instant(config: pytest.Config) -> datetime | None:
    raw = str(config.getoption("--at") or "").strip()
    if not raw:
        return None
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise pytest.UsageError(f"--at {raw!r}: not an ISO 8601 date and time") from None
    return at if at.tzinfo else at.replace(tzinfo=ZoneInfo("Asia/Shanghai"))


def pytest_configure(config: pytest.Config) -> None:
    suite_instant(config)  # a bad --at stops the run before any test
    live_server.install()
    postgres.install(config)


def pytest_runtest_setup(item: pytest.Item) -> None:
    postgres.skip_unless_postgres(item)


def pytest_report_header(config: pytest.Config) -> str:
    at = suite_instant(config)
    if at is None:
        return "clock: the machine's (replay an instant with --at=... or TEST_AT=...)"
    return f"clock: every test starts at {at.isoformat()} (--at={at.isoformat()})"


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language (zh-Hans). A request answered in
    another language (Accept-Language: en) leaves that language active in the thread
    (LocaleMiddleware activates it and nothing resets it), and a later test on the same
    worker that reads a message without a request would read it in English."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _server_idle_before_the_database_is_emptied(request: pytest.FixtureRequest) -> Iterator[None]:
    """A browser test's pages may still be asking the test server for something when
    the test ends (the menu's badges load once a page is drawn). The test's database is
    set up before this fixture, so it is emptied after it: here the last request is
    waited for, before its tables are truncated under it."""
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    yield
    assert live_server.wait_idle(), "the test server was still answering 15 s after the test"


@pytest.fixture(autouse=True)
def _suite_instant(request: pytest.FixtureRequest) -> Iterator[None]:
    """With `--at`, each test starts at that instant; a test that freezes or moves the
    clock itself (the `time_machine` fixture) does so from there. A browser test runs
    with the clock stopped where it starts (the server's and the pages' alike): its
    pages take seconds, and one that ran across midnight would see two days."""
    at = suite_instant(request.config)
    is_browser = request.node.get_closest_marker("browser") is not None
    if at is None and not is_browser:
        yield
        return
    with time_machine.travel(at or datetime.now(UTC), tick=not is_browser):
        yield


@dataclass
class Tree:
    city: Area
    district: Area
    street: Area
    other_street: Area
    community: Area
    sibling: Area
    far_community: Area
    grid: Area
    grid2: Area
    sibling_grid: Area
    building: Area

    def refresh(self) -> Tree:
        for name, area in vars(self).items():
            setattr(self, name, Area.objects.get(pk=area.pk))
        return self


def build_tree() -> Tree:
    def add(parent: Area | None, kind: str, code: str, name: str, **kw: Any) -> Area:
        return do_area_create(actor=SYSTEM, parent=parent, kind=kind, code=code, name=name, **kw)

    city = add(None, AreaKind.CITY, "441600", "河源市")
    district = add(city, AreaKind.DISTRICT, "441602", "源城区")
    street = add(district, AreaKind.STREET, "441602004000", "源西街道")
    other_street = add(district, AreaKind.STREET, "441602001000", "上城街道")
    community = add(street, AreaKind.COMMUNITY, "441602004001", "新港路社区")
    sibling = add(street, AreaKind.COMMUNITY, "441602004002", "新江三路社区")
    far = add(other_street, AreaKind.COMMUNITY, "441602001001", "上角社区")
    grid = add(community, AreaKind.GRID, "441602004001-01", "第01网格")
    grid2 = add(community, AreaKind.GRID, "441602004001-02", "第02网格")
    sibling_grid = add(sibling, AreaKind.GRID, "441602004002-01", "第01网格")
    building = add(grid, AreaKind.BUILDING, "441602004001-01-001", "1栋", dwelling_count=64)
    add(grid, AreaKind.BUILDING, "441602004001-01-002", "2栋", dwelling_count=48)
    add(grid2, AreaKind.BUILDING, "441602004001-02-003", "3栋", dwelling_count=120)
    add(sibling_grid, AreaKind.BUILDING, "441602004002-01-001", "1栋", dwelling_count=80)
    add(far, AreaKind.GRID, "441602001001-01", "第01网格")
    return Tree(
        city,
        district,
        street,
        other_street,
        community,
        sibling,
        far,
        grid,
        grid2,
        sibling_grid,
        building,
    ).refresh()


@pytest.fixture
def tree(db: None) -> Tree:
    return build_tree()


def make_user(username: str, role: str | None = None, area: Area | None = None) -> User:
    user = User.objects.create_user(username=username, password="a-long-test-password")
    if role is not None and area is not None:
        do_role_assign(actor=SYSTEM, user=user, role=role, area=area)
    return user


@dataclass
class Actors:
    manager: User  # community secretary of 新港路社区
    lower: User  # community worker of the same community
    outsider: User  # community secretary of the sibling 新江三路社区
    street: User  # street office of 源西街道
    command: User  # district command
    grid_worker: User  # grid worker of 新港路 grid 01
    auditor: User  # auditor over the city
    member: User  # a member: no area browsing
    guard: User  # gate guard of 新港路社区: reads the registry, writes nothing
    nobody: User  # signed in, no role at all


@pytest.fixture
def actors(tree: Tree) -> Actors:
    return Actors(
        manager=make_user("manager", Role.COMMUNITY_SECRETARY, tree.community),
        lower=make_user("lower", Role.COMMUNITY_WORKER, tree.community),
        outsider=make_user("outsider", Role.COMMUNITY_SECRETARY, tree.sibling),
        street=make_user("street", Role.STREET_OFFICE, tree.street),
        command=make_user("command", Role.COMMAND, tree.district),
        grid_worker=make_user("gridworker", Role.GRID_WORKER, tree.grid),
        auditor=make_user("auditor", Role.AUDITOR, tree.city),
        member=make_user("member", Role.MEMBER, tree.community),
        guard=make_user("guard", Role.GATE_GUARD, tree.community),
        nobody=make_user("nobody"),
    )


@pytest.fixture(scope="session")
def browser():
    from tests.browser import launch

    yield from launch()


@pytest.fixture
def phone(browser):
    """A page the size of a phone, in Chinese."""
    from tests.browser import PHONE, new_context

    context = new_context(browser, viewport=PHONE, locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    from tests.browser import new_context

    context = new_context(browser, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
