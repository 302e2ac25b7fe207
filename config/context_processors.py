from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from jijie.areas import access
from jijie.mobilization import access as mobilization_access

if TYPE_CHECKING:
    from jijie.accounts.models import User


class Entry(NamedTuple):
    key: str
    label: str | Promise
    url: str


# The menu, in its order: (key in `nav`, label, URL name).
MENU = (
    ("areas", _("区域"), "areas:index"),
    ("reports", _("日报"), "reports:index"),
    ("residents", _("居民"), "residents:list"),
    ("mobilization", _("集结"), "mobilization:index"),
    ("screening", _("排查"), "screening:index"),
    ("gates", _("卡口"), "gates:index"),
    ("duty", _("值守"), "duty:index"),
    ("care", _("关怀"), "care:day"),
    ("supplies", _("物资"), "supplies:index"),
    ("funds", _("资金"), "funds:index"),
    ("problems", pgettext_lazy("problem", "问题"), "problems:board"),
    ("inspections", _("督查"), "inspections:index"),
    ("testing", _("核酸检测"), "testing:index"),
    ("recognition", _("服务记录"), "recognition:index"),
    ("responses", _("响应"), "responses:index"),
    ("people", _("人员"), "accounts:people"),
    ("audit", _("审计"), "accounts:audit"),
    ("admin", _("管理"), "admin:index"),
)


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell needs: which menu entries this user may open. It asks every
    app, so it lives above them all."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}, "menu": []}
    nav = _nav(user)
    keys = tuple(key for key, _label, _name in MENU if nav[key])
    return {
        "nav": nav,
        "menu": _entries(keys, get_script_prefix()),
        # Every page draws the menu twice (a desktop's row, a phone's list): the same
        # few lines for everybody with the same entries, made once per process and
        # language rather than reversed and rendered on every request.
        "menu_links": _links(keys, get_language(), get_script_prefix()),
        "user_roles": access.assignments(user),
    }


@lru_cache(maxsize=256)
def _entries(keys: tuple[str, ...], prefix: str) -> tuple[Entry, ...]:
    """The entries `keys` names, in the menu's order, their addresses under `prefix`
    (the request's, in force as this runs)."""
    return tuple(Entry(key, label, reverse(name)) for key, label, name in MENU if key in keys)


@lru_cache(maxsize=256)
def _links(keys: tuple[str, ...], language: str | None, prefix: str) -> SafeString:
    """The menu's entries as HTML, for these entries in this language under this URL
    prefix (the arguments are the cache's key; `language` and `prefix` are the
    request's, in force as this renders)."""
    html = render_to_string("core/_menu_links.html", {"menu": _entries(keys, prefix)})
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, escaped there


def _nav(user: User) -> dict[str, bool]:
    is_member = "member" in access.roles(user)
    return {
        "areas": bool(access.scope_paths(user, access.Action.AREA_VIEW)),
        "audit": bool(access.scope_paths(user, access.Action.AUDIT_VIEW)),
        "reports": bool(access.scope_paths(user, access.Action.REPORT_VIEW)),
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
        "supplies": bool(access.scope_paths(user, access.Action.SUPPLY_VIEW)),
        "funds": bool(access.scope_paths(user, access.Action.FUND_VIEW)),
        # The problem board, or the problems a guard or a member raised.
        "problems": bool(
            access.scope_paths(user, access.Action.PROBLEM_VIEW)
            or access.scope_paths(user, access.Action.PROBLEM_RAISE)
            or is_member
        ),
        # Responses are the area keepers' to start and end.
        "responses": bool(access.scope_paths(user, access.Action.AREA_VIEW)),
        # An office's inspections and orders, an inspector's team's visits (a team's
        # members are inspectors, who read inspections by their role).
        "inspections": bool(access.scope_paths(user, access.Action.INSPECTION_VIEW)),
        "testing": bool(access.scope_paths(user, access.Action.TESTING_VIEW)),
        # A unit's members' records (its admin, the committee over its seat), or a
        # member's own.
        "recognition": bool(
            is_member
            or access.scope_paths(user, access.Action.MEMBER_EDIT)
            or mobilization_access.organisation_paths(user, access.Action.MEMBER_EDIT)
        ),
        "admin": user.is_staff,
    }
