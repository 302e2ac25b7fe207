"""A gate whose rule asks for a negative result within 48 hours reads the testing ledger
for the household coming in: a household whose members all have one passes with no
paper; otherwise the guard checks the person's own proof. The guard reads a standing and
counts, never a result: a positive tube reads as no valid result."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from jijie.accounts.models import ApiToken
from jijie.accounts.services import token_create
from jijie.audit.actors import SYSTEM
from jijie.gates import services as gates
from jijie.gates.models import Gate, GateRule, Scan, Standing
from jijie.gates.tests import test_lane
from jijie.residents.models import Household
from jijie.residents.services import PersonData, do_household_register, do_person_add
from jijie.testing import services
from jijie.testing.tests.conftest import DAY, at
from tests.browser import PHONE, new_context, screenshot, sign_in

pytestmark = pytest.mark.django_db

SWAB = at(9)
answered_fast = test_lane.answered_fast  # how many scans the lane answered itself
RESULT = at(20)


@pytest.fixture
def gate(round_, tree, time_machine) -> tuple[Gate, GateRule]:
    time_machine.move_to(at(12), tick=False)
    gate = gates.do_gate_create(actor=SYSTEM, area=tree.community, name="东门")
    rule = gates.do_gate_rule_set(
        actor=SYSTEM,
        gate=gate,
        response=round_.response,
        data=gates.RuleData(certificate_hours=48),
    )
    return gate, rule


@pytest.fixture
def home(people, round_):
    """Household 100 of 1栋: 居民0 and her husband, with a pass of the round's response."""
    head = people[0]
    husband = do_person_add(
        actor=SYSTEM, household=head.household, data=PersonData(name="丈夫", relation="spouse")
    ).person
    pass_ = gates.do_pass_issue(
        actor=SYSTEM,
        household=head.household,
        response=round_.response,
        valid_from=at(0) - timedelta(days=2),
        valid_until=at(0) + timedelta(days=10),
    )
    return head, husband, gates.pass_token(pass_)


def swab(site, barcode, *people, taken_at=SWAB, retest_reason=""):
    for person in people:
        services.do_sample_register(
            actor=SYSTEM,
            site=site,
            barcode=barcode,
            person=person,
            now=taken_at,
            retest_reason=retest_reason,
        )


def result(round_, barcode, value, now=RESULT):
    services.do_result_record(actor=SYSTEM, round=round_, barcode=barcode, result=value, now=now)


def scan(gate, token, when, *, checked=False) -> Scan:
    gate_, rule = gate
    return gates.do_scan_record(
        actor=SYSTEM,
        gate=gate_,
        response=rule.response,
        rule=rule,
        data=gates.ScanData(
            client_id=uuid.uuid4(),
            device_at=when,
            direction="in",
            token=token,
            temperature=Decimal("36.5"),
            certificate_checked=checked,
        ),
    ).scan


def test_no_swab_asks_for_the_persons_own_proof(gate, home):
    token = home[2]
    refused = scan(gate, token, at(12))
    assert (refused.is_allowed, refused.reason, refused.proof) == (
        False,
        "certificate_missing",
        Standing.NONE,
    )
    assert refused.message == "核酸:全户 2 人中 0 人 48 小时内阴性。请查验本人证明后勾选,再登记。"
    checked = scan(gate, token, at(12), checked=True)
    assert (checked.is_allowed, checked.proof) == (True, Standing.NONE)


def test_a_household_all_negative_passes_with_no_paper_for_48_hours(gate, home, site, round_):
    head, husband, token = home
    swab(site, "AB-0001", head, husband)
    waiting = scan(gate, token, at(12))
    assert (waiting.is_allowed, waiting.proof) == (False, Standing.PENDING)
    assert "2 人结果未出" in waiting.message
    result(round_, "AB-0001", "negative")
    # Before the lab's answer the ledger still waits: scans are judged at their instant.
    assert scan(gate, token, RESULT - timedelta(minutes=1)).proof == Standing.PENDING
    passed = scan(gate, token, at(21))
    assert (passed.is_allowed, passed.proof) == (True, Standing.VALID)
    assert passed.message == "核酸:全户 2 人 48 小时内阴性。"
    last = SWAB + timedelta(hours=48)
    assert scan(gate, token, last).proof == Standing.VALID
    stale = scan(gate, token, last + timedelta(minutes=1))
    assert (stale.is_allowed, stale.proof) == (False, Standing.NONE)


