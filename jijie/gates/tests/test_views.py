"""Gate pages with three actors; the guard's page records and shows the decision."""

import io
import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.gates.models import Pass, PassStatus, Scan
from jijie.gates.tests.fixtures import NOON
from jijie.residents.models import Household
from jijie.residents.services import do_household_register


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 200), ("guard", 200), ("outsider", 404), ("member", 404)]
)
def test_gate_detail_three_actors(client, setup, actors, who, status):
    client.force_login(getattr(actors, who))
    assert client.get(reverse("gates:detail", args=[setup.gate.pk])).status_code == status


@pytest.mark.parametrize(("who", "status"), [("guard", 200), ("street", 403), ("outsider", 404)])
def test_scan_page_three_actors(client, setup, actors, who, status):
    client.force_login(getattr(actors, who))
    assert client.get(reverse("gates:scan", args=[setup.gate.pk])).status_code == status


def test_scan_page_gives_the_phone_its_offline_messages_in_the_language(client, setup, actors):
    client.force_login(actors.guard)
    url = reverse("gates:scan", args=[setup.gate.pk])
    page = client.get(url).content.decode()
    assert 'data-msg-queued="离线待同步 %(n)s 条"' in page
    assert 'data-msg-expired="通行证已于 %(at)s 过期。"' in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(url).content.decode()
    assert 'data-msg-queued="Offline: %(n)s scans waiting to sync"' in page
    assert 'data-msg-expired="The pass expired at %(at)s."' in page
    assert 'data-msg-denied="No entry"' in page
    # back to Chinese: the locale middleware leaves the last language active in the thread
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})


def test_gate_list_is_scoped(client, setup, actors):
    client.force_login(actors.outsider)
    assert "东门" not in client.get(reverse("gates:index")).content.decode()
    client.force_login(actors.guard)
    assert "东门" in client.get(reverse("gates:index")).content.decode()
    client.force_login(actors.nobody)
    assert client.get(reverse("gates:index")).status_code == 403


def test_guard_records_a_scan_and_a_double_tap_is_one_row(client, setup, actors, time_machine):
    client.force_login(actors.guard)
    body = {
        "client_id": str(uuid.uuid4()),
        "token": setup.token,
        "direction": "in",
        "temperature": "36.4",
        "certificate_checked": "on",
    }
    url = reverse("gates:scan", args=[setup.gate.pk])
    first = client.post(url, body)
    assert 'data-testid="decision"' in first.content.decode()
    assert "放行" in first.content.decode()
    client.post(url, body)
    assert Scan.objects.count() == 1
    fever = client.post(url, {**body, "client_id": str(uuid.uuid4()), "temperature": "38.5"})
    assert "38.5" in fever.content.decode()


def test_scan_page_says_when_no_response_is_in_force(client, setup, actors):
    setup.response.status, setup.response.closed_at = "closed", NOON
    setup.response.save()
    client.force_login(actors.guard)
    body = {"client_id": str(uuid.uuid4()), "token": setup.token, "direction": "in"}
    page = client.post(reverse("gates:scan", args=[setup.gate.pk]), body).content.decode()
    assert "本卡口所在区域没有进行中的应急响应。" in page
    assert Scan.objects.count() == 0


def test_counts_and_denials_on_the_gate_page(client, setup, actors):
    client.force_login(actors.guard)
    url = reverse("gates:scan", args=[setup.gate.pk])
    base = {"token": setup.token, "direction": "in", "certificate_checked": "on"}
    client.post(url, {**base, "client_id": str(uuid.uuid4()), "temperature": "36.4"})
    client.post(url, {**base, "client_id": str(uuid.uuid4()), "temperature": "39.0"})
    page = client.get(reverse("gates:detail", args=[setup.gate.pk])).content.decode()
    assert "39.0" in page


@pytest.mark.parametrize(("who", "status"), [("manager", 302), ("lower", 403), ("outsider", 404)])
def test_issue_for_a_building_three_actors(client, setup, actors, who, status):
    do_household_register(actor=SYSTEM, building=setup.household.building, door_number="302")
    client.force_login(getattr(actors, who))
    answer = client.post(
        reverse("gates:passes"),
        {"building": setup.household.building.code, "days": 7, "outings_per_day": 1},
    )
    assert answer.status_code == status
    assert Pass.objects.count() == (2 if status == 302 else 1)


