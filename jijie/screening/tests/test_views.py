"""Screening pages with three actors: the community secretary (manager), the gate guard of
the same community (sees the area, may not screen: 403), the secretary of the sibling
community (404); and the grid worker at their own doors."""

import re
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.core.testing import PAYLOADS, as_stored, live_cells, readable
from jijie.residents.models import Household, Person
from jijie.screening.models import Campaign, Revisit, Visit
from jijie.screening.services import VisitData, do_visit_record


def _as(client, user):
    client.force_login(user)
    return client


def _urls(campaign, households, tree):
    return [
        reverse("screening:coverage", args=[campaign.pk]),
        reverse("screening:coverage", args=[campaign.pk]) + f"?area={tree.grid.code}",
        reverse("screening:revisits", args=[campaign.pk]),
        reverse("screening:ledger", args=[campaign.pk]),
    ]


def test_pages_three_actors(client, campaign, households, tree, actors):
    for url in _urls(campaign, households, tree):
        assert _as(client, actors.manager).get(url).status_code == 200, url
        assert _as(client, actors.outsider).get(url).status_code == 404, url
        assert _as(client, actors.guard).get(url).status_code == 403, url
    assert _as(client, actors.guard).get(reverse("screening:index")).status_code == 403
    assert (
        "第一轮扫楼" in _as(client, actors.manager).get(reverse("screening:index")).content.decode()
    )
    outsider_list = _as(client, actors.outsider).get(reverse("screening:index")).content.decode()
    assert "第一轮扫楼" not in outsider_list


@pytest.mark.parametrize(("who", "status"), [("guard", 403), ("outsider", 404), ("lower", 200)])
def test_visit_page_and_doors(client, campaign, households, tree, actors, who, status):
    c = _as(client, getattr(actors, who))
    assert (
        c.get(reverse("screening:visit", args=[campaign.pk, households[0].pk])).status_code
        == status
    )
    assert (
        c.get(reverse("screening:doors", args=[campaign.pk, tree.building.code])).status_code
        == status
    )
    response = c.post(
        reverse("screening:visit", args=[campaign.pk, households[0].pk]),
        {"mode": "door", "outcome": "no_answer"},
    )
    assert response.status_code == (302 if status == 200 else status)
    assert Visit.objects.count() == (1 if status == 200 else 0)


