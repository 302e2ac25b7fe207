"""Who may act on an organisation's records: mobilization's own access rules, beside
the area rules they build on (`jijie.areas.access`).

An organisation (a working committee, an agency, its party branches) is seated in an
area. A user acts on it through an area role over that seat, or through an
organisation role (`OrganisationAssignment`) over the organisation's subtree: a unit's
admin keeps its own members' records and follows their sign-ups, and sees no other
unit's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.mobilization.models import OrganisationAssignment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jijie.accounts.models import User


# Roles held over an organisation's subtree (`mobilization.OrganisationAssignment`)
# rather than an area: a unit's admin keeps its own members' records and follows their
# sign-ups, and sees no other unit's.
ORGANISATION_ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    "admin": frozenset({Action.MOBILIZATION_VIEW, Action.MEMBER_EDIT}),
}


def organisation_paths(user: User | AnonymousUser, action: Action) -> list[str]:
    """Paths of the organisation subtrees where the user's organisation roles allow
    `action` (read once per request object, like the area assignments)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached: list[tuple[str, str]] | None = getattr(user, "_jijie_organisation_roles", None)
    if cached is None:
        cached = list(
            OrganisationAssignment.objects.filter(user=user).values_list(
                "role", "organisation__path"
            )
        )
        setattr(user, "_jijie_organisation_roles", cached)  # noqa: B010 - a per-request cache
    return access.minimal_paths(
        path for role, path in cached if action in ORGANISATION_ROLE_ACTIONS.get(role, frozenset())
    )


def organisation_filter(
    user: User | AnonymousUser,
    action: Action,
    *,
    path_field: str = "path",
    area_path_field: str = "area_path",
    with_ancestors: bool = False,
) -> Q:
    """Organisation records the user may act on: through an area role over the area the
    organisation is seated in, or an organisation role over the organisation (and, with
    `with_ancestors`, the organisations above it: a unit's admin sees the call-ups of
    the committee their unit answers to)."""
    q = Q(pk__in=[])
    for path in access.scope_paths(user, action):
        q |= Q(**{f"{area_path_field}__startswith": path})
    for path in organisation_paths(user, action):
        q |= Q(**{f"{path_field}__startswith": path})
        if with_ancestors:
            q |= Q(**{f"{path_field}__in": _ancestors(path)})
    return q


def _ancestors(path: str) -> list[str]:
    return [path[:end] for end in range(Area.steplen, len(path), Area.steplen)]


def may_organisation(
    user: User | AnonymousUser,
    action: Action,
    *,
    path: str,
    area_path: str,
    with_ancestors: bool = False,
) -> bool:
    if any(area_path.startswith(p) for p in access.scope_paths(user, action)):
        return True
    return any(
        path.startswith(p) or (with_ancestors and p.startswith(path))
        for p in organisation_paths(user, action)
    )


def require_organisation(
    user: User | AnonymousUser,
    action: Action,
    *,
    path: str,
    area_path: str,
    with_ancestors: bool = False,
) -> None:
    """404 when the organisation is out of the user's sight (which reaches the
    organisations above a unit), 403 when the role may not do `action` there."""
    if not may_organisation(
        user, action, path=path, area_path=area_path, with_ancestors=with_ancestors
    ):
        if not may_organisation(
            user, Action.MOBILIZATION_VIEW, path=path, area_path=area_path, with_ancestors=True
        ):
            raise Http404
        raise PermissionDenied(_("您的角色不能对该组织进行此操作。"))


def forget(user: User) -> None:
    """Drop the cached organisation roles after they change."""
    if hasattr(user, "_jijie_organisation_roles"):
        del user._jijie_organisation_roles
