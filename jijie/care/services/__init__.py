"""Writes of care: isolation cases (open, extend, end, supervisor), follow-ups and the
alerts they raise, the escalation of missed follow-ups and overdue errands, errands
through their states, hardship care plans and visits.

Each comes in two steps (docs/architecture.md): a checked entry (`case_open`) takes a
user and checks access once, then ends in its write (`do_case_open`), which takes whoever
acts, a user or `SYSTEM`, and writes in one transaction with its audit row (never with
temperatures or symptoms in it).

A case's household carries the registry's home-isolation flag (联三户) while a case of
it is open. Callers import from here; the modules are the parts."""

from jijie.care.services.alerts import (
    ESCALATE_BATCH,
    Escalation,
    alert_resolve,
    do_alert_resolve,
    escalate,
    escalate_days,
)
from jijie.care.services.base import serves
from jijie.care.services.cases import (
    MAX_DAYS,
    MAX_EXTENSION_DAYS,
    CaseData,
    case_end,
    case_extend,
    case_open,
    case_supervisor_set,
    do_case_end,
    do_case_extend,
    do_case_open,
    do_case_supervisor_set,
    is_supervisor,
    require_record,
)
from jijie.care.services.errands import (
    ERRAND_DEFAULT_MAX_MINUTES,
    ERRAND_MAX_MINUTES,
    ERRAND_MAX_MONEY,
    ErrandData,
    do_errand_accept,
    do_errand_assign,
    do_errand_cancel,
    do_errand_claim,
    do_errand_confirm,
    do_errand_create,
    do_errand_done,
    do_errand_release,
    errand_accept,
    errand_assign,
    errand_cancel,
    errand_claim,
    errand_confirm,
    errand_create,
    errand_done,
    errand_release,
)
from jijie.care.services.follow_ups import FollowUpData, do_follow_up_record, follow_up_record
from jijie.care.services.plans import (
    care_plan_close,
    care_plan_create,
    care_visit_record,
    do_care_plan_close,
    do_care_plan_create,
    do_care_visit_record,
)

__all__ = [
    "ERRAND_DEFAULT_MAX_MINUTES",
    "ERRAND_MAX_MINUTES",
    "ERRAND_MAX_MONEY",
    "ESCALATE_BATCH",
    "MAX_DAYS",
    "MAX_EXTENSION_DAYS",
    "CaseData",
    "ErrandData",
    "Escalation",
    "FollowUpData",
    "alert_resolve",
    "care_plan_close",
    "care_plan_create",
    "care_visit_record",
    "case_end",
    "case_extend",
    "case_open",
    "case_supervisor_set",
    "do_alert_resolve",
    "do_care_plan_close",
    "do_care_plan_create",
    "do_care_visit_record",
    "do_case_end",
    "do_case_extend",
    "do_case_open",
    "do_case_supervisor_set",
    "do_errand_accept",
    "do_errand_assign",
    "do_errand_cancel",
    "do_errand_claim",
    "do_errand_confirm",
    "do_errand_create",
    "do_errand_done",
    "do_errand_release",
    "do_follow_up_record",
    "errand_accept",
    "errand_assign",
    "errand_cancel",
    "errand_claim",
    "errand_confirm",
    "errand_create",
    "errand_done",
    "errand_release",
    "escalate",
    "escalate_days",
    "follow_up_record",
    "is_supervisor",
    "require_record",
    "serves",
]
