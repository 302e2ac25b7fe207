"""The problem pages by three actors (the level that answers, a lower role beside it, an
outsider), and a problem raised from a phone form and carried to its end."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jijie.problems import services
from jijie.problems.models import Photo, Problem, ProblemState
from jijie.problems.tests.fixtures import raise_problem
from jijie.supplies.tests.fixtures import receive

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


def _as(client, user):
    client.force_login(user)
    return client


@time_machine.travel(AT, tick=False)
def test_three_actors_on_every_page(client, tree, supplies, actors):
    problem = raise_problem(tree.grid, actor=actors.grid_worker, now=AT, photo=None)
    Photo.objects.create(
        problem=problem, name="a.jpg", content_type="image/jpeg", content=JPEG, size=len(JPEG)
    )
    pages = [
        reverse("problems:board"),
        reverse("problems:board") + "?tab=all",
        reverse("problems:rates"),
        reverse("problems:detail", args=[problem.pk]),
        reverse("problems:photo", args=[problem.pk]),
        reverse("problems:new"),
        reverse("problems:mine"),
    ]
    for who in ("street", "manager", "lower", "grid_worker", "command"):
        for url in pages:
            assert _as(client, getattr(actors, who)).get(url).status_code == 200, (who, url)
    # the sibling community's secretary reads its own board, not this problem
    outsider = _as(client, actors.outsider)
    assert outsider.get(pages[0]).status_code == 200
    assert f"problem-{problem.pk}" not in outsider.get(pages[1]).content.decode()
    assert outsider.get(pages[3]).status_code == 404
    assert outsider.get(pages[4]).status_code == 404
    # a guard raises and follows their own; the board is the offices'
    guard = _as(client, actors.guard)
    assert guard.get(pages[0]).status_code == 302
    assert guard.get(pages[2]).status_code == 403
    assert guard.get(pages[3]).status_code == 404
    assert guard.get(pages[5]).status_code == 200
    # no role: nothing
    nobody = _as(client, actors.nobody)
    for url in (pages[0], pages[2], pages[5]):
        assert nobody.get(url).status_code == 403
    assert nobody.get(pages[3]).status_code == 404


@time_machine.travel(AT, tick=False)
def test_handling_is_the_levels_own(client, tree, supplies, actors):
    problem = raise_problem(tree.grid, now=AT)  # the street's
    claim = reverse("problems:claim", args=[problem.pk])
    answer = reverse("problems:answer", args=[problem.pk])
    assert _as(client, actors.manager).post(claim).status_code == 403
    assert _as(client, actors.command).post(answer, {"answer": "x"}).status_code == 403
    assert _as(client, actors.outsider).post(claim).status_code == 404
    assert Problem.objects.get().claimed_by is None
    assert _as(client, actors.street).post(claim).status_code == 302
    assert Problem.objects.get().claimed_by == actors.street


@time_machine.travel(AT, tick=False)
def test_the_board_lists_what_waits_at_my_level(client, tree, supplies, actors):
    mine = raise_problem(tree.grid, title="没有耳温枪", now=AT)
    community = raise_problem(tree.grid, kind="residents", title="独居老人买药", now=AT)
    street_page = _as(client, actors.street).get(reverse("problems:board")).content.decode()
    assert f"problem-{mine.pk}" in street_page
    assert f"problem-{community.pk}" not in street_page
    community_page = _as(client, actors.manager).get(reverse("problems:board")).content.decode()
    assert f"problem-{community.pk}" in community_page
    assert f"problem-{mine.pk}" not in community_page


def test_bad_filters_are_told(client, tree, supplies, actors):
    street = _as(client, actors.street)
    assert street.get(reverse("problems:board") + "?tab=nope").status_code == 400
    assert street.get(reverse("problems:board") + "?kind=nope").status_code == 400
    assert street.get(reverse("problems:rates") + "?start=2026-13-01").status_code == 400
    assert (
        street.get(reverse("problems:rates") + "?start=2026-12-05&end=2026-12-01").status_code
        == 400
    )
    assert street.get(reverse("problems:board") + "?area=441602001001").status_code == 404


@time_machine.travel(AT, tick=False)
def test_raised_on_the_form_answered_by_a_transfer_and_confirmed(client, tree, supplies, actors):
    # a grid worker raises it with a photo
    worker = _as(client, actors.grid_worker)
    photo = SimpleUploadedFile("photo.jpg", JPEG, content_type="image/jpeg")
    response = worker.post(
        reverse("problems:new"),
        {
            "area_code": tree.building.code,
            "kind": "supplies",
            "urgency": "urgent",
            "title": "没有耳温枪",
            "need": "耳温枪 5 个",
            "photo": photo,
        },
    )
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert problem.level == tree.street
    assert Photo.objects.filter(problem=problem).exists()
    # the street sends thermometers and answers with the transfer it picks
    receive(supplies, supplies.street, supplies.thermometers, 10)
    from jijie.supplies import services as supplies_services

    transfer = supplies_services.do_transfer_send(
        actor=actors.street,
        source=supplies.street,
        destination=supplies.community,
        response=supplies.response,
        lines=[supplies_services.Line(item=supplies.thermometers, quantity="5")],
    )
    street = _as(client, actors.street)
    page = street.get(reverse("problems:detail", args=[problem.pk])).content.decode()
    assert f'value="{transfer.pk}"' in page  # offered to pick
    response = street.post(
        reverse("problems:answer", args=[problem.pk]),
        {"answer": "已调拨耳温枪 5 个", "transfer": transfer.pk},
    )
    assert response.status_code == 302
    # the grid worker confirms
    worker = _as(client, actors.grid_worker)
    response = worker.post(reverse("problems:confirm", args=[problem.pk]), {"rating": "5"})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.state, problem.rating, problem.transfer) == (ProblemState.RESOLVED, 5, transfer)


@time_machine.travel(AT, tick=False)
def test_the_form_tells_what_is_wrong(client, tree, supplies, actors):
    worker = _as(client, actors.grid_worker)
    response = worker.post(
        reverse("problems:new"),
        {
            "area_code": tree.grid.code,
            "kind": "supplies",
            "urgency": "urgent",
            "title": "没有耳温枪",
            "needed_by": "2026-12-02T08:00",
        },
    )
    assert response.status_code == 200
    assert "需要时间已经过去" in response.content.decode()
    response = worker.post(
        reverse("problems:new"),
        {
            "area_code": tree.sibling_grid.code,
            "kind": "supplies",
            "urgency": "urgent",
            "title": "没有耳温枪",
        },
    )
    assert response.status_code == 200
    assert Problem.objects.count() == 0
    problem = raise_problem(tree.grid, actor=actors.grid_worker, now=AT)
    services.problem_answer(actor=actors.street, problem=problem, answer=services.Answer("已送"))
    response = worker.post(reverse("problems:confirm", args=[problem.pk]), {"rating": "9"})
    assert response.status_code == 200
    assert Problem.objects.get().state == ProblemState.ANSWERED


def test_rates_drill_down_and_back(client, tree, supplies, actors):
    raise_problem(tree.grid)
    command = _as(client, actors.command)
    page = command.get(reverse("problems:rates")).content.decode()
    assert "源西街道" in page
    page = command.get(reverse("problems:rates") + f"?area={tree.street.code}").content.decode()
    assert "新港路社区" in page
    assert f"area={tree.district.code}" in page  # the way back up


def test_a_second_claim_on_the_page_says_who_has_it(client, tree, supplies, actors):
    from conftest import make_user

    other = make_user("street2", "street_office", tree.street)
    problem = raise_problem(tree.grid)
    services.problem_claim(actor=actors.street, problem=problem)
    response = _as(client, other).post(reverse("problems:claim", args=[problem.pk]), follow=True)
    assert "已由 street 认领" in response.content.decode()
    assert Problem.objects.get().claimed_by == actors.street


def test_a_member_raises_on_the_form_and_follows_it(client, tree, mob):
    from jijie.duty.tests.fixtures import deployed, with_account

    someone = with_account(deployed(mob, 5, tree.community), "deployed5")
    member = _as(client, someone.user)
    page = member.get(reverse("problems:new")).content.decode()
    assert tree.community.code in page  # prefilled with where they serve
    assert member.get(reverse("problems:board")).status_code == 302  # to their own
    response = member.post(
        reverse("problems:new"),
        {
            "area_code": tree.community.code,
            "kind": "staff",
            "urgency": "normal",
            "title": "人手不足",
        },
    )
    assert response.status_code == 302
    response = member.post(
        reverse("problems:new"),
        {"area_code": tree.sibling.code, "kind": "staff", "urgency": "normal", "title": "人手不足"},
    )
    assert response.status_code == 200
    assert Problem.objects.count() == 1
    assert "人手不足" in member.get(reverse("problems:mine")).content.decode()
