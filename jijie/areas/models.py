from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager

from jijie.core.models import PrefixRange


class AreaKind(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区县")
    STREET = "street", _("街道")
    TOWN = "town", _("镇")
    COMMUNITY = "community", _("社区")
    VILLAGE = "village", _("村")
    GRID = "grid", _("网格")
    BUILDING = "building", _("楼栋")


# The level where people are sent, demands are posted and boards are kept.
COMMUNITY_KINDS = (AreaKind.COMMUNITY, AreaKind.VILLAGE)

# Which kinds a node of each kind may hold; the tree's shape is fixed by this table.
CHILD_KINDS: dict[str, tuple[str, ...]] = {
    AreaKind.CITY: (AreaKind.DISTRICT,),
    AreaKind.DISTRICT: (AreaKind.STREET, AreaKind.TOWN),
    AreaKind.STREET: (AreaKind.COMMUNITY,),
    AreaKind.TOWN: (AreaKind.COMMUNITY, AreaKind.VILLAGE),
    AreaKind.COMMUNITY: (AreaKind.GRID,),
    AreaKind.VILLAGE: (AreaKind.GRID,),
    AreaKind.GRID: (AreaKind.BUILDING,),
    AreaKind.BUILDING: (),
}
# The depth each kind lives at (1 = city), so a kind can be checked without the parent.
KIND_DEPTH: dict[str, int] = {
    AreaKind.CITY: 1,
    AreaKind.DISTRICT: 2,
    AreaKind.STREET: 3,
    AreaKind.TOWN: 3,
    AreaKind.COMMUNITY: 4,
    AreaKind.VILLAGE: 4,
    AreaKind.GRID: 5,
    AreaKind.BUILDING: 6,
}
# Levels, for roll-ups: a town counts with streets, a village with communities.
LEVEL_KINDS: dict[int, tuple[str, ...]] = {
    depth: tuple(k for k, d in KIND_DEPTH.items() if d == depth) for depth in range(1, 7)
}


class Area(MP_Node):
    """A node of the area tree.

    `path` (materialised, 4 characters a level) is what every scoped query filters on:
    "everything under this street" is `path LIKE '<street path>%'`, one index range.
    `code` is GB/T 2260 (city, district), the 12-digit statistical division code
    (street/town, community/village), then local codes (grid, building).
    """

    steplen = 4

    objects: ClassVar[MP_NodeManager[Area]] = MP_NodeManager()  # type: ignore[assignment]

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=AreaKind.choices)
    code = models.CharField(_("代码"), max_length=32, unique=True)
    # Dwellings (户数) a building holds; the roll-ups sum it up the tree.
    dwelling_count = models.PositiveIntegerField(_("户数"), default=0)
    compound = models.ForeignKey(
        "Compound",
        verbose_name=_("小区"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="buildings",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        # `path` is unique, so it is indexed; on PostgreSQL Django adds a second,
        # varchar_pattern_ops index that serves prefix scans (LIKE 'abc%') whatever the
        # database collation (see bench/results/areas.md for the plan).
        indexes = [
            models.Index(fields=["kind", "depth"], name="area_kind_depth_idx"),
            # An area's children (depth = d, path in its range) without reading the
            # rest of its subtree, and its subtree's counts from the index alone
            # (`selectors.children_counts` on SQLite).
            models.Index(fields=["depth", "path", "dwelling_count"], name="area_depth_path_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="building") | models.Q(dwelling_count=0),
                name="area_dwellings_only_on_buildings",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def child_kinds(self) -> tuple[str, ...]:
        return CHILD_KINDS[self.kind]

    def ancestor_path(self, depth: int) -> str:
        """The path of this area's ancestor at `depth` (1 = city)."""
        return self.path[: depth * self.steplen]

    def community_id_above(self) -> int | None:
        """The id of the community/village this grid or building belongs to."""
        if self.depth <= KIND_DEPTH[AreaKind.COMMUNITY]:
            return None
        path = self.ancestor_path(KIND_DEPTH[AreaKind.COMMUNITY])
        return Area.objects.filter(path=path).values_list("pk", flat=True).first()


def community_path_of(path: str) -> str:
    """The path of the community or village an area (a grid, a building, a household's
    area) belongs to; a shorter path when the area is above community level."""
    return path[: KIND_DEPTH[AreaKind.COMMUNITY] * Area.steplen]


# "Everything under this area" as an index range on SQLite too (`PrefixRange`): paths
# are digits and capitals, compared there byte by byte.
Area._meta.get_field("path").register_lookup(PrefixRange)


class Compound(models.Model):
    """A residential compound (小区): groups buildings of one community and owns gates."""

    community = models.ForeignKey(
        Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="compounds"
    )
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("代码"), max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="compound_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
