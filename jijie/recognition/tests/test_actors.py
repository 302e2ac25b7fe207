"""Every recognition page by three actors: nobody signed in (sent to sign in), someone
signed in with no role or out of the unit's scope (another unit's admin, a community's
secretary, another member: 403 or 404, nothing written, nothing of the members shown),
and the one who may (done). The cases are keyed by the app's own URL names: a page added
without its case fails here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from conftest import Actors
from jijie.accounts.models import User
from jijie.audit.actors import SYSTEM
from jijie.duty.models import Participation, Shift
from jijie.duty.tests.fixtures import demand, shifts, user_of, with_account
from jijie.mobilization.models import Member
from jijie.mobilization.tests.fixtures import Mob, member, phone_for
from jijie.recognition import services, urls
from jijie.recognition.models import Approval, Certificate, Nomination
from tests import actor_pages

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


def _shows_nothing_of_the_members(body: bytes, world: World) -> bool:
    said = (*NAMES, *PHONES, world.certificate.number)
    return not body.startswith((b"%PDF-", b"PK")) and not any(s.encode() in body for s in said)


OUTSIDERS = {"other_admin": 404, "manager": 404, "nobody": 404}


def page(**parts: Any) -> actor_pages.Page[World]:
    """A page of the app (`actor_pages.Page`), showing NAMES[0] by default."""
    return actor_pages.Page(**{"shows": NAMES[0], **parts})


PAGES: dict[str, actor_pages.Page[World]] = {
    "index": page(
        url=lambda w: reverse("recognition:index"),
        # another unit's admin sees their own units
        denied={"other_admin": 200, "manager": 403, "nobody": 403},
        may="unit_admin",
        shows="区财政局",
    ),
    "mine": page(
        url=lambda w: reverse("recognition:mine"),
        denied=OUTSIDERS | {"member": 404},  # a member without a record of theirs
        may="served",
        shows="2026-000001",  # their certificate's number
    ),
    "unit": page(
        url=lambda w: (
            reverse("recognition:unit", args=[w.mob.unit.pk]) + "?start=2026-12-01&end=2026-12-10"
        ),
        denied=OUTSIDERS | {"served": 404},
        may="unit_admin",
    ),
    "approve": page(
        url=lambda w: reverse("recognition:approve", args=[w.mob.unit.pk]),
        denied=OUTSIDERS | {"served": 404},
        may="unit_admin",
        get=None,
        post=302,
        data=lambda w: {"start": "2026-12-11", "end": "2026-12-15"},
        done=lambda w: Approval.objects.filter(starts_on=date(2026, 12, 11)).exists(),
    ),
    "approval": page(
        url=lambda w: reverse("recognition:approval", args=[w.approval.pk]),
        denied=OUTSIDERS | {"served": 404},
        may="unit_admin",
    ),
    "approval_xlsx": page(
        url=lambda w: reverse("recognition:approval_xlsx", args=[w.approval.pk]),
        denied=OUTSIDERS | {"served": 404},
        may="unit_admin",
        shows=b"PK\x03\x04",  # a spreadsheet
    ),
    "certificate_issue": page(
        url=lambda w: reverse(
            "recognition:certificate_issue", args=[w.approval.records.get(member=w.other).pk]
        ),
        denied=OUTSIDERS | {"served": 404},
        may="unit_admin",
        get=None,
        post=302,
        done=lambda w: Certificate.objects.filter(record__member=w.other).exists(),
    ),
    "certificate": page(
        url=lambda w: reverse("recognition:certificate", args=[w.certificate.pk]),
        denied=OUTSIDERS | {"member": 404},  # another member's
        may="served",
        shows=b"%PDF-",
    ),
    "nominate": page(
        url=lambda w: reverse("recognition:nominate", args=[w.served.pk]),
        denied=OUTSIDERS | {"served": 404},  # nobody proposes themselves
        may="unit_admin",
        post=302,
        data=lambda w: {"reason": "卡口值守,主动顶班"},
        done=lambda w: Nomination.objects.filter(member=w.served).exists(),
    ),
}
URL_NAMES = actor_pages.url_names(urls.urlpatterns)


def test_every_page_of_the_app_has_its_case():
    actor_pages.every_url_has_its_case(PAGES, urls.urlpatterns)


@pytest.mark.parametrize("name", URL_NAMES)
def test_nobody_signed_in_is_sent_to_sign_in(client, world, name):
    actor_pages.nobody_is_sent_to_sign_in(client, PAGES[name], world, "recognition")


@pytest.mark.parametrize("name", URL_NAMES)
def test_out_of_scope_or_without_a_role_is_refused_and_shown_nothing(client, world, name):
    actor_pages.outsiders_are_refused(
        client,
        PAGES[name],
        world,
        "recognition",
        lambda response: _shows_nothing_of_the_members(response.content, world),
    )


@pytest.mark.parametrize("name", URL_NAMES)
def test_the_one_who_may_is_answered(client, world, name):
    actor_pages.the_one_who_may_is_answered(client, PAGES[name], world)


def test_a_member_finds_their_own_record_from_the_index(client, world):
    client.force_login(user_of(world.served))
    page = client.get(reverse("recognition:index")).content.decode()
    assert reverse("recognition:mine") in page
    assert "区财政局" not in page  # a member keeps no unit
