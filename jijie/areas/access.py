"""The one place that answers "which areas and records may this user see, and may they
do X here".

A user's scope is the union of the subtrees of their role assignments. Every query of
scoped data starts here: `scoped(queryset, user, Action.X, path_field=...)` filters by
materialised-path prefix, `area_for(user, code, Action.X)` fetches one area or answers
404 (out of scope looks exactly like missing) or 403 (in scope, role too low).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import BadRequest, PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from jijie.areas import codes
from jijie.areas.models import Area
from jijie.areas.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jijie.accounts.models import RoleAssignment, User

M = TypeVar("M", bound=models.Model)


class Action(StrEnum):
    AREA_VIEW = "area.view"
    AREA_EDIT = "area.edit"
    AUDIT_VIEW = "audit.view"
    ROLE_GRANT = "role.grant"
    RESIDENT_VIEW = "resident.view"
    RESIDENT_EDIT = "resident.edit"
    PII_REVEAL = "pii.reveal"
    LEDGER_EXPORT = "resident.ledger_export"
    PII_EXPORT = "pii.export"
    HEALTH_VIEW = "health.view"
    RESPONSE_MANAGE = "response.manage"
    SCREENING_VIEW = "screening.view"
    SCREENING_VISIT = "screening.visit"
    SCREENING_MANAGE = "screening.manage"
    MOBILIZATION_VIEW = "mobilization.view"
    MOBILIZATION_MANAGE = "mobilization.manage"
    MEMBER_EDIT = "member.edit"
    DEPLOYMENT_VIEW = "deployment.view"
    TEAM_MANAGE = "team.manage"
    GATE_VIEW = "gate.view"
    GATE_SCAN = "gate.scan"
    GATE_MANAGE = "gate.manage"
    PASS_ISSUE = "pass.issue"  # noqa: S105 - an action on passes (通行证), not a password
    DUTY_VIEW = "duty.view"
    DUTY_MANAGE = "duty.manage"
    CARE_VIEW = "care.view"
    CARE_RECORD = "care.record"
    CARE_MANAGE = "care.manage"
    SUPPLY_VIEW = "supply.view"
    SUPPLY_KEEP = "supply.keep"
    SUPPLY_MANAGE = "supply.manage"
    FUND_VIEW = "fund.view"
    FUND_KEEP = "fund.keep"
    FUND_MANAGE = "fund.manage"
    PROBLEM_VIEW = "problem.view"
    PROBLEM_RAISE = "problem.raise"
    PROBLEM_HANDLE = "problem.handle"
    PROBLEM_CONFIRM = "problem.confirm"
    INSPECTION_VIEW = "inspection.view"
    INSPECTION_MANAGE = "inspection.manage"
    INSPECTION_RECTIFY = "inspection.rectify"
    REPORT_VIEW = "report.view"
    REPORT_SUBMIT = "report.submit"
    TESTING_VIEW = "testing.view"
    TESTING_SAMPLE = "testing.sample"
    TESTING_MANAGE = "testing.manage"


@cache
def _permissions() -> dict[str, frozenset[Action]]:
    view, edit, grant = Action.AREA_VIEW, Action.AREA_EDIT, Action.ROLE_GRANT
    # Front-line roles keep the registry; only they may reveal a full ID number or phone,
    # one record at a time, with a reason. Higher levels see masked lists and aggregates.
    # Health and travel data is seen by those who follow people up, no one else.
    # They also take the masked ledger of their part (LEDGER_EXPORT), as do those above
    # who answer for an area; a guard or an inspector reads the registry on its pages and
    # has no use for the whole ledger in a file.
    ledger = Action.LEDGER_EXPORT
    residents = {
        Action.RESIDENT_VIEW,
        Action.RESIDENT_EDIT,
        Action.PII_REVEAL,
        Action.HEALTH_VIEW,
        ledger,
    }
    # A bulk unmasked export is asked for and approved by those who answer for an area:
    # the community secretary, the street office, the command. It is never one person's
    # decision: the approver is someone else with this action over the same area.
    export = Action.PII_EXPORT
    # Mobilization: a working committee calls up, screens and deploys the members of the
    # organisations seated in its area; a command follows it. Where members are sent,
    # the community and those above it see who was deployed to them or reports to them
    # where they live (双报到), masked; a community secretary forms teams there.
    mobilize = {Action.MOBILIZATION_VIEW, Action.MOBILIZATION_MANAGE, Action.MEMBER_EDIT}
    deployed = Action.DEPLOYMENT_VIEW
    return {
        Role.COMMAND: frozenset(
            {
                view,
                edit,
                grant,
                Action.RESIDENT_VIEW,
                Action.RESPONSE_MANAGE,
                export,
                ledger,
                Action.MOBILIZATION_VIEW,
                deployed,
            }
        ),
        Role.WORKING_COMMITTEE: frozenset({view, *mobilize}),
        Role.STREET_OFFICE: frozenset(
            {view, edit, grant, Action.RESIDENT_VIEW, export, ledger, deployed}
        ),
        Role.COMMUNITY_SECRETARY: frozenset(
            {view, edit, grant, *residents, export, deployed, Action.TEAM_MANAGE}
        ),
        Role.COMMUNITY_WORKER: frozenset({view, *residents, deployed}),
        Role.GRID_WORKER: frozenset({view, *residents}),
        Role.GATE_GUARD: frozenset({view, Action.RESIDENT_VIEW}),
        Role.MEMBER: frozenset(),
        Role.INSPECTOR: frozenset({view, Action.RESIDENT_VIEW}),
        Role.AUDITOR: frozenset({view, Action.AUDIT_VIEW}),
    }


@cache
def _screening() -> dict[str, frozenset[Action]]:
    """Screening campaigns (扫楼): those who answer for an area run a campaign over it and
    read its coverage; front-line roles knock on doors in their own part of the tree; an
    inspector checks the coverage. Whether a visit's health answers show is HEALTH_VIEW."""
    see, visit, manage = Action.SCREENING_VIEW, Action.SCREENING_VISIT, Action.SCREENING_MANAGE
    return {
        Role.COMMAND: frozenset({see, manage}),
        Role.STREET_OFFICE: frozenset({see, manage}),
        Role.COMMUNITY_SECRETARY: frozenset({see, visit, manage}),
        Role.COMMUNITY_WORKER: frozenset({see, visit}),
        Role.GRID_WORKER: frozenset({see, visit}),
        Role.INSPECTOR: frozenset({see}),
    }


