"""What a problem refuses, with the sentence saying why and nothing stored: a supplies
request of another branch linked as its answer, and confirming a problem someone else
raised."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.problems import services
from jijie.problems.models import Problem, ProblemEvent, ProblemState
from jijie.problems.tests.fixtures import raise_problem
from jijie.supplies import services as supplies_services

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _stored(problem):
    problem.refresh_from_db()
    return (
        problem.state,
        problem.answer,
        problem.supply_request_id,
        problem.claimed_by_id,
        ProblemEvent.objects.count(),
        AuditEvent.objects.count(),
    )


@time_machine.travel(AT, tick=False)
def test_a_supplies_request_of_another_branch_does_not_answer(client, tree, supplies, actors):
    # given 新港路's problem, and a request 新江三路 made of the same street
    problem = raise_problem(tree.grid, title="没有耳温枪")
    elsewhere = supplies_services.do_request_submit(
        actor=SYSTEM,
        store=supplies.sibling,
        response=supplies.response,
        data=supplies_services.RequestData(
            lines=[supplies_services.Line(supplies.thermometers, "5")],
            reason="我们社区没有耳温枪",
            needed_by=date(2026, 12, 4),
        ),
    )
    before = _stored(problem)
    # when the street answers the problem with it
    with pytest.raises(ValidationError) as refused:
        services.problem_answer(
            actor=actors.street,
            problem=problem,
            answer=services.Answer("已申请耳温枪", supply_request=elsewhere),
        )
    # then it is told why, and nothing is stored
    assert refused.value.message_dict == {
        "supply_request": ["这份物资申请与这个问题不在同一个地方。"]
    }
    assert _stored(problem) == before
    # nor on the page, where it is not among those offered
    client.force_login(actors.street)
    response = client.post(
        reverse("problems:answer", args=[problem.pk]),
        {"answer": "已申请耳温枪", "supply_request": elsewhere.pk},
    )
    assert response.status_code == 200
    assert "该选择不在可用的选项中" in response.content.decode()
    assert _stored(problem) == before


@time_machine.travel(AT, tick=False)
def test_confirming_someone_elses_problem_is_told_why(client, tree, supplies, actors):
    # given the grid worker's problem, answered; a worker of the same community reads it
    problem = raise_problem(tree.grid, actor=actors.grid_worker)
    services.problem_answer(
        actor=actors.street,
        problem=problem,
        answer=services.Answer("已送到"),
    )
    before = _stored(problem)
    client.force_login(actors.lower)
    # when they confirm it
    response = client.post(reverse("problems:confirm", args=[problem.pk]), {"rating": "5"})
    # then they are told who confirms, and it waits for the raiser's word still
    assert response.status_code == 403
    assert "只有提出人或所在社区书记可以确认这个问题。" in response.content.decode()
    assert _stored(problem) == before
    assert Problem.objects.get().state == ProblemState.ANSWERED
