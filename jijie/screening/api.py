"""`/api/screening/...`: campaigns, coverage and a building's doors for phones, and the
visit itself. Scoped like the pages; a visit may carry the phone's own id for it
(`client_ref`), so that a request replayed from a flaky connection is stored once."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from jijie.accounts.requests import actor
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import AreaKind
from jijie.core.schemas import MultilineText, Text
from jijie.residents import selectors as registry
from jijie.screening import selectors, services
from jijie.screening.models import Campaign

router = Router(tags=["screening"])


def _require_screening(request: HttpRequest) -> None:
    if not access.scope_paths(request.user, Action.SCREENING_VIEW):
        raise PermissionDenied(_("您的角色不能查看排查。"))


class CampaignOut(Schema):
    id: int
    name: str
    response_id: int
    mode: str
    starts_on: str
    ends_on: str
    questions: list[dict[str, Any]]

    @staticmethod
    def of(campaign: Campaign) -> CampaignOut:
        return CampaignOut(
            id=campaign.pk,
            name=campaign.name,
            response_id=campaign.response_id,
            mode=campaign.mode,
            starts_on=campaign.starts_on.isoformat(),
            ends_on=campaign.ends_on.isoformat(),
            questions=campaign.questions,
        )


class RowOut(Schema):
    code: str
    name: str
    households: int
    visited: int
    completed: int
    revisits_pending: int
    not_reached: int
    people_screened: int
    flags: int
    # Only for roles that follow people up (health.view); null otherwise.
    fevers: int | None

    @staticmethod
    def of(row: selectors.Row, health: bool) -> RowOut:
        return RowOut(
            code=row.area.code if row.area else "",
            name=row.area.name if row.area else "",
            households=row.households,
            visited=row.visited,
            completed=row.completed,
            revisits_pending=row.revisits_pending,
            not_reached=row.not_reached,
            people_screened=row.people_screened,
            flags=row.flags,
            fevers=row.fevers if health else None,
        )


class CoverageOut(Schema):
    total: RowOut
    rows: list[RowOut]


class DoorOut(Schema):
    household_id: int
    door_number: str
    state: str
    revisit_due_at: datetime | None


class VisitIn(Schema):
    mode: Text
    outcome: Text
    answers: dict[Text, Any] = {}
    # [[person id or null, degrees]]
    temperatures: list[tuple[int | None, Decimal]] = []
    note: MultilineText = ""
    client_ref: Text = ""


class VisitOut(Schema):
    id: int
    household_id: int
    outcome: str
    visited_at: datetime


@router.get("/campaigns", response=list[CampaignOut], summary="Campaigns over or in scope")
def campaign_list(request: HttpRequest) -> list[CampaignOut]:
    _require_screening(request)
    return [CampaignOut.of(c) for c in selectors.campaign_list(actor=request.user)[:100]]


@router.get(
    "/campaigns/{pk}/coverage",
    response=CoverageOut,
    summary="Coverage under an area (default: where the caller's view starts)",
)
def coverage(request: HttpRequest, pk: int, area: Text = "", depth: int = 0) -> CoverageOut:
    _require_screening(request)
    campaign = selectors.campaign_for(actor=request.user, pk=pk)
    node = selectors.campaign_area(actor=request.user, campaign=campaign, code=area)
    result = selectors.coverage(campaign=campaign, area=node, depth=depth or None)
    health = access.may(request.user, Action.HEALTH_VIEW, node)
    return CoverageOut(
        total=RowOut.of(result.total, health), rows=[RowOut.of(r, health) for r in result.rows]
    )


@router.get(
    "/campaigns/{pk}/doors/{code}",
    response=list[DoorOut],
    summary="A building's doors, not yet visited first",
)
def doors(request: HttpRequest, pk: int, code: Text) -> list[DoorOut]:
    _require_screening(request)
    campaign = selectors.campaign_for(actor=request.user, pk=pk)
    building = access.area_for(request.user, code, Action.SCREENING_VISIT)
    if building.kind != AreaKind.BUILDING or not selectors.in_view(
        request.user, campaign, building
    ):
        raise Http404
    return [
        DoorOut(
            household_id=d.household.pk,
            door_number=d.household.door_number,
            state=d.state,
            revisit_due_at=d.revisit.due_at if d.revisit else None,
        )
        for d in selectors.doors(campaign=campaign, building=building)
    ]


@router.post(
    "/campaigns/{pk}/households/{household}/visits",
    response={201: VisitOut},
    summary="Record a visit or call (stored once per client_ref)",
)
def visit_create(
    request: HttpRequest, pk: int, household: int, payload: VisitIn
) -> Status[VisitOut]:
    _require_screening(request)
    campaign = selectors.campaign_for(actor=request.user, pk=pk)
    home = registry.household_for(actor=request.user, pk=household)
    if not selectors.in_view(request.user, campaign, home.building):
        raise Http404
    visit = services.visit_record(
        actor=actor(request),
        campaign=campaign,
        household=home,
        data=services.VisitData(
            mode=payload.mode,
            outcome=payload.outcome,
            answers=payload.answers,
            temperatures=list(payload.temperatures),
            note=payload.note,
            client_ref=payload.client_ref,
        ),
    )
    return Status(
        201,
        VisitOut(
            id=visit.pk,
            household_id=visit.household_id,
            outcome=visit.outcome,
            visited_at=visit.visited_at,
        ),
    )