def test_grid_worker_records_a_visit_and_sees_the_change(
    client, campaign, households, tree, actors
):
    c = _as(client, actors.grid_worker)
    # the grid worker's view starts at their grid; the next grid's door is not theirs
    page = c.get(reverse("screening:coverage", args=[campaign.pk])).content.decode()
    assert "第01网格" in page
    assert (
        c.get(reverse("screening:visit", args=[campaign.pk, households[3].pk])).status_code == 404
    )
    head = Person.objects.get(household=households[0])
    response = c.post(
        reverse("screening:visit", args=[campaign.pk, households[0].pk]),
        {
            "mode": "door",
            "outcome": "done",
            "q_people_home": "2",
            "q_fever_cough": "no",
            f"t_{head.pk}": "36.6",
            "new_name": "李新",
            "new_relation": "tenant",
            "new_phone": "13800138000",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.answers == {"people_home": 2, "fever_cough": False}
    assert Person.objects.filter(name="李新", phone_masked="138****8000").exists()
    doors = c.get(
        reverse("screening:doors", args=[campaign.pk, tree.building.code])
    ).content.decode()
    # the next door is one not yet visited; the plan draws both, 101 before 102
    next_door = doors[
        doors.index('data-testid="next-door"') - 200 : doors.index('data-testid="next-door"')
    ]
    assert f"/households/{households[1].pk}/" in next_door
    plan = doors[doors.index('data-testid="floorplan"') :]
    assert plan.index('data-door="101"') < plan.index('data-door="102"')
    assert 'class="door done"' in plan
    coverage = c.get(
        reverse("screening:coverage", args=[campaign.pk]) + f"?area={tree.building.code}"
    ).content.decode()
    assert 'data-testid="completed">1<' in coverage


def test_bad_answer_shown_on_its_field(client, campaign, households, actors):
    c = _as(client, actors.grid_worker)
    response = c.post(
        reverse("screening:visit", args=[campaign.pk, households[0].pk]),
        {"mode": "door", "outcome": "done", f"t_{Person.objects.get().pk}": "48"},
    )
    assert response.status_code == 200
    assert "34–43" in response.content.decode()
    assert not Visit.objects.exists()


def question_rows(*rows):
    """The question formset's POST data for `rows` (each key, label, kind, health), as the
    page sends it: the rows that came with a key first, counted as the initial ones."""
    kept = sum(1 for row in rows if row.get("key"))
    data = {"q-TOTAL_FORMS": len(rows), "q-INITIAL_FORMS": kept}
    for n, row in enumerate(rows):
        data.update({f"q-{n}-{name}": value for name, value in row.items()})
    return data


def test_questions_are_edited_row_by_row(client, campaign, actors):
    c = _as(client, actors.manager)
    edit = reverse("screening:campaign_edit", args=[campaign.pk])
    page = c.get(edit)
    assert page.status_code == 200
    assert len(page.context["rows"].forms) == len(campaign.questions) + 2  # two blank rows
    assert 'name="q-0-kind"' in page.content.decode()  # the type chosen from a list
    first, second, *rest = campaign.questions
    rows = [
        {**first, "label": "家中现有几人"},  # reworded
        {**second, "DELETE": "on"},  # dropped
        *[{k: v for k, v in q.items() if k != "health" or v} for q in rest],
        {"label": "是否需要代购", "kind": "yesno"},
    ]
    for row in rows:
        if row.get("health") is True:
            row["health"] = "on"
    answer = c.post(
        edit, {"ends_on": campaign.ends_on, "mode": campaign.mode, **question_rows(*rows)}
    )
    assert answer.status_code == 302, answer.content.decode()
    campaign.refresh_from_db()
    keys = [q["key"] for q in campaign.questions]
    assert keys[: len(rest) + 1] == [first["key"], *[q["key"] for q in rest]]
    assert campaign.questions[0]["label"] == "家中现有几人"
    assert campaign.questions[-1]["label"] == "是否需要代购"
    # Every row left blank or deleted: refused with the reason, nothing changed.
    empty = c.post(
        edit,
        {
            "ends_on": campaign.ends_on,
            "mode": campaign.mode,
            **question_rows({**first, "DELETE": "on"}, {"label": "", "kind": "yesno"}),
        },
    )
    assert empty.status_code == 200
    assert "至少需要一个排查问题" in empty.content.decode()
    campaign.refresh_from_db()
    assert campaign.questions[0]["label"] == "家中现有几人"


def test_campaign_new_and_edit(client, response, households, tree, actors):
    c = _as(client, actors.manager)
    assert c.get(reverse("screening:campaign_new")).status_code == 200
    posted = c.post(
        reverse("screening:campaign_new"),
        {
            "response": response.pk,
            "name": "电话回访",
            "area_codes": f"{tree.grid.code}, {tree.grid2.code}",
            "starts_on": "2099-01-01",
            "ends_on": "2099-01-05",
            "mode": "phone",
            **question_rows(
                {"key": "people_home", "label": "在家人数", "kind": "number"},
                {"label": "发热咳嗽", "kind": "yesno", "health": "on"},  # a new question
                {"label": "", "kind": "yesno"},  # a blank row: no question
            ),
        },
    )
    assert posted.status_code == 302, posted.content.decode()
    campaign = response.campaigns.get(name="电话回访")
    assert len(campaign.questions) == 2
    made = campaign.questions[1]
    assert re.fullmatch(r"q_[0-9a-f]{10}", made.pop("key"))  # a key the user never types
    assert made == {"label": "发热咳嗽", "kind": "yesno", "health": True}
    edit = reverse("screening:campaign_edit", args=[campaign.pk])
    assert _as(client, actors.lower).get(edit).status_code == 403
    assert _as(client, actors.outsider).get(edit).status_code == 404
    assert (
        _as(client, actors.grid_worker).post(reverse("screening:campaign_new"), {}).status_code
        == 403
    )
    outsider = _as(client, actors.outsider).post(
        reverse("screening:campaign_new"),
        {
            "response": response.pk, "name": "越界", "area_codes": tree.grid.code,
            "starts_on": "2099-01-01", "ends_on": "2099-01-05", "mode": "door",
            **question_rows({"key": "people_home", "label": "在家人数", "kind": "number"}),
        },
    )  # fmt: skip
    assert outsider.status_code == 200
    assert not response.campaigns.filter(name="越界").exists()


def test_ledger_is_masked_and_health_only_for_follow_up_roles(client, campaign, households, actors):
    head = Person.objects.get()
    head.set_phone("13912345678")
    head.save()
    do_visit_record(
        actor=SYSTEM,
        campaign=campaign,
        household=households[0],
        data=VisitData(
            mode="door", outcome="done", answers={"people_home": 1, "fever_cough": True},
            temperatures=[(head.pk, "38.2")],
        ),
    )  # fmt: skip
    do_visit_record(
        actor=SYSTEM, campaign=campaign, household=households[1],
        data=VisitData(mode="phone", outcome="no_answer"),
    )  # fmt: skip

    def cells(user):
        response = _as(client, user).get(reverse("screening:ledger", args=[campaign.pk]))
        assert response.status_code == 200
        sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
        return [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]

    manager_rows = cells(actors.manager)
    flat = [str(c) for row in manager_rows for c in row]
    assert "139****5678" in flat
    assert "13912345678" not in flat
    assert "38.2" in flat
    assert "是否有发热、咳嗽等症状" in flat
    assert len(manager_rows) == 2 + 2  # title, headings, two visits
    inspector_rows = cells(actors.command)
    flat = [str(c) for row in inspector_rows for c in row]
    assert "38.2" not in flat
    assert "是否有发热、咳嗽等症状" not in flat
    assert AuditEvent.objects.filter(action="screening.ledger.export").count() == 2
    assert Revisit.objects.count() == 1


def test_coverage_page_in_english(client, campaign, actors):
    c = _as(client, actors.manager)
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = c.get(reverse("screening:coverage", args=[campaign.pk])).content.decode()
    assert "Households in scope" in page
    assert "Revisits pending" in page
    # back to Chinese: the locale middleware leaves the last language active in the thread
    c.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "应排查户数" in c.get(reverse("screening:coverage", args=[campaign.pk])).content.decode()


def test_city_sees_its_communities_at_a_glance(client, campaign, tree):
    from conftest import make_user
    from jijie.areas.roles import Role

    command = make_user("citycommand", Role.COMMAND, tree.city)
    page = _as(client, command).get(
        reverse("screening:coverage", args=[campaign.pk]) + f"?area={tree.city.code}"
    )
    table = page.content.decode().split('data-testid="coverage"')[1]
    assert "新港路社区" in table
    assert "源城区</a>" not in table


def test_a_page_never_lists_a_whole_district_by_building(client, campaign, tree, actors):
    page = _as(client, actors.street).get(
        reverse("screening:coverage", args=[campaign.pk]),
        {"area": tree.street.code, "depth": 6},
    )
    table = page.content.decode().split('data-testid="coverage"')[1]
    assert "第01网格" in table  # capped at grids, two levels below the street
    assert "1栋" not in table
    assert (
        _as(client, actors.street)
        .get(reverse("screening:coverage", args=[campaign.pk]), {"depth": "x"})
        .status_code
        == 400
    )


def test_the_coverage_page_never_reads_the_visits(client, campaign, households, tree, actors):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    do_visit_record(
        actor=SYSTEM,
        campaign=campaign,
        household=households[0],
        data=VisitData(mode="door", outcome="no_answer"),
    )
    c = _as(client, actors.manager)
    for area in (tree.community, tree.grid, tree.building):
        with CaptureQueriesContext(connection) as queries:
            page = c.get(reverse("screening:coverage", args=[campaign.pk]), {"area": area.code})
        assert page.status_code == 200
        assert not [q["sql"] for q in queries if "screening_visit" in q["sql"]]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_text_column_of_the_ledger_runs_as_a_formula(
    client, campaign, households, actors, tree, payload
):
    # given a payload in every text a user can type: the areas' names, the questions'
    # labels, a text answer, the door, the householder's name, the visit's note
    for area in (tree.street, tree.community, tree.grid, tree.building):
        Area.objects.filter(pk=area.pk).update(name=as_stored(payload, 90) + area.name)
    payload = as_stored(payload, 32)  # what every column below holds
    questions = [{**q, "label": payload + q["label"]} for q in campaign.questions]
    questions.append({"key": "said", "label": payload, "kind": "text", "health": False})
    Campaign.objects.filter(pk=campaign.pk).update(questions=questions)
    campaign.refresh_from_db()
    Household.objects.filter(pk=households[0].pk).update(door_number=payload)
    Person.objects.filter(household=households[0]).update(name=payload)
    visit = do_visit_record(
        actor=SYSTEM,
        campaign=campaign,
        household=households[0],
        data=VisitData(mode="door", outcome="done", answers={"said": "=1+1"}),
    )
    Visit.objects.filter(pk=visit.pk).update(note=payload)
    # when the community's secretary (who sees health answers) takes the ledger
    response = _as(client, actors.manager).get(reverse("screening:ledger", args=[campaign.pk]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    # then nothing in it would run, and every payload is there to read
    assert live_cells(data) == []
    text = " ".join(
        str(c)
        for row in load_workbook(BytesIO(data)).active.iter_rows(values_only=True)
        for c in row
    )
    printable = readable(payload)
    assert text.count(printable) >= 4 + len(questions) + 3  # areas, labels, door, name, note
