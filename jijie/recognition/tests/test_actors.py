"""Every recognition page by three actors: nobody signed in (sent to sign in), someone
signed in with no role or out of the unit's scope (another unit's admin, a community's
secretary, another member: 403 or 404, nothing written, nothing of the members shown),
and the one who may (done). The cases are keyed by the app's own URL names: a page added
without its case fails here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.urls import reverse

from conftest import Actors
from jijie.accounts.models import User
from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.duty.models import Participation, Shift
from jijie.duty.tests.fixtures import demand, shifts, user_of, with_account
from jijie.mobilization.models import Member
from jijie.mobilization.tests.fixtures import Mob, member, phone_for
from jijie.recognition import services, urls
from jijie.recognition.models import Approval, Certificate, Nomination

pytestmark = pytest.mark.django_db

LATER = datetime(2026, 12, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
# What the unit's records say about its members: never on an outsider's page.
NAMES = ("王小明", "李红")
PHONES = (phone_for(1), phone_for(2))


@dataclass
class World:
    actors: Actors
    mob: Mob
    served: Member  # 王小明, 6 hours on a shift, approved, with a certificate
    other: Member  # 李红, 6 hours, approved, no certificate yet
    approval: Approval  # 区财政局's, 1 to 10 December
    certificate: Certificate

    def user(self, who: str) -> User:
        keepers = {"unit_admin": self.mob.unit_admin, "other_admin": self.mob.other_admin}
        if who == "served":
            return user_of(self.served)
        return keepers.get(who) or getattr(self.actors, who)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(LATER, tick=False)


def _on_shift(someone: Member, shift: Shift) -> None:
    """`someone` served `shift` in full, confirmed and checked out."""
    Participation.objects.create(
        shift=shift, member=someone, status="confirmed", source="assigned",
        starts_at=shift.starts_at, ends_at=shift.ends_at, checked_in_at=shift.starts_at,
        checked_out_at=shift.ends_at, minutes=360,
    )  # fmt: skip


@pytest.fixture
def world(clock, tree, mob, posts, actors) -> World:
    served = with_account(member(1, organisation=mob.unit, kind="volunteer", name=NAMES[0]), "wxm")
    other = member(2, organisation=mob.unit, kind="volunteer", name=NAMES[1])
    days = shifts(demand(tree.community, posts.guard, days=2, per_day=1, hours=6,
                         start=date(2026, 12, 1)))  # fmt: skip
    _on_shift(served, days[0])
    _on_shift(other, days[1])
    approval = services.do_approve(
        actor=SYSTEM, organisation=mob.unit, start=date(2026, 12, 1), end=date(2026, 12, 10)
    )
    certificate = services.do_certificate_issue(
        actor=SYSTEM, record=approval.records.get(member=served)
    )
    return World(actors, mob, served, other, approval, certificate)


def _written() -> dict[str, Any]:
    """Every row of the app's tables, and how many audit rows: what a refused request
    must leave as it was."""
    rows: dict[str, Any] = {
        model.__name__: list(model._default_manager.order_by("pk").values())
        for model in apps.get_app_config("recognition").get_models()
    }
    rows["audit"] = AuditEvent.objects.count()
    return rows


def _shows_nothing_of_the_members(body: bytes, world: World) -> bool:
    said = (*NAMES, *PHONES, world.certificate.number)
    return not body.startswith((b"%PDF-", b"PK")) and not any(s.encode() in body for s in said)


def _nothing(w: World) -> None:
    pass


OUTSIDERS = {"other_admin": 404, "manager": 404, "nobody": 404}


@dataclass(frozen=True)
class Page:
    """How one URL is asked for: by GET, by POST (with `data`) or both; the status each
    actor out of scope gets, for every method; the actor who may, and what they get."""

    url: Callable[[World], str]
    denied: dict[str, int]
    may: str
    get: int | None = 200  # what the one who may gets; None: the view takes no GET
    post: int | None = None  # None: the view takes no POST
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    given: Callable[[World], None] = _nothing  # the state the request needs
    # after the one who may asked: what the page showed (GET) or what was done (POST)
    shows: str | bytes = NAMES[0]
    done: Callable[[World], bool] = lambda w: True

    @property
    def methods(self) -> list[str]:
        return [method for method, then in (("get", self.get), ("post", self.post)) if then]


def _ask(client, method: str, page: Page, world: World):
    if method == "post":
        return client.post(page.url(world), page.data(world))
    return client.get(page.url(world))


PAGES: dict[str, Page] = {
    "index": Page(
        url=lambda w: reverse("recognition:index"),
        # another unit's admin sees their own units
        denied={"other_admin": 200, "manager": 403, "nobody": 403},
        may="unit_admin",
        shows="区财政局",
    ),
    "mine": Page(
        url=lambda w: reverse("recognition:mine"),
        denied=OUTSIDERS | {"member": 404},  # a member without a record of theirs
        may="served",
        shows="2026-000001",  # their certificate's number
    ),
    "unit": Page(
        url=lambda w: (
            reverse("recognition:unit", args=[w.mob.unit.pk]) + "?start=2026-12-01&end=2026-12-10"
        ),
        denied=OUTSIDERS | {"served": 404},
        may="unit_admin",
    ),
    "approve": Page(
        url=lambda w: reverse("recognition:approve", args=[w.mob.unit.pk]),
        denied=OUTSIDERS | {"served": 404},
        may="unit_admin",
        get=None,
        post=302,
        data=lambda w: {"start": "2026-12-11", "end": "2026-12-15"},
        done=lambda w: Approval.objects.filter(starts_on=date(2026, 12, 11)).exists(),
    ),
    "approval": Page(
        url=lambda w: reverse("recognition:approval", args=[w.approval.pk]),
        denied=OUTSIDERS | {"served": 404},
        may="unit_admin",
    ),
    "approval_xlsx": Page(
        url=lambda w: reverse("recognition:approval_xlsx", args=[w.approval.pk]),
        denied=OUTSIDERS | {"served": 404},
        may="unit_admin",
        shows=b"PK\x03\x04",  # a spreadsheet
    ),
    "certificate_issue": Page(
        url=lambda w: reverse(
            "recognition:certificate_issue", args=[w.approval.records.get(member=w.other).pk]
        ),
        denied=OUTSIDERS | {"served": 404},
        may="unit_admin",
        get=None,
        post=302,
        done=lambda w: Certificate.objects.filter(record__member=w.other).exists(),
    ),
    "certificate": Page(
        url=lambda w: reverse("recognition:certificate", args=[w.certificate.pk]),
        denied=OUTSIDERS | {"member": 404},  # another member's
        may="served",
        shows=b"%PDF-",
    ),
    "nominate": Page(
        url=lambda w: reverse("recognition:nominate", args=[w.served.pk]),
        denied=OUTSIDERS | {"served": 404},  # nobody proposes themselves
        may="unit_admin",
        post=302,
        data=lambda w: {"reason": "卡口值守,主动顶班"},
        done=lambda w: Nomination.objects.filter(member=w.served).exists(),
    ),
}
URL_NAMES = [pattern.name for pattern in urls.urlpatterns]


def test_every_page_of_the_app_has_its_case():
    assert set(PAGES) == set(URL_NAMES)


@pytest.mark.parametrize("name", URL_NAMES)
def test_nobody_signed_in_is_sent_to_sign_in(client, world, name):
    page = PAGES[name]
    page.given(world)
    before = _written()
    for method in ("get", "post"):
        response = _ask(client, method, page, world)
        assert response.status_code == 302, method
        assert response.url.startswith(reverse("accounts:login")), method
    assert _written() == before


@pytest.mark.parametrize("name", URL_NAMES)
def test_out_of_scope_or_without_a_role_is_refused_and_shown_nothing(client, world, name):
    page = PAGES[name]
    page.given(world)
    before = _written()
    for who, status in page.denied.items():
        client.force_login(world.user(who))
        for method in page.methods:
            response = _ask(client, method, page, world)
            assert response.status_code == status, (who, method)
            assert _shows_nothing_of_the_members(response.content, world), (who, method)
    assert _written() == before


@pytest.mark.parametrize("name", URL_NAMES)
def test_the_one_who_may_is_answered(client, world, name):
    page = PAGES[name]
    page.given(world)
    client.force_login(world.user(page.may))
    if page.get is not None:
        response = client.get(page.url(world))
        assert response.status_code == page.get
        shows = page.shows if isinstance(page.shows, bytes) else page.shows.encode()
        assert shows in response.content
    if page.post is not None:
        response = client.post(page.url(world), page.data(world))
        assert response.status_code == page.post
        assert page.done(world)


def test_a_member_finds_their_own_record_from_the_index(client, world):
    client.force_login(user_of(world.served))
    page = client.get(reverse("recognition:index")).content.decode()
    assert reverse("recognition:mine") in page
    assert "区财政局" not in page  # a member keeps no unit
