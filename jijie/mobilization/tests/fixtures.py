"""Fixtures of mobilization: a working committee over 源城区 with two units (each with a
branch), its members, a response and a call-up for two communities of 源西街道; and the
members and sign-ups other apps' tests make with it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone
from stdnum.cn.ric import calc_check_digit

from conftest import Tree, make_user
from jijie.accounts.models import User
from jijie.areas.roles import Role
from jijie.audit.actors import NOBODY, SYSTEM
from jijie.mobilization import services
from jijie.mobilization.models import CallUp, Member, Organisation
from jijie.responses.models import Response
from jijie.responses.services import do_response_activate

START = date(2020, 2, 10)
END = date(2020, 3, 10)


def make_id(born: date, seq: int = 123) -> str:
    body = f"441602{born:%Y%m%d}{seq:03d}"
    return body + calc_check_digit(body + "0")


def phone_for(n: int) -> str:
    return f"139{n:08d}"


@dataclass
class Mob:
    committee: Organisation
    unit: Organisation  # 区财政局
    branch: Organisation  # its branch
    other_unit: Organisation  # 区教育局
    response: Response
    call_up: CallUp
    chair: User  # working committee over the district
    unit_admin: User  # admin of 区财政局
    other_admin: User  # admin of 区教育局


@pytest.fixture
def mob(tree: Tree) -> Mob:
    committee = services.do_organisation_create(
        actor=SYSTEM, name="区直机关工委", kind="working_committee", area=tree.district
    )
    unit = services.do_organisation_create(
        actor=SYSTEM, name="区财政局", kind="agency", area=tree.district, parent=committee
    )
    branch = services.do_organisation_create(
        actor=SYSTEM, name="区财政局机关党支部", kind="branch", area=tree.district, parent=unit
    )
    other = services.do_organisation_create(
        actor=SYSTEM, name="区教育局", kind="agency", area=tree.district, parent=committee
    )
    response = do_response_activate(actor=SYSTEM, area=tree.district, name="疫情防控", level="2")
    call_up = services.do_call_up_issue(
        actor=SYSTEM,
        response=response,
        organisation=committee,
        title="疫情防控集结号",
        quota=3,
        deadline=timezone.now() + timedelta(days=3),
        targets=[
            services.Target(tree.community, 2),
            services.Target(tree.sibling, 1),
        ],
        conditions="18 至 60 岁,身体健康",
    )
    chair = make_user("chair", Role.WORKING_COMMITTEE, tree.district)
    unit_admin = make_user("unitadmin")
    services.do_organisation_admin_grant(actor=SYSTEM, user=unit_admin, organisation=unit)
    other_admin = make_user("otheradmin")
    services.do_organisation_admin_grant(actor=SYSTEM, user=other_admin, organisation=other)
    return Mob(committee, unit, branch, other, response, call_up, chair, unit_admin, other_admin)


def member_data(
    n: int,
    *,
    organisation: Organisation | None = None,
    residence=None,
    born: date = date(1985, 5, 1),
    name: str = "",
    kind: str = "party_member",
) -> services.MemberData:
    return services.MemberData(
        name=name or f"队员{n}",
        kind=kind,
        document_number=make_id(born, n),
        phone=phone_for(n),
        organisation=organisation,
        residence=residence,
    )


def sign_up(
    call_up: CallUp,
    n: int,
    *,
    healthy: bool = True,
    **kwargs,
):
    return services.do_sign_up_submit(
        actor=NOBODY,
        call_up=call_up,
        data=services.SignUpData(member=member_data(n, **kwargs), health_declared=healthy),
    )


def member(n: int, **kwargs) -> Member:
    return services.do_member_register(actor=SYSTEM, data=member_data(n, **kwargs)).member


def without_csrf(response) -> str:
    """A page's text without its CSRF token, which is masked afresh on every answer."""
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())
