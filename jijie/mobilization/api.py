"""`/api/mobilization/...`: call-ups, their funnel and sign-ups, screening, the proposal,
a community's deployed members, and a member's own record. Contact data is masked as in
the registry; the sign-up endpoint is open to whoever has the call-up's token, like the
page."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.actors import NOBODY
from jijie.audit.services import client_ip
from jijie.core.openapi import Detail
from jijie.core.pagination import paginated
from jijie.core.schemas import Day, MultilineText, Text
from jijie.mobilization import proposal, selectors, services
from jijie.mobilization.models import (
    CallUp,
    Deployment,
    Member,
    Organisation,
    Proposal,
    SignUp,
)

router = Router(tags=["mobilization"])


class CallUpOut(Schema):
    id: int
    title: str
    organisation: str
    response: str
    quota: int
    deadline: datetime
    status: str

    @staticmethod
    def resolve_organisation(obj: CallUp) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_response(obj: CallUp) -> str:
        return obj.response.name


class FunnelRowOut(Schema):
    label: str
    signed_up: int
    screened_in: int
    requested: int
    approved: int
    declined: int
    deployed: int
    withdrawn: int
    ended: int


class CommunityCountOut(Schema):
    community: str
    quota: int
    deployed: int


class FunnelOut(Schema):
    total: FunnelRowOut
    by_unit: list[FunnelRowOut]
    by_community: list[CommunityCountOut]


class MemberOut(Schema):
    id: int
    name: str
    kind: str
    organisation: str
    residence: str
    document_masked: str
    phone_masked: str
    skills: list[str]
    fitness: str
    availability: str
    version: int

    @staticmethod
    def resolve_organisation(obj: Member) -> str:
        return obj.organisation.name if obj.organisation else ""

    @staticmethod
    def resolve_residence(obj: Member) -> str:
        return obj.residence.code if obj.residence else ""

    @staticmethod
    def resolve_skills(obj: Member) -> list[str]:
        return obj.skill_list


class SignUpOut(Schema):
    id: int
    member: MemberOut
    unit: str
    status: str
    health_declared: bool
    reason: str

    @staticmethod
    def resolve_unit(obj: SignUp) -> str:
        return obj.unit.name if obj.unit else ""


class SignUpIn(Schema):
    name: Text
    document_number: Text
    phone: Text
    kind: Text = "party_member"
    organisation_id: int | None = None
    residence: Text = ""  # community code
    skills: list[Text] = []
    fitness: Text = "fit"
    availability: Text = "full_time"
    health_declared: bool = False
    note: MultilineText = ""


class SignUpReceived(Schema):
    detail: str


class Refusal(Schema):
    detail: str


class DecisionIn(Schema):
    reason: Text = ""


class RulesIn(Schema):
    min_age: int | None = 18
    max_age: int | None = 60
    require_health_declaration: bool = True
    kinds: list[Text] = []
    exclude_unfit: bool = True


class ScreenedOut(Schema):
    approved: int
    declined: int


class PeriodIn(Schema):
    starts_on: Day
    ends_on: Day


class ProposalLineOut(Schema):
    sign_up_id: int
    member: str
    community: str
    nearness: int
    distance_m: int | None


class ProposalOut(Schema):
    id: int
    status: str
    starts_on: date
    ends_on: date
    lines: list[ProposalLineOut]


class AcceptedOut(Schema):
    deployed: int


class DeploymentOut(Schema):
    id: int
    member: MemberOut
    community: str
    residence: str
    starts_on: date
    ends_on: date
    status: str

    @staticmethod
    def resolve_community(obj: Deployment) -> str:
        return obj.community.code

    @staticmethod
    def resolve_residence(obj: Deployment) -> str:
        return obj.residence.code if obj.residence else ""


@router.get("/call-ups", response=list[CallUpOut], summary="Call-ups in scope")
@paginated
def call_up_list(request: HttpRequest) -> QuerySet[CallUp]:
    return selectors.call_ups(actor=request.user)


@router.get(
    "/call-ups/{pk}/funnel",
    response=FunnelOut,
    summary="Signed up → screened → deployed, by unit and by community",
)
def funnel(request: HttpRequest, pk: int) -> FunnelOut:
    call_up = selectors.call_up_for(actor=request.user, pk=pk)
    result = selectors.funnel(actor=request.user, call_up=call_up)
    return FunnelOut(
        total=FunnelRowOut.from_orm(result.total),
        by_unit=[FunnelRowOut.from_orm(row) for row in result.by_unit],
        by_community=[
            CommunityCountOut(community=c, quota=q, deployed=d) for c, q, d in result.by_community
        ],
    )


@router.get("/call-ups/{pk}/sign-ups", response=list[SignUpOut], summary="A call-up's sign-ups")
@paginated
def sign_up_list(request: HttpRequest, pk: int, status: Text = "") -> QuerySet[SignUp]:
    call_up = selectors.call_up_for(actor=request.user, pk=pk)
    return selectors.sign_up_list(actor=request.user, call_up=call_up, status=status)


@router.post(
    "/join/{token}",
    response={202: SignUpReceived, 429: Refusal},
    auth=None,
    summary="Sign up for a call-up (open to whoever has its token)",
    description=(
        "The answer is the same whether the ID number was unknown, registered with this "
        "phone or another, or already signed up; a sign-up that cannot prove it is the "
        "registered member goes to the member's unit for review. Throttled per client "
        "address and per token (429)."
    ),
)
def join(request: HttpRequest, token: Text, payload: SignUpIn) -> Status[Schema]:
    call_up = selectors.call_up_by_token(token)
    if selectors.sign_up_open(call_up) is None and not services.sign_up_attempt(
        address=client_ip(request), token=token
    ):
        return Status(429, Refusal(detail=services.sign_up_too_often()))
    organisation = None
    if payload.organisation_id is not None:
        organisation = Organisation.objects.filter(
            pk=payload.organisation_id, path__startswith=call_up.organisation.path
        ).first()
    residence = None
    if payload.residence:
        residence = Area.objects.filter(
            code=payload.residence, path__startswith=call_up.response.area_path
        ).first()
    services.do_sign_up_receive(
        actor=actor(request) if request.user.is_authenticated else NOBODY,
        call_up=call_up,
        data=services.SignUpData(
            member=services.MemberData(
                name=payload.name,
                kind=payload.kind,
                document_number=payload.document_number,
                phone=payload.phone,
                organisation=organisation,
                residence=residence,
                skills=payload.skills,
                fitness=payload.fitness,
                availability=payload.availability,
            ),
            health_declared=payload.health_declared,
            availability=payload.availability,
            note=payload.note,
        ),
    )
    return Status(
        202,
        SignUpReceived(
            detail=_(
                "报名已提交。如果该身份证号此前已登记为队员,而手机号或账号与登记的不同,"
                "报名将由所在单位核实后生效。"
            )
        ),
    )


@router.post("/call-ups/{pk}/screen", response=ScreenedOut, summary="Apply screening rules")
def screen(request: HttpRequest, pk: int, payload: RulesIn) -> ScreenedOut:
    call_up = selectors.call_up_for(actor=request.user, pk=pk, action=Action.MOBILIZATION_MANAGE)
    result = services.screening_apply(
        actor=actor(request),
        call_up=call_up,
        rules=services.ScreeningRules(**payload.dict()),
    )
    return ScreenedOut(approved=result.approved, declined=result.declined)


@router.post("/sign-ups/{pk}/approve", response=SignUpOut, summary="Approve a sign-up")
def approve(request: HttpRequest, pk: int, payload: DecisionIn) -> SignUp:
    sign_up = selectors.sign_up_for(actor=request.user, pk=pk)
    return services.sign_up_approve(actor=actor(request), sign_up=sign_up, reason=payload.reason)


@router.post("/sign-ups/{pk}/decline", response=SignUpOut, summary="Decline a sign-up")
def decline(request: HttpRequest, pk: int, payload: DecisionIn) -> SignUp:
    sign_up = selectors.sign_up_for(actor=request.user, pk=pk)
    return services.sign_up_decline(actor=actor(request), sign_up=sign_up, reason=payload.reason)


def _proposal_out(made: Proposal) -> ProposalOut:
    return ProposalOut(
        id=made.pk,
        status=made.status,
        starts_on=made.starts_on,
        ends_on=made.ends_on,
        lines=[
            ProposalLineOut(
                sign_up_id=line.sign_up_id,
                member=line.sign_up.member.name,
                community=line.community.code,
                nearness=line.nearness,
                distance_m=line.distance_m,
            )
            for line in selectors.proposal_lines(made)
        ],
    )


@router.post(
    "/sign-ups/{pk}/withdraw",
    response=SignUpOut,
    summary="Withdraw a sign-up (a deployed member is recalled today)",
)
def withdraw(request: HttpRequest, pk: int, payload: DecisionIn) -> SignUp:
    sign_up = selectors.sign_up_for(actor=request.user, pk=pk)
    return services.sign_up_withdraw(actor=actor(request), sign_up=sign_up, reason=payload.reason)


@router.post("/sign-ups/{pk}/end", response=SignUpOut, summary="End a member's deployment")
def end(request: HttpRequest, pk: int) -> SignUp:
    sign_up = selectors.sign_up_for(actor=request.user, pk=pk)
    return services.sign_up_end(actor=actor(request), sign_up=sign_up)


@router.post(
    "/call-ups/{pk}/proposal",
    response={201: ProposalOut},
    summary="Propose a deployment of the approved members, nearest first",
)
def propose(request: HttpRequest, pk: int, payload: PeriodIn) -> Status[ProposalOut]:
    call_up = selectors.call_up_for(actor=request.user, pk=pk, action=Action.MOBILIZATION_MANAGE)
    made = proposal.proposal_make(
        actor=actor(request), call_up=call_up, starts_on=payload.starts_on, ends_on=payload.ends_on
    )
    return Status(201, _proposal_out(made))


@router.post("/proposals/{pk}/accept", response=AcceptedOut, summary="Accept a proposal")
def accept(request: HttpRequest, pk: int) -> AcceptedOut:
    made = selectors.proposal_for(actor=request.user, pk=pk)
    return AcceptedOut(deployed=proposal.proposal_accept(actor=actor(request), proposal=made))


@router.get(
    "/communities/{code}/deployments",
    response=list[DeploymentOut],
    summary="Members deployed to a community (masked)",
)
@paginated
def deployments(request: HttpRequest, code: Text) -> QuerySet[Deployment]:
    area = access.area_for(request.user, code, Action.DEPLOYMENT_VIEW)
    return selectors.deployed_to(actor=request.user, community=area)


@router.get(
    "/me",
    response={200: MemberOut, 404: Detail},
    summary="The caller's own member record (404: the caller is no member)",
)
def me(request: HttpRequest) -> Member:
    member = selectors.member_of(request.user)
    if member is None:
        raise Http404
    return member
