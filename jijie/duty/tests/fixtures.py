"""Fixtures of duty: post types, members deployed to or living in 新港路社区, and a
demand there starting tomorrow (two 12-hour shifts a day)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from conftest import Tree, make_user
from jijie.accounts.models import User
from jijie.audit.actors import SYSTEM
from jijie.duty import catalogue, services
from jijie.duty.models import Demand, Participation, PostType, Shift
from jijie.mobilization import services as mobilization
from jijie.mobilization.models import Member
from jijie.mobilization.tests.fixtures import Mob, member, sign_up


def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


@dataclass
class Posts:
    guard: PostType  # 卡口值守: anyone
    transport: PostType  # 转运: drivers
    vanguard: PostType  # 党员先锋岗: party members only


@pytest.fixture
def posts(db: None) -> Posts:
    """The catalogue's post types (installed by the migrations; again here, since a
    transactional test empties the tables)."""
    catalogue.install()
    return Posts(
        PostType.objects.get(code="checkpoint"),
        PostType.objects.get(code="transport"),
        PostType.objects.get(code="vanguard"),
    )


def deployed(
    mob: Mob, n: int, community, *, days: int = 30, start: date | None = None, **kwargs
) -> Member:
    """A member signed up, approved and deployed to `community` from `start` for `days`."""
    start = start or timezone.localdate()
    entry = sign_up(mob.call_up, n, **kwargs)
    entry = mobilization.do_sign_up_approve(actor=SYSTEM, sign_up=entry)
    mobilization.do_deployment_create(
        actor=SYSTEM,
        sign_up=entry,
        community=community,
        starts_on=start,
        ends_on=start + timedelta(days=days - 1),
    )
    return entry.member


def resident(n: int, tree: Tree, **kwargs) -> Member:
    """A member living in 新港路社区 (双报到 there)."""
    return member(n, residence=tree.community, **kwargs)


def with_account(someone: Member, username: str) -> Member:
    someone.user = make_user(username)
    someone.save(update_fields=["user"])
    return someone


def user_of(someone: Member) -> User:
    assert someone.user is not None
    return someone.user


def claim(someone: Member, shift: Shift) -> Participation:
    return services.shift_claim(actor=user_of(someone), shift=shift)


def demand(
    community,
    post_type: PostType,
    *,
    days: int = 2,
    per_day: int = 2,
    hours: int = 12,
    low: int = 1,
    high: int = 2,
    start: date | None = None,
    at: time = time(8, 0),
) -> Demand:
    return services.do_demand_create(
        actor=SYSTEM,
        community=community,
        post_type=post_type,
        place="东门卡口",
        schedule=services.Schedule(
            starts_on=start or tomorrow(),
            days=days,
            first_shift_at=at,
            shifts_per_day=per_day,
            shift_hours=hours,
            min_per_shift=low,
            max_per_shift=high,
        ),
    )


def shifts(d: Demand) -> list[Shift]:
    return list(d.shifts.order_by("starts_at"))
