"""What care offers on a household's page (its open isolation case or opening one, an
errand for it, its care plan when it is a hardship household) and on an area's (a
community's board, a building's floor plan)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import COMMUNITY_KINDS, Area, AreaKind, community_path_of
from jijie.areas.offers import offers_for_area
from jijie.care import rules, selectors
from jijie.core.offers import Offer
from jijie.residents.actions import offers_for_household

if TYPE_CHECKING:
    from jijie.accounts.models import User
    from jijie.residents.models import Household


@offers_for_household
def care_for(user: User, household: Household) -> list[Offer]:
    path = household.area_path
    sees, records, manages = (
        access.may_path(user, action, path)
        for action in (Action.CARE_VIEW, Action.CARE_RECORD, Action.CARE_MANAGE)
    )
    if not sees:
        return []
    here = "?" + urlencode({"household": household.pk})
    case, plan = selectors.household_care(household)
    actions = []
    community = ""
    if manages and (case is None or (household.is_hardship and plan is None)):
        community = (
            Area.objects.filter(path=community_path_of(path)).values_list("code", flat=True).first()
            or ""
        )
    if case is not None:
        actions.append(
            Offer(
                label=_("查看居家隔离"),
                url=reverse("care:case", args=[case.pk]),
                note=_("%(kind)s,至 %(last)s")
                % {
                    "kind": case.get_kind_display(),
                    "last": rules.last_day(case.starts_on, case.total_days).isoformat(),
                },
                key="case",
                order=10,
            )
        )
    elif community:
        actions.append(
            Offer(
                label=_("登记居家隔离"),
                url=reverse("care:case_new", args=[community]) + here,
                key="case-new",
                order=10,
            )
        )
    if records:
        actions.append(
            Offer(
                label=_("登记代办"),
                url=reverse("care:errand_new") + here,
                key="errand-new",
                order=30,
            )
        )
    if plan is not None:
        actions.append(
            Offer(
                label=_("帮扶计划"), url=reverse("care:plan", args=[plan.pk]), key="plan", order=40
            )
        )
    elif household.is_hardship and community:
        actions.append(
            Offer(
                label=_("建立帮扶计划"),
                url=reverse("care:plan_new", args=[community]) + here,
                key="plan-new",
                order=40,
            )
        )
    return actions


@offers_for_area
def care_in(user: User, area: Area) -> list[Offer]:
    if not access.may(user, Action.CARE_VIEW, area):
        return []
    if area.kind in COMMUNITY_KINDS:
        url = reverse("care:board", args=[area.code])
        return [Offer(label=_("关怀看板"), url=url, key="care-board", order=30)]
    if area.kind == AreaKind.BUILDING:
        url = reverse("care:building") + "?" + urlencode({"building": area.code})
        return [
            Offer(label=_("楼栋户图"), url=url, note=_("隔离户、困难户"), key="care-plan", order=30)
        ]
    return []