def test_one_member_negative_is_partial(gate, home, site, round_):
    head, _husband, token = home
    swab(site, "AB-0001", head)
    result(round_, "AB-0001", "negative")
    refused = scan(gate, token, at(21))
    assert (refused.is_allowed, refused.proof) == (False, Standing.PARTIAL)
    assert refused.message.startswith("核酸:全户 2 人中 1 人 48 小时内阴性")


def test_a_positive_tube_reads_as_no_valid_result_and_is_never_named(
    gate, home, site, round_, people
):
    head, husband, token = home
    swab(site, "AB-0001", head, husband)
    result(round_, "AB-0001", "negative")
    # that afternoon the husband is swabbed again, in a tube that comes back positive
    swab(site, "AB-0002", husband, people[5], taken_at=at(15), retest_reason="复核")
    result(round_, "AB-0002", "positive", now=at(22))
    refused = scan(gate, token, at(23))
    assert (refused.is_allowed, refused.proof) == (False, Standing.PARTIAL)
    assert "阳" not in refused.message
    assert "全户 2 人中 1 人" in refused.message


def test_the_excused_are_left_out_and_the_bedridden_count(gate, home, site, round_, actors):
    head, husband, token = home
    swab(site, "AB-0001", head)
    result(round_, "AB-0001", "negative")
    services.exemption_set(actor=actors.manager, round=round_, person=husband, reason="away")
    passed = scan(gate, token, at(21))
    assert (passed.is_allowed, passed.message) == (True, "核酸:全户 1 人 48 小时内阴性。")
    services.exemption_set(actor=actors.manager, round=round_, person=husband, reason="bedridden")
    assert scan(gate, token, at(21)).proof == Standing.PARTIAL
    # An exemption holds on the round's days only.
    services.exemption_set(actor=actors.manager, round=round_, person=husband, reason="away")
    next_day = at(10, day=DAY + timedelta(days=1))
    assert scan(gate, token, next_day).proof == Standing.PARTIAL


def test_a_rule_without_hours_or_a_way_out_reads_no_ledger(gate, home):
    _gate, rule = gate
    outgoing = gates.do_scan_record(
        actor=SYSTEM,
        gate=_gate,
        response=rule.response,
        rule=rule,
        data=gates.ScanData(
            client_id=uuid.uuid4(), device_at=at(12), direction="out", token=home[2]
        ),
    ).scan
    assert (outgoing.is_allowed, outgoing.proof) == (True, "")
    GateRule.objects.filter(pk=rule.pk).update(certificate_hours=None)
    rule.refresh_from_db()
    plain = scan(gate, home[2], at(12))
    assert (plain.is_allowed, plain.proof, plain.message) == (True, "", "放行")


def test_the_guards_phone_reads_the_standing(
    client, gate, home, site, round_, actors, time_machine
):
    head, husband, token = home
    swab(site, "AB-0001", head, husband)
    result(round_, "AB-0001", "negative")
    time_machine.move_to(at(21), tick=False)
    client.force_login(actors.guard)
    page = client.get(f"/gates/{gate[0].pk}/scan/")
    assert "按检测台账核验全户" in page.text
    assert 'data-needs-certificate="1"' not in page.text
    answer = client.post(
        f"/gates/{gate[0].pk}/scan/",
        {
            "client_id": str(uuid.uuid4()),
            "direction": "in",
            "token": token,
            "temperature": "36.5",
        },
    )
    assert "核酸:全户 2 人 48 小时内阴性。" in answer.text
    assert 'data-testid="proof"' in answer.text


@pytest.mark.postgres_only("the scan lane")
@pytest.mark.django_db(transaction=True)
def test_the_lane_reads_the_ledger_as_the_view_does(
    settings, gate, home, site, round_, actors, answered_fast
):
    head, husband, token = home
    swab(site, "AB-0001", head, husband)
    result(round_, "AB-0001", "negative")
    key = token_create(user=actors.guard, name="phone")
    ApiToken.objects.update(last_used_at=at(12))
    bodies = [
        {
            "client_id": str(uuid.uuid4()),
            "gate_id": gate[0].pk,
            "device_at": when.isoformat(),
            "direction": "in",
            "token": token,
            "temperature": "36.5",
        }
        for when in (at(21), SWAB + timedelta(hours=49))
    ]
    by_view = test_lane._answers(settings, False, key, bodies)
    by_fast = test_lane._answers(settings, True, key, bodies)
    assert by_fast == by_view
    assert [(a[1]["is_allowed"], a[1]["proof"]) for a in by_view[0]] == [
        (True, "valid"),
        (False, "none"),
    ]
    assert answered_fast == [2]


def _ask(client, gate, token):
    return client.post(f"/gates/{gate[0].pk}/proof/", {"token": token})


