"""What several writes of care share: an area from its path, the checks of free text
and of a choice, and whether a member serves in a community on a day."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jijie.areas.models import Area
from jijie.mobilization.models import Deployment, DeploymentStatus, Member

if TYPE_CHECKING:
    pass


def _area(path: str) -> Area:
    return Area(path=path)


def _text(value: str, field: str, label: str, limit: int) -> str:
    text = value.strip()
    if not text:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(text) > limit:
        raise ValidationError(
            {field: _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": limit}}
        )
    return text


def _choice(value: str, values: list[str], field: str) -> None:
    if value not in values:
        raise ValidationError({field: _("“%(value)s”不是可选的值。") % {"value": value}})


def serves(member: Member, community_path: str, day: date) -> bool:
    """Whether a member may act in a community on a day: deployed there (下沉) for that
    day, or living there (双报到)."""
    if member.residence_path.startswith(community_path):
        return True
    return Deployment.objects.filter(
        member=member,
        status=DeploymentStatus.ACTIVE,
        community_path=community_path,
        starts_on__lte=day,
        ends_on__gte=day,
    ).exists()
