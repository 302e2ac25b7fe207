"""Writes of mobilization: organisations, members, call-ups, sign-ups and their
screening, deployments and teams. Each comes in two steps (docs/architecture.md): a
checked entry (`call_up_issue`) takes a user and checks access once, then calls the
write (`do_call_up_issue`), which checks nothing and writes in one transaction with its
audit row. Plain ID numbers and phones pass through here only (as in the registry).
Callers import from here; the modules are the parts (see `moves` for the states a
sign-up goes through)."""

from jijie.mobilization.services.base import (
    UPDATE_CHUNK,
    area_of,
    check_community,
    require_manage,
    require_member_edit,
)
from jijie.mobilization.services.call_ups import (
    Screened,
    ScreeningRules,
    SignUpData,
    Target,
    call_up_close,
    call_up_issue,
    do_call_up_close,
    do_call_up_issue,
    do_screening_apply,
    do_sign_up_receive,
    do_sign_up_submit,
    screening_apply,
    screening_reasons,
)
from jijie.mobilization.services.claims import (
    do_member_claim_approve,
    do_member_claim_decline,
    member_claim_approve,
    member_claim_decline,
    member_notices_read,
)
from jijie.mobilization.services.deployments import (
    check_period,
    deployment_create,
    deployment_end,
    do_deployment_create,
    do_deployment_end,
    do_sign_up_end,
    overlap_error,
    sign_up_end,
)
from jijie.mobilization.services.members import (
    MemberData,
    SavedMember,
    do_member_register,
    do_member_update,
    member_register,
    member_update,
)
from jijie.mobilization.services.moves import (
    TRANSITIONS,
    do_sign_up_approve,
    do_sign_up_decline,
    do_sign_up_withdraw,
    sign_up_approve,
    sign_up_decline,
    sign_up_withdraw,
)
from jijie.mobilization.services.organisations import (
    do_organisation_admin_grant,
    do_organisation_create,
    do_organisation_leader_add,
    do_pairing_create,
    organisation_admin_grant,
    organisation_create,
    organisation_leader_add,
    pairing_create,
)
from jijie.mobilization.services.teams import do_team_create, team_create
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
    "do_call_up_close",
    "do_call_up_issue",
    "do_deployment_create",
    "do_deployment_end",
    "do_member_claim_approve",
    "do_member_claim_decline",
    "do_member_register",
    "do_member_update",
    "do_organisation_admin_grant",
    "do_organisation_create",
    "do_organisation_leader_add",
    "do_pairing_create",
    "do_screening_apply",
    "do_sign_up_approve",
    "do_sign_up_decline",
    "do_sign_up_end",
    "do_sign_up_receive",
    "do_sign_up_submit",
    "do_sign_up_withdraw",
    "do_team_create",
    "member_claim_approve",
    "member_claim_decline",
    "member_notices_read",
    "member_register",
    "member_update",
    "organisation_admin_grant",
    "organisation_create",
    "organisation_leader_add",
    "overlap_error",
    "pairing_create",
    "require_manage",
    "require_member_edit",
    "screening_apply",
    "screening_reasons",
    "sign_up_approve",
    "sign_up_attempt",
    "sign_up_decline",
    "sign_up_end",
    "sign_up_too_often",
    "sign_up_withdraw",
    "team_create",
]
