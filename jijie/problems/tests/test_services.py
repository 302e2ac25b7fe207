"""Raising, claiming, answering, confirming and reopening problems, and the bad input
each refuses with nothing stored."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.core import uploads
from jijie.problems import rules, services
from jijie.problems.models import EventKind, Photo, Problem, ProblemEvent, ProblemState
from jijie.problems.tests.fixtures import raise_problem
from jijie.supplies import services as supplies_services
from jijie.supplies.tests.fixtures import receive

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


# Where a problem goes ------------------------------------------------------------------


def test_supplies_go_to_the_street_and_residents_needs_to_the_community(tree, supplies):
    assert raise_problem(tree.building, kind="supplies", now=AT).level == tree.street
    assert raise_problem(tree.grid, kind="residents", now=AT).level == tree.community
    # A community asking about itself asks the level above it.
    assert raise_problem(tree.community, kind="residents", now=AT).level == tree.street
    assert raise_problem(tree.street, kind="staff", now=AT).level == tree.district
    assert raise_problem(tree.district, kind="other", now=AT).level == tree.city


def test_the_city_answers_its_own():
    assert rules.first_level_path("0001", "supplies") == "0001"
    assert rules.next_level_path("0001") is None


def test_the_deadline_is_the_urgencys_hours_or_sooner_when_needed_sooner(tree, supplies):
    urgent = raise_problem(tree.grid, urgency="urgent", now=AT)
    normal = raise_problem(tree.grid, urgency="normal", now=AT)
    sooner = raise_problem(tree.grid, urgency="normal", now=AT, needed_by=AT + timedelta(hours=3))
    assert urgent.deadline_at == AT + timedelta(hours=2)
    assert normal.deadline_at == AT + timedelta(hours=24)
    assert sooner.deadline_at == AT + timedelta(hours=3)


def test_raising_records_the_step_the_photo_and_the_audit_row(tree, supplies, actors):
    problem = services.problem_raise(
        actor=actors.grid_worker,
        area=tree.building,
        data=services.ProblemData(
            kind="supplies",
            urgency="urgent",
            title=" 没有\u200b耳温枪 ",
            need="耳温枪 5 个",
            photo=uploads.Upload("a.jpg", JPEG),
        ),
        now=AT,
    )
    assert problem.title == "没有耳温枪"
    assert problem.response == supplies.response
    assert Photo.objects.get(problem=problem).content_type == "image/jpeg"
    assert [e.kind for e in problem.events.all()] == [EventKind.RAISED]
    assert AuditEvent.objects.filter(action="problems.raise").count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"needed_by": AT - timedelta(minutes=1)}, "needed_by"),
        ({"photo": uploads.Upload("a.exe", b"MZ\x90\x00")}, "photo"),
        ({"photo": uploads.Upload("a.pdf", b"%PDF-1.4")}, "photo"),
        ({"photo": uploads.Upload("big.jpg", b"\xff\xd8\xff" + b"0" * uploads.LIMIT)}, "photo"),
        ({"kind": "weather"}, "kind"),
        ({"urgency": "asap"}, "urgency"),
        ({"title": "  "}, "title"),
        ({"title": "缺" * 61}, "title"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(tree, supplies, change, field):
    data = {"kind": "supplies", "urgency": "urgent", "title": "没有耳温枪", **change}
    with pytest.raises(ValidationError) as refused:
        services.do_problem_raise(
            actor=SYSTEM, area=tree.grid, data=services.ProblemData(**data), now=AT
        )
    assert field in refused.value.message_dict
    assert Problem.objects.count() == 0
    assert Photo.objects.count() == 0


def test_no_response_in_force_no_problem(tree):
    with pytest.raises(ValidationError, match="没有正在进行的应急响应"):
        raise_problem(tree.grid, now=AT)


def test_a_guard_raises_where_they_work_not_elsewhere(tree, supplies, actors):
    data = services.ProblemData(kind="staff", urgency="normal", title="人手不足")
    assert services.problem_raise(actor=actors.guard, area=tree.community, data=data, now=AT)
    with pytest.raises(Http404):  # another community is out of the guard's sight
        services.problem_raise(actor=actors.guard, area=tree.sibling, data=data, now=AT)
    assert Problem.objects.count() == 1


# Claiming and answering ----------------------------------------------------------------


def test_a_claim_blocks_a_second_handler(tree, supplies, actors):
    other = _street_user(tree)
    problem = raise_problem(tree.grid, now=AT)
    services.problem_claim(actor=actors.street, problem=problem, now=AT + timedelta(minutes=5))
    with pytest.raises(ValidationError, match="已由 street 认领"):
        services.problem_claim(actor=other, problem=problem, now=AT + timedelta(minutes=6))
    with pytest.raises(ValidationError, match="已由 street 认领"):
        services.problem_answer(actor=other, problem=problem, answer=services.Answer("已送到"))
    problem.refresh_from_db()
    assert problem.claimed_by == actors.street
    assert problem.is_responded_in_time


def test_only_the_level_answering_handles(tree, supplies, actors):
    problem = raise_problem(tree.grid, now=AT)  # the street's
    for someone in (actors.manager, actors.command, actors.outsider):
        with pytest.raises(PermissionDenied):
            services.problem_claim(actor=someone, problem=problem)
    assert Problem.objects.get().claimed_by is None


def test_the_handler_releases_and_another_takes_it(tree, supplies, actors):
    other = _street_user(tree)
    problem = raise_problem(tree.grid, now=AT)
    services.problem_claim(actor=actors.street, problem=problem)
    with pytest.raises(ValidationError, match="只有认领人"):
        services.problem_release(actor=other, problem=problem)
    services.problem_release(actor=actors.street, problem=problem)
    services.problem_claim(actor=other, problem=problem)
    assert Problem.objects.get().claimed_by == other


def test_answering_by_a_transfer_from_the_streets_store(tree, supplies, actors):
    problem = raise_problem(tree.grid, title="没有耳温枪", now=AT)
    receive(supplies, supplies.street, supplies.thermometers, 10)
    transfer = _send(supplies, supplies.street, supplies.community, 5)
    answered = services.problem_answer(
        actor=actors.street,
        problem=problem,
        answer=services.Answer("已从街道物资库调拨耳温枪 5 个", transfer=transfer),
        now=AT + timedelta(hours=1),
    )
    assert answered.state == ProblemState.ANSWERED
    assert answered.transfer == transfer
    assert answered.claimed_by == actors.street  # claimed by answering
    assert answered.is_responded_in_time


def test_a_transfer_to_another_community_does_not_answer(tree, supplies, actors):
    problem = raise_problem(tree.grid, now=AT)
    receive(supplies, supplies.street, supplies.thermometers, 10)
    elsewhere = _send(supplies, supplies.street, supplies.sibling, 5)
    with pytest.raises(ValidationError) as refused:
        services.problem_answer(
            actor=actors.street,
            problem=problem,
            answer=services.Answer("已调拨", transfer=elsewhere),
        )
    assert "transfer" in refused.value.message_dict
    assert Problem.objects.get().state == ProblemState.OPEN


def test_an_answer_must_say_what_was_done(tree, supplies, actors):
    problem = raise_problem(tree.grid, now=AT)
    with pytest.raises(ValidationError):
        services.problem_answer(actor=actors.street, problem=problem, answer=services.Answer(" "))
    assert Problem.objects.get().state == ProblemState.OPEN


# The raiser's word ---------------------------------------------------------------------


def _answered(tree, actors, **kw):
    problem = raise_problem(tree.grid, actor=actors.grid_worker, now=AT, **kw)
    return services.problem_answer(
        actor=actors.street,
        problem=problem,
        answer=services.Answer("已送到"),
        now=AT + timedelta(hours=1),
    )


def test_the_raiser_confirms_and_rates(tree, supplies, actors):
    problem = _answered(tree, actors)
    done = services.problem_confirm(actor=actors.grid_worker, problem=problem, rating=5)
    assert (done.state, done.rating) == (ProblemState.RESOLVED, 5)


def test_the_communitys_secretary_confirms_for_the_raiser(tree, supplies, actors):
    problem = _answered(tree, actors)
    assert services.problem_confirm(actor=actors.manager, problem=problem, rating=4).rating == 4


@pytest.mark.parametrize("who", ["lower", "outsider", "street", "command"])
def test_nobody_else_confirms(tree, supplies, actors, who):
    problem = _answered(tree, actors)
    with pytest.raises(PermissionDenied):
        services.problem_confirm(actor=getattr(actors, who), problem=problem, rating=5)
    assert Problem.objects.get().state == ProblemState.ANSWERED


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_one_to_five_is_refused(tree, supplies, actors, rating):
    problem = _answered(tree, actors)
    with pytest.raises(ValidationError, match="1 到 5"):
        services.problem_confirm(actor=actors.grid_worker, problem=problem, rating=rating)
    assert Problem.objects.get().rating is None


def test_an_unanswered_problem_cannot_be_confirmed(tree, supplies, actors):
    problem = raise_problem(tree.grid, actor=actors.grid_worker, now=AT)
    with pytest.raises(ValidationError, match="还没有答复"):
        services.problem_confirm(actor=actors.grid_worker, problem=problem, rating=5)


def test_reopened_it_goes_back_to_the_level_that_answered_with_a_new_clock(tree, supplies, actors):
    problem = _answered(tree, actors)
    later = AT + timedelta(hours=5)
    reopened = services.problem_reopen(
        actor=actors.grid_worker, problem=problem, reason="只送来 2 个,还差 3 个", now=later
    )
    assert reopened.state == ProblemState.OPEN
    assert reopened.level == tree.street
    assert reopened.claimed_by is None
    assert reopened.deadline_at == later + timedelta(hours=2)
    assert reopened.reopenings == 1
    kinds = list(ProblemEvent.objects.filter(problem=problem).values_list("kind", flat=True))
    assert kinds == ["raised", "answered", "reopened"]


def test_reopening_needs_a_reason(tree, supplies, actors):
    problem = _answered(tree, actors)
    with pytest.raises(ValidationError):
        services.problem_reopen(actor=actors.grid_worker, problem=problem, reason="")
    assert Problem.objects.get().state == ProblemState.ANSWERED


# Helpers -------------------------------------------------------------------------------


def _street_user(tree):
    from conftest import make_user
    from jijie.areas.roles import Role

    return make_user("street2", Role.STREET_OFFICE, tree.street)


def _send(supplies, source, target, quantity):
    return supplies_services.do_transfer_send(
        actor=SYSTEM,
        source=source,
        destination=target,
        response=supplies.response,
        lines=[supplies_services.Line(item=supplies.thermometers, quantity=str(quantity))],
    )


def test_a_member_raises_where_they_serve_and_nowhere_else(tree, mob):
    from jijie.duty.tests.fixtures import deployed, with_account

    someone = with_account(deployed(mob, 5, tree.community), "deployed5")
    assert someone.user is not None
    data = services.ProblemData(kind="supplies", urgency="urgent", title="没有口罩")
    problem = services.problem_raise(actor=someone.user, area=tree.building, data=data)
    assert problem.level == tree.street
    with pytest.raises(Http404):
        services.problem_raise(actor=someone.user, area=tree.sibling_grid, data=data)
    assert Problem.objects.count() == 1
