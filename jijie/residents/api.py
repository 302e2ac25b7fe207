"""`/api/residents/...`: the registry for phones and other systems. Masked like the pages;
a search is a POST (its query is personal); a reveal is a POST with a reason and the
current code of the caller's authenticator (step-up, as on the pages)."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from jijie.accounts.requests import actor, step_up_or_code
from jijie.areas import access
from jijie.areas.access import Action
from jijie.core.pagination import paginated
from jijie.core.schemas import Text
from jijie.residents import selectors, services
from jijie.residents.models import Household, Person

router = Router(tags=["residents"])


class PersonOut(Schema):
    id: int
    name: str
    sex: str
    relation: str
    document_type: str
    document_masked: str
    phone_masked: str
    resident_type: str
    household_id: int
    version: int


class HouseholdOut(Schema):
    id: int
    building_code: str
    building_name: str
    door_number: str
    kind: str
    is_party_centre: bool
    is_home_isolation: bool
    is_hardship: bool
    version: int

    # Endpoints hand model rows to the schemas; these read the building.
    @staticmethod
    def resolve_building_code(obj: Household) -> str:
        return obj.building.code

    @staticmethod
    def resolve_building_name(obj: Household) -> str:
        return obj.building.name


class HouseholdDetailOut(HouseholdOut):
    people: list[PersonOut]

    @staticmethod
    def resolve_people(obj: Household) -> list[Person]:
        return list(selectors.people_of(obj))


class SearchIn(Schema):
    q: Text
    area: Text = ""


class RevealIn(Schema):
    field: Literal["document", "phone"]
    reason: Text
    # The authenticator's current code (the step-up), unless the caller's browser session
    # verified one in the last few minutes.
    code: Text = ""


class RevealOut(Schema):
    value: str


@router.get("/households", response=list[HouseholdOut], summary="Households in scope")
@paginated
def household_list(
    request: HttpRequest, area: Text = "", kind: Text = "", flag: Text = ""
) -> QuerySet[Household]:
    scope = access.area_for(request.user, area) if area else None
    return selectors.household_list(actor=request.user, area=scope, kind=kind, flag=flag)


@router.get("/households/{pk}", response=HouseholdDetailOut, summary="A household and its people")
def household_detail(request: HttpRequest, pk: int) -> Household:
    return selectors.household_for(actor=request.user, pk=pk)


@router.post(
    "/search", response=list[PersonOut], summary="Find people (POST: the query is personal)"
)
def search(request: HttpRequest, payload: SearchIn) -> list[Person]:
    scope = access.area_for(request.user, payload.area) if payload.area else None
    return selectors.person_search(actor=request.user, query=payload.q, area=scope)


@router.post(
    "/people/{pk}/reveal",
    response=RevealOut,
    summary="A full ID number or phone, with a reason and a current MFA code (audited)",
)
def reveal(request: HttpRequest, pk: int, payload: RevealIn) -> RevealOut:
    person = selectors.person_for(actor=request.user, pk=pk)
    if not access.may(request.user, Action.PII_REVEAL, person.household.building):
        raise PermissionDenied(_("您的角色不能查看完整的证件号码或电话。"))
    step_up_or_code(request, payload.code)
    value = services.person_reveal(
        actor=actor(request), person=person, field=payload.field, reason=payload.reason
    )
    return RevealOut(value=value)
