"""The gates' cards on a guard's home: each gate they keep, straight to its scan page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.roles import Role
from jijie.core.home import Card, provides_home
from jijie.gates.models import Gate

if TYPE_CHECKING:
    from jijie.accounts.models import User

GATES_SHOWN = 6


@provides_home
def guard_gates(user: User) -> list[Card]:
    if Role.GATE_GUARD not in access.roles(user):
        return []
    gates = access.scoped(Gate.objects.all(), user, Action.GATE_SCAN, path_field="area_path")
    return [
        Card(
            title=gate.name,
            url=reverse("gates:scan", args=[gate.pk]),
            action=_("扫码登记"),
            note=gate.area.name,
            key="gate",
            order=10,
        )
        for gate in gates.select_related("area").order_by("area_path", "name")[:GATES_SHOWN]
    ]
