"""The roles a user holds over an area (`accounts.RoleAssignment`): here, below the
accounts, because the access rules (`areas.access`) are written in them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMAND = "command", _("指挥部")
    WORKING_COMMITTEE = "working_committee", _("机关工委")
    STREET_OFFICE = "street_office", _("街道办")
    COMMUNITY_SECRETARY = "community_secretary", _("社区书记")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    GRID_WORKER = "grid_worker", _("网格员")
    GATE_GUARD = "gate_guard", _("卡口值守")
    MEMBER = "member", _("党员/干部/志愿者")
    INSPECTOR = "inspector", _("督查组")
    AUDITOR = "auditor", _("审计")
