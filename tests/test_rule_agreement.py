"""The rules the scan lane decides in SQL agree with their ORM and Python forms, on
random data (PostgreSQL). Each pair has one owner that emits both forms:

- who may do what where: `areas.access.may_path` and `access.may_path_sql`;
- a live token that may call a part of the API: `accounts.tokens.live_q` with
  `tokens.may_call`, and `tokens.live_sql`;
- the response in force over an area: `responses.selectors.in_force_over` and
  `in_force_over_sql`.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from conftest import make_user
from jijie.accounts import tokens
from jijie.accounts.models import ApiToken, RoleAssignment
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.areas.roles import Role
from jijie.responses import selectors as response_selectors
from jijie.responses.models import Response, ResponseLevel, ResponseStatus

pytestmark = [pytest.mark.postgres_only("the scan lane's SQL"), pytest.mark.django_db]

SEEDS = range(4)
NOW = datetime(2027, 3, 16, 12, 30, tzinfo=UTC)  # the clock stands still here


def _rows(sql: str, params: list[object]) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.mark.parametrize("seed", SEEDS)
def test_may_path_and_its_sql_agree(tree, seed):
    rng = random.Random(seed)
    areas = list(Area.objects.order_by("path"))
    users = []
    for n in range(6):
        user = make_user(f"u{seed}-{n}")
        for _ in range(rng.randint(0, 3)):
            RoleAssignment.objects.get_or_create(
                user=user, role=rng.choice(Role.values), area=rng.choice(areas)
            )
        users.append(user)
    for action in Action:
        sql, params = access.may_path_sql(action, user="u.id", path="a.path")
        found = {
            (user_id, path): bool(allowed)
            for user_id, path, allowed in _rows(
                f"SELECT u.id, a.path, {sql} FROM accounts_user u CROSS JOIN areas_area a"  # noqa: S608 - ours
                " WHERE u.id = ANY(%s)",
                [*params, [u.pk for u in users]],
            )
        }
        for user in users:
            access.forget(user)
            for area in areas:
                assert found[(user.pk, area.path)] == access.may_path(user, action, area.path), (
                    action,
                    user.username,
                    area.path,
                )


@pytest.mark.parametrize("seed", SEEDS)
def test_a_live_token_and_its_sql_agree(db, seed, time_machine):
    rng = random.Random(seed)
    time_machine.move_to(NOW, tick=False)
    now = timezone.now()
    for n in range(40):
        user = make_user(f"t{seed}-{n}")
        user.is_active = rng.random() > 0.2
        user.password_change_required = rng.random() < 0.2
        user.mfa_enrolment_required = rng.random() < 0.2
        user.save()
        for m in range(rng.randint(1, 3)):
            ApiToken.objects.create(
                user=user,
                name="phone",
                scopes=rng.sample(tokens.ALL_SCOPES, rng.randint(0, len(tokens.ALL_SCOPES))),
                prefix="x",
                key_hash=f"{seed}-{n}-{m}",
                # on either side of now, and now itself (not live: expiry is exclusive)
                expires_at=now + rng.choice([timedelta(days=-1), timedelta(0), timedelta(days=1)]),
                revoked_at=rng.choice([None, now - timedelta(hours=1)]),
            )
    for scope in (*tokens.ALL_SCOPES, tokens.ALWAYS_OPEN):
        by_orm = {
            t.pk
            for t in ApiToken.objects.filter(tokens.live_q(now)).select_related("user")
            if tokens.may_call(t, scope)
        }
        by_sql = {
            row[0]
            for row in _rows(
                "SELECT t.id FROM accounts_apitoken t JOIN accounts_user u ON u.id = t.user_id"  # noqa: S608 - ours
                f" WHERE {tokens.live_sql(now='%s', scope=scope)}",
                [now],
            )
        }
        assert by_sql == by_orm, scope
        assert by_orm  # the data holds live tokens for every scope


@pytest.mark.parametrize("seed", SEEDS)
def test_the_response_in_force_and_its_sql_agree(tree, seed, time_machine):
    rng = random.Random(seed)
    areas = list(Area.objects.order_by("path"))
    time_machine.move_to(NOW, tick=False)
    start = timezone.now()
    for n in range(12):
        area = rng.choice(areas)
        closed = rng.random() < 0.3
        Response.objects.create(
            name=f"r{n}",
            area=area,
            area_path=area.path,
            level=rng.choice(ResponseLevel.values),
            status=ResponseStatus.CLOSED if closed else ResponseStatus.ACTIVE,
            closed_at=start if closed else None,
            # few instants, so that two responses over one area often start together
            started_at=start - timedelta(hours=rng.randint(0, 3)),
        )
    sql, params = response_selectors.in_force_over_sql("a.path")
    by_sql = dict(_rows(f"SELECT a.path, {sql} FROM areas_area a", params))  # noqa: S608 - ours
    for area in areas:
        first = response_selectors.in_force_over([area.path]).first()
        assert by_sql[area.path] == (first.pk if first else None), area.path
    assert any(by_sql.values())
