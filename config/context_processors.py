from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jijie.areas import access
from jijie.mobilization import access as mobilization_access


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell needs: which menu entries this user may open. It asks every
    app, so it lives above them all."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    is_member = "member" in access.roles(user)
    return {
        "nav": {
            "areas": bool(access.scope_paths(user, access.Action.AREA_VIEW)),
            "audit": bool(access.scope_paths(user, access.Action.AUDIT_VIEW)),
            "people": bool(access.scope_paths(user, access.Action.ROLE_GRANT)),
            "residents": bool(access.scope_paths(user, access.Action.RESIDENT_VIEW)),
            "screening": bool(access.scope_paths(user, access.Action.SCREENING_VIEW)),
            "gates": bool(access.scope_paths(user, access.Action.GATE_VIEW)),
            # The demand boards, or a member's own shifts (a member may hold other roles).
            "duty": bool(access.scope_paths(user, access.Action.DUTY_VIEW) or is_member),
            # A community's care board, or a supervisor's follow-ups of the day and a
            # member's errands.
            "care": bool(
                access.scope_paths(user, access.Action.CARE_VIEW)
                or access.scope_paths(user, access.Action.CARE_RECORD)
                or is_member
            ),
            # The call-ups of a committee or unit, the members deployed to a community,
            # or a member's own record: the menu entry leads to whichever applies.
            "mobilization": bool(
                access.scope_paths(user, access.Action.MOBILIZATION_VIEW)
                or mobilization_access.organisation_paths(user, access.Action.MOBILIZATION_VIEW)
                or access.scope_paths(user, access.Action.DEPLOYMENT_VIEW)
                or is_member
            ),
            "admin": user.is_staff,
        },
        "user_roles": access.assignments(user),
    }
