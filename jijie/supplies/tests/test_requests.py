"""Requests up the tree: "我们社区没有耳温枪" asked of the street, approved in part,
sent, received by the community; refusals and shortages seen from above."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jijie.audit.actors import SYSTEM
from jijie.supplies import selectors, services
from jijie.supplies.models import RequestState, SupplyRequest
from jijie.supplies.tests.fixtures import NOW, ask, receive

TODAY = NOW.date()


def test_asked_approved_in_part_sent_and_received(supplies, actors):
    receive(supplies, supplies.street, supplies.thermometers, 5)
    receive(supplies, supplies.street, supplies.masks, 1000)
    # the community asks its street for 10 thermometers and 500 masks
    request = ask(supplies, actors.manager, (supplies.thermometers, 10), (supplies.masks, 500))
    assert request.to_area == supplies.street.area
    assert list(selectors.requests_to(actor=actors.street)) == [request]
    assert list(selectors.requests_to(actor=actors.manager)) == []
    # the street approves the 5 thermometers it has and the masks in full
    services.request_decide(
        actor=actors.street,
        request=request,
        approved={supplies.thermometers.pk: "5"},
        note="街道仅有 5 个",
        now=NOW,
    )
    request.refresh_from_db()
    assert request.state == RequestState.APPROVED
    assert sorted(request.lines.values_list("item__name", "approved")) == [
        ("医用口罩", Decimal(500)),
        ("耳温枪", Decimal(5)),
    ]
    # and sends them from its store
    transfer = services.request_fulfil(
        actor=actors.street, request=request, source=supplies.street, now=NOW
    )
    request.refresh_from_db()
    assert (request.state, request.transfer) == (RequestState.SENT, transfer)
    assert selectors.balances(supplies.street) == {supplies.masks.pk: 500}
    # the community confirms receipt: the request is done and both stores agree
    services.transfer_receive(actor=actors.manager, transfer=transfer, now=NOW)
    request.refresh_from_db()
    assert request.state == RequestState.RECEIVED
    assert selectors.balances(supplies.community) == {
        supplies.thermometers.pk: 5,
        supplies.masks.pk: 500,
    }
    assert selectors.ledger_disagreements() == []


def test_whoever_asked_may_not_approve(supplies, actors):
    # the street office keeps its own street's store and asks the district
    request = services.request_submit(
        actor=actors.street,
        store=supplies.street,
        response=supplies.response,
        data=services.RequestData(
            lines=[services.Line(supplies.suits, 100)], reason="防护服告急", needed_by=TODAY
        ),
        now=NOW,
    )
    assert request.to_area == supplies.district.area
    with pytest.raises(Http404):  # the district is above the street office's sight
        services.request_decide(actor=actors.street, request=request, approved={})
    # a user holding both levels still may not decide their own request
    with pytest.raises(ValidationError) as refused:
        services.do_request_decide(
            actor=actors.street, request=request, approved={}, note="", now=NOW
        )
    assert "自己提出" in refused.value.messages[0]
    services.request_decide(actor=actors.command, request=request, approved={}, now=NOW)
    request.refresh_from_db()
    assert request.state == RequestState.APPROVED


def test_a_refusal_needs_its_reason_and_a_decision_is_made_once(supplies, actors):
    request = ask(supplies, actors.manager, (supplies.thermometers, 2))
    nothing = {supplies.thermometers.pk: "0"}
    with pytest.raises(ValidationError) as refused:
        services.request_decide(actor=actors.street, request=request, approved=nothing)
    assert "note" in refused.value.message_dict
    services.request_decide(
        actor=actors.street, request=request, approved=nothing, note="区里统一调配"
    )
    request.refresh_from_db()
    assert request.state == RequestState.REJECTED
    with pytest.raises(ValidationError):
        services.request_decide(actor=actors.street, request=request, approved={})


@pytest.mark.parametrize(
    ("approved", "field"),
    [({"thermometers": "3"}, "approved-"), ({"thermometers": "1.5"}, "approved-")],
)
def test_an_approval_beyond_the_request_is_refused(supplies, actors, approved, field):
    request = ask(supplies, actors.manager, (supplies.thermometers, 2))
    with pytest.raises(ValidationError) as refused:
        services.request_decide(
            actor=actors.street,
            request=request,
            approved={supplies.thermometers.pk: approved["thermometers"]},
        )
    assert any(key.startswith(field) for key in refused.value.message_dict)
    request.refresh_from_db()
    assert request.state == RequestState.SUBMITTED
    assert request.lines.get().approved is None


def test_three_actors_on_a_request(supplies, actors):
    with pytest.raises(Http404):
        ask(supplies, actors.outsider, (supplies.masks, 1))
    with pytest.raises(PermissionDenied):
        ask(supplies, actors.guard, (supplies.masks, 1))
    request = ask(supplies, actors.lower, (supplies.masks, 1))
    # neither the community's own people nor a sibling decide it: the street does
    for who in (actors.manager, actors.lower):
        with pytest.raises(Http404):
            services.request_decide(actor=who, request=request, approved={})
    with pytest.raises(Http404):
        services.request_decide(actor=actors.outsider, request=request, approved={})
    assert SupplyRequest.objects.get().state == RequestState.SUBMITTED


def test_bad_requests_store_nothing(supplies, actors):
    for lines, needed_by, field in [
        ([], TODAY, "lines"),
        ([(supplies.masks, "-5")], TODAY, "lines-0-quantity"),
        ([(supplies.masks, "5")], TODAY - timedelta(days=1), "needed_by"),
    ]:
        with pytest.raises(ValidationError) as refused:
            ask(supplies, actors.manager, *lines, needed_by=needed_by)
        assert field in refused.value.message_dict
    assert not SupplyRequest.objects.exists()


def test_only_an_approved_request_is_sent_and_only_from_below_the_area_asked(supplies, actors):
    receive(supplies, supplies.sibling, supplies.masks, 50)
    receive(supplies, supplies.street, supplies.masks, 50)
    request = ask(supplies, actors.manager, (supplies.masks, 10))
    with pytest.raises(ValidationError):
        services.request_fulfil(actor=actors.street, request=request, source=supplies.street)
    services.request_decide(actor=actors.street, request=request, approved={})
    # the street may send from a community store below it, but not from the district's
    with pytest.raises(Http404):
        services.request_fulfil(actor=actors.street, request=request, source=supplies.district)
    services.request_fulfil(actor=actors.street, request=request, source=supplies.sibling)
    assert selectors.balances(supplies.sibling) == {supplies.masks.pk: 40}
    # the requester cannot withdraw what is on its way
    with pytest.raises(ValidationError):
        services.request_cancel(actor=actors.manager, request=request)


def test_shortages_show_above_the_same_day(supplies, actors):
    receive(supplies, supplies.community, supplies.thermometers, 1)
    services.threshold_set(
        actor=actors.manager, store=supplies.community, item=supplies.thermometers, minimum="3"
    )
    services.threshold_set(
        actor=actors.manager, store=supplies.community, item=supplies.masks, minimum="100"
    )
    services.do_threshold_set(
        actor=SYSTEM, store=supplies.sibling, item=supplies.masks, minimum="10"
    )
    receive(supplies, supplies.sibling, supplies.masks, 10)
    late = ask(supplies, actors.manager, (supplies.suits, 5), needed_by=TODAY)
    ask(supplies, actors.manager, (supplies.suits, 5), needed_by=TODAY + timedelta(days=2))
    # seen from the street on the day after the first request was needed
    seen = selectors.shortages(supplies.street.area_path, TODAY + timedelta(days=1))
    assert [(s.store.name, s.item.name, s.held, s.minimum) for s in seen.stores] == [
        ("新港路社区物资室", "医用口罩", Decimal(0), Decimal(100)),
        ("新港路社区物资室", "耳温枪", Decimal(1), Decimal(3)),
    ]
    assert seen.overdue == [late]
    # a sibling community's view holds none of it; removing a threshold ends its shortage
    assert selectors.shortages(supplies.sibling.area_path, TODAY + timedelta(days=1)).stores == []
    services.threshold_set(
        actor=actors.manager, store=supplies.community, item=supplies.masks, minimum=""
    )
    seen = selectors.shortages(supplies.street.area_path, TODAY)
    assert [s.item.name for s in seen.stores] == ["耳温枪"]