@cache
def _gates() -> dict[str, frozenset[Action]]:
    """Gates (卡口): the community sets up its gates and their rules and issues passes;
    guards and community workers record passages at the gates of their community; those
    above read the passage log and counts."""
    see, scan = Action.GATE_VIEW, Action.GATE_SCAN
    return {
        Role.COMMAND: frozenset({see}),
        Role.STREET_OFFICE: frozenset({see, Action.GATE_MANAGE}),
        Role.COMMUNITY_SECRETARY: frozenset({see, scan, Action.GATE_MANAGE, Action.PASS_ISSUE}),
        Role.COMMUNITY_WORKER: frozenset({see, scan}),
        Role.GRID_WORKER: frozenset({see}),
        Role.GATE_GUARD: frozenset({see, scan}),
        Role.INSPECTOR: frozenset({see}),
    }


@cache
def _duty() -> dict[str, frozenset[Action]]:
    """Duty (吹哨报到): the community posts demands, assigns, confirms and takes
    attendance; the street office also runs the roster optimiser over its communities;
    those above and community workers read the boards. Members claim shifts through
    their own member record, not through an area role."""
    see, manage = Action.DUTY_VIEW, Action.DUTY_MANAGE
    return {
        Role.COMMAND: frozenset({see}),
        Role.STREET_OFFICE: frozenset({see, manage}),
        Role.COMMUNITY_SECRETARY: frozenset({see, manage}),
        Role.COMMUNITY_WORKER: frozenset({see}),
        Role.INSPECTOR: frozenset({see}),
    }