def test_the_guard_asks_before_sending_and_only_at_their_gate(
    client, gate, home, site, round_, actors, tree, time_machine
):
    head, husband, token = home
    swab(site, "AB-0001", head, husband)
    result(round_, "AB-0001", "negative")
    time_machine.move_to(at(21), tick=False)
    client.force_login(actors.guard)
    asked = _ask(client, gate, token)
    assert asked.json() == {"standing": "valid", "sentence": "核酸:全户 2 人 48 小时内阴性。"}
    assert "no-store" in asked["Cache-Control"]
    assert _ask(client, gate, "JJ1.garbage").json() == {"standing": "", "sentence": ""}
    assert client.get(f"/gates/{gate[0].pk}/proof/").status_code == 405
    # a pass of another community is not this guard's to read, even at their own gate
    neighbour = gates.do_pass_issue(
        actor=SYSTEM,
        household=_elsewhere(tree),
        response=round_.response,
        valid_from=at(0),
        valid_until=at(0) + timedelta(days=3),
    )
    assert _ask(client, gate, gates.pass_token(neighbour)).json()["standing"] == ""
    for who, status in (("outsider", 404), ("street", 403)):
        client.force_login(getattr(actors, who))
        assert _ask(client, gate, token).status_code == status
    client.logout()
    assert _ask(client, gate, token).status_code == 302


def _elsewhere(tree):
    """The household of the sibling community (the `people` fixture's last)."""
    return Household.objects.exclude(area_path__startswith=tree.community.path).get()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_household_the_ledger_vouches_for_passes_with_no_paper_on_the_phone(
    live_server, browser, gate, home, site, round_, time_machine
):
    head, husband, token = home
    swab(site, "AB-0001", head, husband)
    result(round_, "AB-0001", "negative")
    time_machine.move_to(at(21), tick=True)
    context = new_context(browser, viewport=PHONE, locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, "guard")
    page.goto(f"{live_server.url}/gates/{gate[0].pk}/scan/")
    page.fill("input[name=token]", token)
    page.fill("input[name=temperature]", "36.5")
    page.click("[data-testid=submit]")  # no certificate ticked: the ledger is asked first
    page.wait_for_selector("[data-testid=verdict].allowed:not([hidden])")
    assert "全户 2 人 48 小时内阴性" in page.inner_text("[data-testid=verdict]")
    screenshot(page, "gates-ledger-vouches-phone")
    scan = Scan.objects.get()
    assert (scan.is_allowed, scan.certificate_checked, scan.proof) == (True, False, "valid")

    # a household with no one tested: the page asks for the person's own proof first
    other = do_person_add(
        actor=SYSTEM,
        household=_next_door(home[0]),
        data=PersonData(name="邻居", relation="head"),
    ).person
    neighbour = gates.do_pass_issue(
        actor=SYSTEM,
        household=other.household,
        response=round_.response,
        valid_from=at(0),
        valid_until=at(0) + timedelta(days=3),
    )
    page.fill("input[name=token]", gates.pass_token(neighbour))
    page.fill("input[name=temperature]", "36.5")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=needed]:not([hidden])")
    assert "核酸证明" in page.inner_text("[data-testid=needed]")
    assert "全户 1 人中 0 人" in page.inner_text("[data-testid=standing]")
    assert Scan.objects.count() == 1
    screenshot(page, "gates-ledger-asks-phone")
    context.close()


def _next_door(person):
    return do_household_register(
        actor=SYSTEM, building=person.household.building, door_number="909"
    )


@pytest.mark.parametrize("hours", [1, 48, 72])
def test_the_lane_binds_the_ledgers_statement_compiled_once(hours):
    # The scan lane compiles the ledger's query once for a number of hours and then only
    # sets its parameters: the same SQL and parameters as compiling it for each scan,
    # across a day's turn in Beijing time and in UTC.
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.db import connection

    from jijie.gates import proofs

    beijing = ZoneInfo("Asia/Shanghai")
    for household_id, instant in (
        (1, datetime(2026, 3, 10, 0, 0, 1, tzinfo=beijing)),
        (42, datetime(2026, 3, 9, 23, 59, 59, tzinfo=beijing)),
        (7, datetime(2026, 3, 10, 16, 30, tzinfo=ZoneInfo("UTC"))),  # 00:30 the next day
    ):
        compiled = proofs.query(household_id, instant, hours).query.get_compiler(
            connection=connection
        )
        sql, params = compiled.as_sql()
        assert proofs.bound(connection, household_id, instant, hours) == (sql, list(params))
