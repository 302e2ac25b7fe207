"""What care offers on a household's page: its open isolation case (or opening one),
an errand for it, its care plan when it is a hardship household."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area, community_path_of
from jijie.care import rules, selectors
from jijie.residents.actions import HouseholdAction, offers_for_household

if TYPE_CHECKING:
    from jijie.accounts.models import User
    from jijie.residents.models import Household


@offers_for_household
def care_for(user: User, household: Household) -> list[HouseholdAction]:
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
            HouseholdAction(
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
            HouseholdAction(
                label=_("登记居家隔离"),
                url=reverse("care:case_new", args=[community]) + here,
                key="case-new",
                order=10,
            )
        )
    if records:
        actions.append(
            HouseholdAction(
                label=_("登记代办"),
                url=reverse("care:errand_new") + here,
                key="errand-new",
                order=30,
            )
        )
    if plan is not None:
        actions.append(
            HouseholdAction(
                label=_("帮扶计划"), url=reverse("care:plan", args=[plan.pk]), key="plan", order=40
            )
        )
    elif household.is_hardship and community:
        actions.append(
            HouseholdAction(
                label=_("建立帮扶计划"),
                url=reverse("care:plan_new", args=[community]) + here,
                key="plan-new",
                order=40,
            )
        )
    return actions