@cache
def _care() -> dict[str, frozenset[Action]]:
    """Care (居家关爱): the community opens, extends and ends isolation cases, offers
    errands to members and keeps hardship households' care plans; front-line roles
    record follow-ups and visits, ask for and confirm errands in their part of the tree;
    those above read the board. Members supervising a case or running an errand act
    through their own member record. Temperatures and symptoms show with HEALTH_VIEW."""
    see, record, manage = Action.CARE_VIEW, Action.CARE_RECORD, Action.CARE_MANAGE
    return {
        Role.COMMAND: frozenset({see}),
        Role.STREET_OFFICE: frozenset({see}),
        Role.COMMUNITY_SECRETARY: frozenset({see, record, manage}),
        Role.COMMUNITY_WORKER: frozenset({see, record}),
        Role.GRID_WORKER: frozenset({see, record}),
        Role.INSPECTOR: frozenset({see}),
    }


@cache
def _supplies() -> dict[str, frozenset[Action]]:
    """Supplies (物资): those who answer for an area set up its stores, keep them
    (receive, issue, transfer, count) and approve what the areas below ask for; a
    community worker keeps the community's room; an inspector reads the stock."""
    see, keep, manage = Action.SUPPLY_VIEW, Action.SUPPLY_KEEP, Action.SUPPLY_MANAGE
    return {
        Role.COMMAND: frozenset({see, keep, manage}),
        Role.STREET_OFFICE: frozenset({see, keep, manage}),
        Role.COMMUNITY_SECRETARY: frozenset({see, keep, manage}),
        Role.COMMUNITY_WORKER: frozenset({see, keep}),
        Role.INSPECTOR: frozenset({see}),
    }


@cache
def _funds() -> dict[str, frozenset[Action]]:
    """Funds (资金): the command and the committee set up funds, receive party fees and
    allocate them down the tree; a street allocates on to its communities; whoever
    answers for an area keeps its books (donations received, expenditures, refunds);
    inspectors and auditors read them."""
    see, keep, manage = Action.FUND_VIEW, Action.FUND_KEEP, Action.FUND_MANAGE
    return {
        Role.COMMAND: frozenset({see, keep, manage}),
        Role.WORKING_COMMITTEE: frozenset({see, keep, manage}),
        Role.STREET_OFFICE: frozenset({see, keep, manage}),
        Role.COMMUNITY_SECRETARY: frozenset({see, keep}),
        Role.INSPECTOR: frozenset({see}),
        Role.AUDITOR: frozenset({see}),
    }


@cache
def _problems() -> dict[str, frozenset[Action]]:
    """Problems (接诉即办): whoever works on the front line raises a difficulty where
    they work; the offices of the community, the street and the command (and the
    committee, which follows its branches' difficulties) answer what reaches their
    level, and read what is raised below them; the community secretary confirms an
    answer for whoever raised it; inspectors read the boards."""
    see, raise_, handle = Action.PROBLEM_VIEW, Action.PROBLEM_RAISE, Action.PROBLEM_HANDLE
    return {
        Role.COMMAND: frozenset({see, raise_, handle}),
        Role.WORKING_COMMITTEE: frozenset({see, handle}),
        Role.STREET_OFFICE: frozenset({see, raise_, handle}),
        Role.COMMUNITY_SECRETARY: frozenset({see, raise_, handle, Action.PROBLEM_CONFIRM}),
        Role.COMMUNITY_WORKER: frozenset({see, raise_, handle}),
        Role.GRID_WORKER: frozenset({see, raise_}),
        Role.GATE_GUARD: frozenset({raise_}),
        Role.INSPECTOR: frozenset({see}),
    }


