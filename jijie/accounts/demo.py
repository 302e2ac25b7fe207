"""Demo step: one account per role, each on the part of the demo city it serves, plus a
second community secretary in a sibling community to show what an outsider sees."""

from __future__ import annotations

from django.db import transaction

from jijie.accounts.models import User
from jijie.accounts.services import do_role_assign
from jijie.areas.models import Area
from jijie.areas.roles import Role
from jijie.audit.actors import SYSTEM
from jijie.core.demo import DemoAccount, DemoContext

ORDER = 20
DEMO_PASSWORD = "jijie-demo-2026"  # noqa: S105 - printed for the demo; never in production

# (username, full name, role, area code)
ACCOUNTS = [
    ("city_command", "市指挥部", Role.COMMAND, "441600"),
    ("district_command", "区指挥部", Role.COMMAND, "441602"),
    ("committee", "区直机关工委", Role.WORKING_COMMITTEE, "441602"),
    ("street_yuanxi", "源西街道办", Role.STREET_OFFICE, "441602004000"),
    ("secretary_xingang", "新港路社区书记", Role.COMMUNITY_SECRETARY, "441602004001"),
    ("secretary_xinjiang3", "新江三路社区书记", Role.COMMUNITY_SECRETARY, "441602004002"),
    ("worker_xingang", "新港路社区工作者", Role.COMMUNITY_WORKER, "441602004001"),
    ("grid_xingang01", "新港路第01网格员", Role.GRID_WORKER, "441602004001-01"),
    ("guard_xingang", "新港路卡口值守", Role.GATE_GUARD, "441602004001"),
    ("member_demo", "党员志愿者", Role.MEMBER, "441602004001"),
    ("inspector", "区督查组", Role.INSPECTOR, "441602"),
    ("auditor", "审计员", Role.AUDITOR, "441600"),
]


@transaction.atomic
def populate(ctx: DemoContext) -> None:
    for username, full_name, role, code in ACCOUNTS:
        area = Area.objects.get(code=code)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username=username, full_name=full_name)
        # Reset each run, so the printed password always works; a demo database made
        # before accounts enrolled at sign-in lets a reviewer look around first too
        # (README: they are asked to enrol at their first reveal).
        user.set_password(DEMO_PASSWORD)
        user.mfa_enrolment_required = False
        user.save(update_fields=["password", "mfa_enrolment_required"])
        do_role_assign(actor=SYSTEM, user=user, role=role, area=area)
        ctx.accounts.append(
            DemoAccount(
                role=str(Role(role).label),
                username=username,
                password=DEMO_PASSWORD,
                scope=area.name,
            )
        )
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create_superuser(username="admin", full_name="系统管理员")
    admin.set_password(DEMO_PASSWORD)
    admin.save(update_fields=["password"])
    ctx.accounts.append(
        DemoAccount(
            role="系统管理员 (/admin/)", username="admin", password=DEMO_PASSWORD, scope="—"
        )
    )
