"""Writes of mobilization: organisations, members, call-ups, sign-ups and their
screening, deployments and teams. Each checks first, then writes in one transaction with
its audit row. Plain ID numbers and phones pass through here only (as in the registry).
Callers import from here; the modules are the parts (see `moves` for the states a
sign-up goes through)."""

from jijie.mobilization.services.base import (
    UPDATE_CHUNK,
    area_of,
    check_community,
    require_manage,
    unit_of,
)
from jijie.mobilization.services.call_ups import (
    Screened,
    ScreeningRules,
    SignUpData,
    Target,
    call_up_close,
    call_up_issue,
    screening_apply,
    screening_reasons,
    sign_up_open,
    sign_up_receive,
    sign_up_submit,
)
from jijie.mobilization.services.claims import (
    member_claim_approve,
    member_claim_decline,
    member_claim_open,
    member_notices_read,
)
from jijie.mobilization.services.deployments import (
    check_period,
    deployment_create,
    deployment_end,
    overlap_error,
    overlap_of,
    quota_left,
    sign_up_end,
)
from jijie.mobilization.services.members import (
    MemberData,
    SavedMember,
    member_register,
    member_update,
)
from jijie.mobilization.services.moves import (
    TRANSITIONS,
    sign_up_approve,
    sign_up_decline,
    sign_up_withdraw,
)
from jijie.mobilization.services.organisations import (
    organisation_admin_grant,
    organisation_create,
    organisation_leader_add,
    pairing_create,
)
from jijie.mobilization.services.teams import team_create
from jijie.mobilization.services.throttle import sign_up_attempt, sign_up_too_often

__all__ = [
    "TRANSITIONS",
    "UPDATE_CHUNK",
    "MemberData",
    "SavedMember",
    "Screened",
    "ScreeningRules",
    "SignUpData",
    "Target",
    "area_of",
    "call_up_close",
    "call_up_issue",
    "check_community",
    "check_period",
    "deployment_create",
    "deployment_end",
    "member_claim_approve",
    "member_claim_decline",
    "member_claim_open",
    "member_notices_read",
    "member_register",
    "member_update",
    "organisation_admin_grant",
    "organisation_create",
    "organisation_leader_add",
    "overlap_error",
    "overlap_of",
    "pairing_create",
    "quota_left",
    "require_manage",
    "screening_apply",
    "screening_reasons",
    "sign_up_approve",
    "sign_up_attempt",
    "sign_up_decline",
    "sign_up_end",
    "sign_up_open",
    "sign_up_receive",
    "sign_up_submit",
    "sign_up_too_often",
    "sign_up_withdraw",
    "team_create",
    "unit_of",
]