@cache
def _inspections() -> dict[str, frozenset[Action]]:
    """Inspections (督查): the command and the street offices set up teams, checklists and
    plans; a team's inspectors record its visits (as members of the team, not by role);
    the office a rectification order is sent to reports the fix; a visit is read under
    the target's area once recorded, a plan only by its team and the office above it."""
    see, manage, rectify = (
        Action.INSPECTION_VIEW, Action.INSPECTION_MANAGE, Action.INSPECTION_RECTIFY
    )  # fmt: skip
    return {
        Role.COMMAND: frozenset({see, manage, rectify}),
        Role.WORKING_COMMITTEE: frozenset({see}),
        Role.STREET_OFFICE: frozenset({see, manage, rectify}),
        Role.COMMUNITY_SECRETARY: frozenset({see, rectify}),
        Role.COMMUNITY_WORKER: frozenset({see, rectify}),
        Role.INSPECTOR: frozenset({see}),
    }


@cache
def _reports() -> dict[str, frozenset[Action]]:
    """The daily report (日报): the offices that answer for an area read its figures and
    submit their own unit's day (the community, the street, the command); a community's
    workers, the committee and the inspectors read them."""
    see, submit = Action.REPORT_VIEW, Action.REPORT_SUBMIT
    return {
        Role.COMMAND: frozenset({see, submit}),
        Role.WORKING_COMMITTEE: frozenset({see}),
        Role.STREET_OFFICE: frozenset({see, submit}),
        Role.COMMUNITY_SECRETARY: frozenset({see, submit}),
        Role.COMMUNITY_WORKER: frozenset({see}),
        Role.INSPECTOR: frozenset({see}),
    }


@cache
def _testing() -> dict[str, frozenset[Action]]:
    """Testing rounds (全员核酸): those who answer for an area open a round over it, set
    its sites and exemptions and record the lab's results; front-line roles register
    samples at the sites of their part of the tree; those above and inspectors read the
    coverage."""
    see, sample, manage = Action.TESTING_VIEW, Action.TESTING_SAMPLE, Action.TESTING_MANAGE
    return {
        Role.COMMAND: frozenset({see, manage}),
        Role.STREET_OFFICE: frozenset({see, manage}),
        Role.COMMUNITY_SECRETARY: frozenset({see, sample, manage}),
        Role.COMMUNITY_WORKER: frozenset({see, sample}),
        Role.GRID_WORKER: frozenset({see, sample}),
        Role.INSPECTOR: frozenset({see}),
    }


@cache
def role_actions(role: str) -> frozenset[Action]:
    """Every action `role` allows, over every app's table (made once per role)."""
    return (
        _permissions().get(role, frozenset())
        | _screening().get(role, frozenset())
        | _gates().get(role, frozenset())
        | _duty().get(role, frozenset())
        | _care().get(role, frozenset())
        | _supplies().get(role, frozenset())
        | _funds().get(role, frozenset())
        | _problems().get(role, frozenset())
        | _inspections().get(role, frozenset())
        | _reports().get(role, frozenset())
        | _testing().get(role, frozenset())
    )


def is_self(user: User | AnonymousUser, user_id: int | None) -> bool:
    """Whether a record that belongs to account `user_id` is the signed-in user's own."""
    return user.is_authenticated and user_id is not None and user.pk == user_id


@cache
def _grantable() -> dict[str, frozenset[str]]:
    """Which roles each role may hand out within its subtree. Auditors are appointed by
    the system administrator only, so that no one audits themselves."""
    front_line = {Role.COMMUNITY_WORKER, Role.GRID_WORKER, Role.GATE_GUARD, Role.MEMBER}
    return {
        Role.COMMAND: frozenset(
            {
                Role.COMMAND,
                Role.WORKING_COMMITTEE,
                Role.STREET_OFFICE,
                Role.INSPECTOR,
                Role.COMMUNITY_SECRETARY,
                *front_line,
            }
        ),
        Role.STREET_OFFICE: frozenset({Role.COMMUNITY_SECRETARY, *front_line}),
        Role.COMMUNITY_SECRETARY: frozenset(front_line),
    }


