"""Every testing page by three actors: nobody signed in (sent to sign in), someone signed
in with no role or out of the round's scope (403 or 404, nothing written, nothing of the
round, its tubes or its people shown), and the one who may (done). The cases are keyed
by the app's own URL names: a page added without its case fails here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import Actors, Tree, make_user
from jijie.accounts.models import User
from jijie.areas.roles import Role
from jijie.audit.actors import SYSTEM
from jijie.care.models import IsolationCase
from jijie.gates import services as gates
from jijie.residents.models import Person
from jijie.testing import services, urls
from jijie.testing.models import Appointment, Batch, Round, Sample, Site, Tube, TubeResult
from jijie.testing.tests.conftest import DAY, NOW, at, ric
from tests import actor_pages

pytestmark = pytest.mark.django_db

# The pages are asked an hour after the site opened its lanes, on the round's only day.
ASKED_AT = at(11)
# What the round says about its site, its tubes and its people: never on an outsider's
# page. The people of 1栋 are 居民0…居民11; the carrier took the first tube at 10:30.
ROUND_NAME = "第一轮全员核酸"
SITE_NAME = "新港路小学采样点"
BARCODES = ("AB-0001", "AB-0002", "AB-0003")
PEOPLE = tuple(f"居民{n}" for n in range(12))
CARRIER = "李师傅"


@dataclass
class World:
    tree: Tree
    actors: Actors
    far_street: User  # the street office of the other street
    other_grid: User  # the grid worker of 新港路 grid 02: the round's, not the site's
    round: Round  # over 新港路社区, on DAY
    site: Site  # in grid 01
    batch: Batch  # AB-0001 (居民4, 居民5), sealed and sent at 10:30
    sealed: Tube  # AB-0002 (居民6), sealed, still at the site
    open: Tube  # AB-0003 (居民7), open
    carded: Person  # 居民0, with an ID card, not yet swabbed
    token: str  # the pass of 居民8's household

    def user(self, who: str) -> User:
        others = {"far_street": self.far_street, "other_grid": self.other_grid}
        return others.get(who) or getattr(self.actors, who)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(ASKED_AT, tick=False)


@pytest.fixture
def world(clock, tree, actors, round_, site, people, carded_many) -> World:
    def swab(barcode: str, person: Person) -> Tube:
        done = services.sample_register(
            actor=actors.grid_worker, site=site, barcode=barcode, person=person, now=NOW
        )
        return done.sample.tube

    first = swab("AB-0001", people[4])
    swab("AB-0001", people[5])
    services.tube_seal(actor=actors.grid_worker, tube=first, now=NOW)
    batch = services.batch_send(
        actor=actors.grid_worker, site=site, barcodes=["AB-0001"], carrier=CARRIER,
        now=at(10, 30),
    )  # fmt: skip
    sealed = services.tube_seal(actor=actors.grid_worker, tube=swab("AB-0002", people[6]), now=NOW)
    still_open = swab("AB-0003", people[7])
    pass_ = gates.do_pass_issue(
        actor=SYSTEM,
        household=people[8].household,
        response=round_.response,
        valid_from=NOW - timedelta(days=1),
        valid_until=NOW + timedelta(days=10),
    )
    far_street = make_user("farstreet", Role.STREET_OFFICE, tree.other_street)
    other_grid = make_user("othergrid", Role.GRID_WORKER, tree.grid2)
    return World(
        tree,
        actors,
        far_street,
        other_grid,
        round=round_,
        site=site,
        batch=batch,
        sealed=sealed,
        open=still_open,
        carded=carded_many[0],
        token=gates.pass_token(pass_),
    )


def _shows_nothing_of_the_round(body: bytes) -> bool:
    said = (ROUND_NAME, SITE_NAME, CARRIER, *BARCODES, *PEOPLE)
    return not any(s.encode() in body for s in said)


# The pages ------------------------------------------------------------------------------


def _positive(w: World) -> None:
    """The lab found AB-0001 positive."""
    services.result_record(
        actor=w.actors.manager, round=w.round, barcode="AB-0001", result=TubeResult.POSITIVE
    )


def _results_file(w: World) -> dict[str, Any]:
    data = "样本编号,检测结果\nAB-0001,阳性\n".encode()
    return {"file": SimpleUploadedFile("结果.csv", data, content_type="text/csv")}


def _result_of(barcode: str) -> str:
    return Tube.objects.get(barcode=barcode).result


# Out of the round's sight: the sibling community's secretary, the other street's office,
# a gate guard and a member of 新港路 (no testing role), and someone with no role at all.
OUTSIDERS = {"outsider": 404, "far_street": 404, "guard": 404, "member": 404, "nobody": 404}
# A site and its tubes are out of sight of a worker of another grid of the round.
SITE_OUTSIDERS = OUTSIDERS | {"other_grid": 404}
# At a site's lanes only those who sample there: the street reads the round, swabs none.
NOT_SAMPLERS = SITE_OUTSIDERS | {"street": 404, "auditor": 404}


def page(**parts: Any) -> actor_pages.Page[World]:
    """A page of the app (`actor_pages.Page`), showing ROUND_NAME by default."""
    return actor_pages.Page(**{"shows": ROUND_NAME, **parts})


PAGES: dict[str, actor_pages.Page[World]] = {
    "index": page(
        url=lambda w: reverse("testing:index"),
        # a secretary or street elsewhere sees their own rounds, none of these
        denied={"outsider": 200, "far_street": 200, "guard": 403, "member": 403, "nobody": 403},
        may="manager",
    ),
    "round_new": page(
        url=lambda w: reverse("testing:round_new"),
        # those who manage testing elsewhere are told on the form they cannot open it here
        denied={
            "outsider": 200,
            "far_street": 200,
            "grid_worker": 403,
            "guard": 403,
            "member": 403,
            "nobody": 403,
        },
        may="manager",
        post=302,
        data=lambda w: {
            "area": w.tree.community.code,
            "name": "第二轮全员核酸",
            "starts_on": DAY + timedelta(days=1),
            "ends_on": DAY + timedelta(days=1),
            "tube_size": "10",
        },
        shows="开启检测轮次",
        done=lambda w: Round.objects.filter(name="第二轮全员核酸", area=w.tree.community).exists(),
    ),
    "round": page(
        url=lambda w: reverse("testing:round", args=[w.round.pk]),
        denied=OUTSIDERS,
        may="manager",
    ),
    "results_import": page(
        url=lambda w: reverse("testing:results_import", args=[w.round.pk]),
        # a worker of the community reads the round, the office records the lab's results;
        # a worker of grid 02 reads the round but not the community it is over: 404
        denied=OUTSIDERS | {"lower": 403, "other_grid": 404},
        may="manager",
        get=None,
        post=302,
        data=_results_file,
        done=lambda w: _result_of("AB-0001") == TubeResult.POSITIVE,
    ),
    "site_new": page(
        url=lambda w: reverse("testing:site_new", args=[w.round.pk]),
        denied=OUTSIDERS | {"lower": 403, "grid_worker": 403, "other_grid": 403},
        may="manager",
        post=302,
        data=lambda w: {
            "area": w.tree.grid.code,
            "name": "新港路公园采样点",
            "place": "公园北门",
            "lanes": "3",
            "opens_at": "07:30",
            "closes_at": "18:00",
        },
        shows="添加采样点",
        done=lambda w: Site.objects.filter(name="新港路公园采样点", round=w.round).exists(),
    ),
    "untested": page(
        url=lambda w: reverse("testing:untested", args=[w.round.pk]),
        denied=OUTSIDERS,
        may="grid_worker",
        shows="居民8",  # not swabbed yet
    ),
    "tube": page(
        url=lambda w: reverse("testing:tube", args=[w.batch.tubes.get().pk]),
        denied=SITE_OUTSIDERS,
        may="manager",
        post=302,
        # the positive tube's people put into home isolation, watched by the grid worker
        data=lambda w: {"days": "14", "supervisor": f"u{w.actors.grid_worker.pk}"},
        given=_positive,
        shows="居民4",
        done=lambda w: IsolationCase.objects.count() == 2,
    ),
    "sample": page(
        url=lambda w: reverse("testing:sample", args=[w.site.pk]),
        denied=NOT_SAMPLERS,
        may="grid_worker",
        post=302,
        data=lambda w: {"client_ref": "", "barcode": "ab-0009", "id_number": ric(0)},
        shows=SITE_NAME,
        done=lambda w: Sample.objects.filter(person=w.carded, tube__barcode="AB-0009").exists(),
    ),
    "pass_members": page(
        url=lambda w: reverse("testing:pass_members", args=[w.site.pk]),
        denied=NOT_SAMPLERS,
        may="grid_worker",
        get=None,
        post=200,  # the household's people, for the sampler to pick: nothing is written
        data=lambda w: {"token": w.token},
    ),
    "appointments": page(
        url=lambda w: reverse("testing:appointments", args=[w.site.pk]),
        denied=SITE_OUTSIDERS,
        may="manager",
        post=200,
        data=lambda w: {"day": DAY.isoformat()},
        shows=SITE_NAME,
        done=lambda w: Appointment.objects.filter(site=w.site, building=w.tree.building).exists(),
    ),
    "seal": page(
        url=lambda w: reverse("testing:seal", args=[w.site.pk]),
        denied=NOT_SAMPLERS,
        may="grid_worker",
        get=None,
        post=302,
        data=lambda w: {"barcode": "AB-0003"},
        done=lambda w: Tube.objects.get(pk=w.open.pk).sealed_at == ASKED_AT,
    ),
    "batch_send": page(
        url=lambda w: reverse("testing:batch_send", args=[w.site.pk]),
        denied=NOT_SAMPLERS,
        may="grid_worker",
        post=302,
        data=lambda w: {"tubes": ["AB-0002"], "carrier": "王师傅"},
        shows="AB-0002",
        done=lambda w: Batch.objects.filter(carrier="王师傅", tubes=w.sealed).exists(),
    ),
    "batch_receive": page(
        url=lambda w: reverse("testing:batch_receive", args=[w.batch.pk]),
        # the round's office receives; a worker of the community reads the round only
        denied=OUTSIDERS | {"lower": 403, "other_grid": 404},
        may="manager",
        get=None,
        post=302,
        data=lambda w: {"received_at": "2026-03-10T10:45"},
        done=lambda w: Batch.objects.get(pk=w.batch.pk).received_at == at(10, 45),
    ),
}
NAMES = actor_pages.url_names(urls.urlpatterns)


def test_every_page_of_the_app_has_its_case():
    actor_pages.every_url_has_its_case(PAGES, urls.urlpatterns)


@pytest.mark.parametrize("name", NAMES)
def test_nobody_signed_in_is_sent_to_sign_in(client, world, name):
    actor_pages.nobody_is_sent_to_sign_in(client, PAGES[name], world, "testing")


@pytest.mark.parametrize("name", NAMES)
def test_out_of_scope_or_without_a_role_is_refused_and_shown_nothing(client, world, name):
    actor_pages.outsiders_are_refused(
        client,
        PAGES[name],
        world,
        "testing",
        lambda response: _shows_nothing_of_the_round(response.content),
    )


@pytest.mark.parametrize("name", NAMES)
def test_the_one_who_may_is_answered(client, world, name):
    actor_pages.the_one_who_may_is_answered(client, PAGES[name], world)


def test_the_sampler_reads_the_household_of_the_pass_shown(client, world):
    # what `pass_members` answers the one who may: the people of 居民8's household
    client.force_login(world.actors.grid_worker)
    page = PAGES["pass_members"]
    answer = client.post(page.url(world), page.data(world)).json()
    (listed,) = answer["members"]
    assert listed["id"] == Person.objects.get(name="居民8").pk
    assert listed["label"].startswith("居民8")