def test_cards_pdf_embeds_the_chinese_font(client, setup, actors):
    for door in ("302", "303"):
        do_household_register(actor=SYSTEM, building=setup.household.building, door_number=door)
    client.force_login(actors.manager)
    client.post(reverse("gates:passes"), {"building": setup.household.building.code, "days": 7})
    answer = client.get(reverse("gates:cards") + f"?building={setup.household.building.code}")
    assert answer["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.content))
    assert len(reader.pages) == 3
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (105, 148)
    text = reader.pages[0].extract_text()
    assert "出入通行证" in text
    assert "1栋 301" in text
    # the TrueType program itself is in the file (a subset, named with a "+" tag)
    assert b"/FontFile2" in answer.content
    assert b"+WenQuanYi" in answer.content
    # a guard may not print cards
    client.force_login(actors.guard)
    assert (
        client.get(
            reverse("gates:cards") + f"?building={setup.household.building.code}"
        ).status_code
        == 403
    )


def test_missing_font_is_a_clear_error(setup, settings):
    from django.core.exceptions import ImproperlyConfigured

    from jijie.gates import cards

    settings.PDF_CJK_FONT = "/nonexistent/font.ttc"
    with pytest.raises(ImproperlyConfigured, match="fonts-wqy-zenhei"):
        cards.render([setup.pass_])


def test_revoke_and_reissue_pages(client, setup, actors):
    client.force_login(actors.guard)
    url = reverse("gates:revoke", args=[setup.pass_.pk])
    assert client.post(url, {"reason": "遗失"}).status_code == 403
    client.force_login(actors.manager)
    client.post(url, {"reason": "遗失", "reissue": "1"})
    assert Pass.objects.get(pk=setup.pass_.pk).status == PassStatus.REPLACED
    assert Pass.objects.filter(status=PassStatus.ACTIVE).count() == 1
    assert NOON + timedelta(days=13) == Pass.objects.get(status=PassStatus.ACTIVE).valid_until


def test_a_rare_character_outside_the_bmp_is_printed_not_dropped(client, setup, actors, settings):
    if not any(Path(f).is_file() for f in settings.PDF_CJK_FALLBACK_FONTS):
        message = "no fallback CJK font: apt-get install fonts-hanazono"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    # given a building whose name holds 𠮷 (U+20BB7), which the main font lacks
    Area.objects.filter(pk=setup.household.building_id).update(name="𠮷祥苑1栋")
    client.force_login(actors.manager)
    answer = client.get(reverse("gates:cards") + f"?building={setup.household.building.code}")
    # then the card draws it, with a fallback font embedded beside the main one
    text = PdfReader(io.BytesIO(answer.content)).pages[0].extract_text()
    assert "𠮷祥苑1栋 301" in text
    assert b"+WenQuanYi" in answer.content
    assert b"+HanaMin" in answer.content


def test_a_character_no_font_draws_stops_the_printing_and_names_it(setup, settings):
    from django.core.exceptions import ImproperlyConfigured

    from jijie.gates import cards

    Area.objects.filter(pk=setup.household.building_id).update(name="𠮷祥苑1栋")
    settings.PDF_CJK_FALLBACK_FONTS = []
    with pytest.raises(ImproperlyConfigured, match=r"U\+20BB7"):
        cards.render(Pass.objects.select_related("household__building", "response"))


def test_a_buildings_passes_as_its_floor_plan(client, setup, actors, django_assert_max_num_queries):
    building = setup.household.building
    for door in ("1001", "302", "101"):
        do_household_register(actor=SYSTEM, building=building, door_number=door)
    client.force_login(actors.manager)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("gates:passes"), {"building": building.code})
    plan = page.context["plan"]
    # floors from the top, doors as people read them
    assert [(f.number, [c.door for c in f.doors]) for f in plan] == [
        (10, ["1001"]),
        (3, ["301", "302"]),
        (1, ["101"]),
    ]
    cells = {c.door: c for f in plan for c in f.doors}
    assert cells["301"].state == "issued"
    assert cells["301"].url == f"#pass-{setup.pass_.pk}"
    assert cells["302"].state == "todo"
    assert cells["302"].url == reverse(
        "residents:household", args=[Household.objects.get(door_number="302").pk]
    )
    assert page.context["counts"] == {"issued": 1, "todo": 3}
    assert f'id="pass-{setup.pass_.pk}"' in page.content.decode()