def grantable_roles(user: User | AnonymousUser, area: Area) -> set[str]:
    """The roles `user` may grant at `area`. A role equal to the granter's own is only
    grantable strictly below the granter's area (a command names a district command,
    not a second command beside itself)."""
    table = _grantable()
    result: set[str] = set()
    for assignment in assignments(user):
        if not area.path.startswith(assignment.area.path):
            continue
        for role in table.get(assignment.role, frozenset()):
            if role != assignment.role or len(area.path) > len(assignment.area.path):
                result.add(role)
    return result


def grantable_anywhere(user: User | AnonymousUser) -> set[str]:
    """Every role the user may grant somewhere in their scope (for choice lists)."""
    table = _grantable()
    return {role for a in assignments(user) for role in table.get(a.role, frozenset())}


def may_grant(user: User | AnonymousUser, role: str, area: Area) -> bool:
    return role in grantable_roles(user, area)


# Actions that show personal data in full: whoever may do one of them anywhere must
# use a second factor, and prove it again shortly before doing it (step-up).
MFA_ACTIONS = (Action.PII_REVEAL, Action.PII_EXPORT)


def requires_mfa(user: User | AnonymousUser) -> bool:
    """Whether the user's roles let them reveal or export personal data in full."""
    return any(scope_paths(user, action) for action in MFA_ACTIONS)


def may_reset_mfa(actor: User | AnonymousUser, user: User) -> bool:
    """Whoever may grant one of the user's roles where they hold it may also reset the
    user's second factor (for a lost phone); nobody resets their own."""
    if actor.pk == user.pk:
        return False
    return any(may_grant(actor, a.role, a.area) for a in assignments(user))


def assignments(user: User | AnonymousUser) -> list[RoleAssignment]:
    """The user's role assignments, read once per request object."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached: list[RoleAssignment] | None = getattr(user, "_jijie_assignments", None)
    if cached is None:
        cached = list(user.role_assignments.select_related("area").order_by("area__path", "role"))
        setattr(user, "_jijie_assignments", cached)  # noqa: B010 - a per-request cache
        setattr(user, "_jijie_scopes", {})  # noqa: B010 - scope_paths', made from these
    return cached


def forget(user: User) -> None:
    """Drop the cached assignments (and the scopes made from them) after they change."""
    for name in ("_jijie_assignments", "_jijie_scopes"):
        if hasattr(user, name):
            delattr(user, name)


def roles(user: User | AnonymousUser) -> list[str]:
    return sorted({a.role for a in assignments(user)})


def minimal_paths(paths: Iterable[str]) -> list[str]:
    """Drop paths that lie under another path of the set."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result


def scope_paths(user: User | AnonymousUser, action: Action = Action.AREA_VIEW) -> list[str]:
    """Paths of the subtrees where `user` may do `action` (made once per request object
    and action: the menu alone asks for twenty)."""
    held = assignments(user)
    # None when there is nothing to keep them beside (signed out, inactive).
    scopes: dict[Action, list[str]] | None = getattr(user, "_jijie_scopes", None)
    found = scopes.get(action) if scopes is not None else None
    if found is None:
        found = minimal_paths(a.area.path for a in held if action in role_actions(a.role))
        if scopes is not None:
            scopes[action] = found
    return list(found)


@cache
def roles_with(action: Action) -> tuple[str, ...]:
    """The roles that allow `action`, wherever they are held."""
    return tuple(sorted(role for role in Role.values if action in role_actions(role)))


