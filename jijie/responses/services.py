"""Activating and closing responses; both audited. Each in two steps: the checked entry
takes a user and checks `access` once, the write (`do_*`) checks nothing and is what the
system (`SYSTEM`) calls."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.actors import Actor, account_of
from jijie.audit.services import audit_record
from jijie.responses.models import Response, ResponseLevel, ResponseStatus

if TYPE_CHECKING:
    from jijie.accounts.models import User

MAX_RETENTION_DAYS = 365


def response_activate(
    *, actor: User, area: Area, name: str, level: str, retention_days: int = 30
) -> Response:
    """Start a response over `area`, where `actor` is a command (its own area or
    below)."""
    access.require(actor, Action.RESPONSE_MANAGE, area)
    return do_response_activate(
        actor=actor, area=area, name=name, level=level, retention_days=retention_days
    )


@transaction.atomic
def do_response_activate(
    *, actor: Actor, area: Area, name: str, level: str, retention_days: int = 30
) -> Response:
    """Start a response over `area`. Takes no lock: two responses of one name over one
    area are refused by the table's unique constraint."""
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = _("名称不能为空。")
    elif Response.objects.filter(area=area, name=name).exists():
        errors["name"] = _("“%(area)s”已有名为“%(name)s”的响应。") % {
            "area": area.name,
            "name": name,
        }
    if level not in ResponseLevel.values:
        errors["level"] = _("“%(value)s”不是可选的值。") % {"value": level}
    if not 1 <= retention_days <= MAX_RETENTION_DAYS:
        errors["retention_days"] = _("保留天数应在 1 到 %(max)s 天之间。") % {
            "max": MAX_RETENTION_DAYS
        }
    if errors:
        raise ValidationError(errors)
    response = Response.objects.create(
        name=name,
        area=area,
        area_path=area.path,
        level=level,
        started_at=timezone.now(),
        retention_days=retention_days,
        created_by=account_of(actor),
    )
    audit_record(
        actor=actor,
        action="response.activate",
        target=response,
        area=area,
        data={"level": level, "retention_days": retention_days},
    )
    return response


def response_close(*, actor: User, response: Response) -> Response:
    """End a response `actor` found through `selectors` (it is in sight), which takes a
    command over its whole area."""
    if not access.may(actor, Action.RESPONSE_MANAGE, Area(path=response.area_path)):
        raise PermissionDenied(_("只有该区域的指挥部可以结束此响应。"))
    return do_response_close(actor=actor, response=response)


@transaction.atomic
def do_response_close(*, actor: Actor, response: Response) -> Response:
    """End a response; its sensitive data becomes due for purging after the retention.
    Locks the response's row."""
    current = Response.objects.select_for_update().get(pk=response.pk)
    if current.status == ResponseStatus.CLOSED:
        raise ValidationError(_("该响应已经结束。"))
    now = timezone.now()
    current.status = ResponseStatus.CLOSED
    current.closed_at = now
    current.purge_after = now + timedelta(days=current.retention_days)
    current.save()
    audit_record(
        actor=actor, action="response.close", target=current, area=Area(path=current.area_path)
    )
    return current
