"""The response and rule in force over a gate, read in one query (over many gates, in
two); the passes behind a batch's QR codes, read in one query."""

from datetime import timedelta

from django.utils import timezone

from jijie.audit.actors import SYSTEM
from jijie.gates import selectors, services, signing
from jijie.responses.models import Response, ResponseStatus
from jijie.responses.services import do_response_activate


def _close(response):
    Response.objects.filter(pk=response.pk).update(
        status=ResponseStatus.CLOSED, closed_at=timezone.now()
    )


def test_the_active_response_over_the_gate_and_its_rule(setup, django_assert_num_queries):
    with django_assert_num_queries(1):
        response, rule = selectors.rule_in_force(setup.gate)
    assert response == setup.response
    assert rule == setup.rule


def test_a_response_without_a_rule_for_this_gate(setup, tree):
    other = services.do_gate_create(actor=SYSTEM, area=tree.community, name="西门")
    assert selectors.rule_in_force(other) == (setup.response, None)


def test_the_newest_active_response_wins_even_without_a_rule(setup, tree, time_machine):
    time_machine.shift(timedelta(hours=1))
    newer = do_response_activate(actor=SYSTEM, area=tree.community, name="社区封控", level="1")
    assert selectors.rule_in_force(setup.gate) == (newer, None)


def test_no_response_in_force(setup):
    _close(setup.response)
    assert selectors.rule_in_force(setup.gate) == (None, None)


def test_a_response_over_a_sibling_area_is_not_in_force(setup, tree):
    _close(setup.response)
    do_response_activate(actor=SYSTEM, area=tree.sibling, name="隔壁社区", level="1")
    assert selectors.rule_in_force(setup.gate) == (None, None)


def test_the_rules_in_force_over_many_gates_in_two_queries(
    setup, tree, time_machine, django_assert_num_queries
):
    # given: under the district's response, a gate with a rule and two without (one in a
    # community of another street); a sibling's gate under a newer response of its own
    # with a rule for it
    west = services.do_gate_create(actor=SYSTEM, area=tree.community, name="西门")
    time_machine.shift(timedelta(hours=1))
    newer = do_response_activate(actor=SYSTEM, area=tree.sibling, name="隔壁社区", level="1")
    south = services.do_gate_create(actor=SYSTEM, area=tree.sibling, name="南门")
    south_rule = services.do_gate_rule_set(
        actor=SYSTEM, gate=south, response=newer, data=services.RuleData()
    )
    far = services.do_gate_create(actor=SYSTEM, area=tree.far_community, name="北门")
    gates = [setup.gate, west, south, far]
    # when
    with django_assert_num_queries(2):
        in_force = selectors.rules_in_force(gates)
    # then: what rule_in_force answers for each gate
    assert in_force == {
        setup.gate.pk: (setup.response, setup.rule),
        west.pk: (setup.response, None),
        south.pk: (newer, south_rule),
        far.pk: (setup.response, None),
    }
    assert in_force == {gate.pk: selectors.rule_in_force(gate) for gate in gates}


def test_no_rules_in_force_where_no_response_is(setup, django_assert_num_queries):
    _close(setup.response)
    with django_assert_num_queries(1):
        assert selectors.rules_in_force([setup.gate]) == {setup.gate.pk: (None, None)}


def test_no_query_for_the_rules_of_no_gates(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.rules_in_force([]) == {}


def test_the_passes_behind_qr_codes_in_one_query(setup, django_assert_num_queries):
    claims = signing.verify(setup.token)
    other_household = signing.sign(
        signing.PassClaims(**{**vars(claims), "household_id": claims.household_id + 1})
    )
    no_such_pass = signing.sign(signing.PassClaims(**{**vars(claims), "pass_id": 999999}))
    tampered = setup.token[:-3] + ("AAA" if not setup.token.endswith("AAA") else "BBB")
    tokens = [setup.token, other_household, no_such_pass, tampered, "JJ1.x", setup.token]
    with django_assert_num_queries(1):
        found = selectors.passes_scanned(tokens)
    assert found == {
        setup.token: setup.pass_,
        other_household: None,
        no_such_pass: None,
        tampered: None,
        "JJ1.x": None,
    }


def test_no_query_for_a_batch_without_a_valid_qr_code(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.passes_scanned(["JJ1.x", "not a pass"]) == {
            "JJ1.x": None,
            "not a pass": None,
        }
