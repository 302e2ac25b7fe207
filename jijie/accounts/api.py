from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from jijie.accounts.models import User
from jijie.areas import access

router = Router(tags=["accounts"])


class RoleOut(Schema):
    role: str
    role_label: str
    area_code: str
    area_name: str


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[RoleOut]


@router.get("/me", response=MeOut, summary="The signed-in user and their roles")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    assert isinstance(user, User)
    return MeOut(
        username=user.username,
        full_name=user.full_name,
        roles=[
            RoleOut(
                role=a.role,
                role_label=str(a.get_role_display()),
                area_code=a.area.code,
                area_name=a.area.name,
            )
            for a in access.assignments(user)
        ],
    )