def may_path_sql(action: Action, *, user: str, path: str) -> tuple[str, list[str]]:
    """`may_path` as a SQL condition and its parameters, for a hot path that decides in
    the statement that reads its record: true where the user whose id is the SQL
    expression `user` holds, over an area whose path begins the SQL expression `path`, a
    role that allows `action`."""
    roles = roles_with(action)
    if not roles:
        return "1 = 0", []
    marks = ", ".join(["%s"] * len(roles))
    return (
        "EXISTS (SELECT 1 FROM accounts_roleassignment held"  # noqa: S608 - the caller's columns
        " JOIN areas_area held_area ON held_area.id = held.area_id"
        f" WHERE held.user_id = {user} AND held.role IN ({marks})"
        f" AND substr({path}, 1, length(held_area.path)) = held_area.path)",
        list(roles),
    )


def path_filter(
    user: User | AnonymousUser, action: Action = Action.AREA_VIEW, *, path_field: str = "path"
) -> Q:
    paths = scope_paths(user, action)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{path_field}__startswith": path})
    return q


def scoped(
    queryset: models.QuerySet[M],
    user: User | AnonymousUser,
    action: Action = Action.AREA_VIEW,
    *,
    path_field: str = "path",
) -> models.QuerySet[M]:
    """`queryset` narrowed to the records under the areas where `user` may do `action`."""
    return queryset.filter(path_filter(user, action, path_field=path_field))


def visible_areas(user: User | AnonymousUser) -> models.QuerySet[Area]:
    return scoped(Area.objects.all(), user, Action.AREA_VIEW)


def scope_roots(user: User | AnonymousUser, action: Action = Action.AREA_VIEW) -> list[Area]:
    """The areas at the top of the user's scope for `action`, by path. Each is the area
    of one of the user's assignments, read with them: no query of its own."""
    paths = set(scope_paths(user, action))
    roots = {a.area.path: a.area for a in assignments(user) if a.area.path in paths}
    return [roots[path] for path in sorted(roots)]


def may(user: User | AnonymousUser, action: Action, area: Area) -> bool:
    return may_path(user, action, area.path)


def may_path(user: User | AnonymousUser, action: Action, path: str) -> bool:
    """`may` for a record that carries its area's path."""
    return any(path.startswith(p) for p in scope_paths(user, action))


def require(user: User | AnonymousUser, action: Action, area: Area) -> None:
    """Raise 404 when `area` is out of the user's sight, 403 when the role is too low."""
    if not may(user, Action.AREA_VIEW, area) and not may(user, action, area):
        raise Http404
    if not may(user, action, area):
        raise PermissionDenied(_("您的角色不能在“%(area)s”执行此操作。") % {"area": area.name})


def require_path(user: User | AnonymousUser, action: Action, path: str) -> None:
    """`require` for a record that carries its area's path (households, people...)."""
    paths_seen = scope_paths(user, Action.AREA_VIEW) + scope_paths(user, action)
    if not any(path.startswith(p) for p in paths_seen):
        raise Http404
    if not any(path.startswith(p) for p in scope_paths(user, action)):
        raise PermissionDenied(_("您的角色不能进行此操作。"))


def area_for(user: User | AnonymousUser, code: str, action: Action = Action.AREA_VIEW) -> Area:
    """The area with `code` if the user may do `action` there.

    A malformed code is a 400 with the reason; a well-formed code that is unknown or out
    of scope is the same 404; a visible area where the role may not act is a 403.
    """
    if not codes.is_well_formed(code):
        raise BadRequest(
            _("区域代码“%(code)s”格式不正确:应为 6 位或 12 位数字,网格和楼栋再加“-编号”。")
            % {"code": code[:40]}
        )
    area = visible_areas(user).filter(code=code).first()
    if area is None:
        raise Http404(_("没有找到代码为“%(code)s”的区域,或它不在您的管辖范围内。") % {"code": code})
    require(user, action, area)
    return area


def audit_filter(user: User | AnonymousUser) -> Q:
    """Audit rows the user may read: those of areas in their audit scope, and rows with no
    area (logins, tokens) only for auditors whose scope is a whole city."""
    paths = scope_paths(user, Action.AUDIT_VIEW)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(area_path__startswith=path)
    if any(len(path) == Area.steplen for path in paths):
        q |= Q(area_path="")
    return q
