"""The reporting units' outlines for the report's map, as the deployment supplies them: a
GeoJSON FeatureCollection (RFC 7946) whose every feature names its unit by the area's
code in `properties.code` and draws it as a Polygon or MultiPolygon, longitude before
latitude. Surveying offices export that from their GIS; `manage.py reports_boundaries
FILE.geojson` loads it.

The file is checked whole before anything is stored (`read`): a feature with an
unknown code, a shape that is not an area, a coordinate that is not a number or not on
the globe, a ring that is open or too short — each is named by the feature's number and
code with the reason, and then nothing is loaded. A unit already drawn is drawn anew.
Coordinates are kept to six decimals (a decimetre): the map is drawn in a phone's page,
and a survey's millimetres would only make it heavier."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas.models import Area
from jijie.audit.actors import Actor
from jijie.audit.services import audit_record
from jijie.reports.indicators import UNIT_DEPTH
from jijie.reports.models import Boundary

# A city's communities drawn finely are a few megabytes; more is not a boundary file.
MAX_FILE_BYTES = 20 * 1024 * 1024
# The errors listed at most: a file wrong throughout is refused with its first ones.
MAX_ERRORS = 20
SHAPES = ("Polygon", "MultiPolygon")
DECIMALS = 6


@dataclass(frozen=True)
class Feature:
    """One checked feature: its number in the file (from 1), its unit and its shape."""

    number: int
    area: Area
    geometry: dict[str, Any]


class Refused(Exception):  # noqa: N818 - a refusal, shown to the user as it is
    """A feature's shape cannot be used; the message says where and why."""


def read(data: bytes) -> list[Feature]:
    """The features of a GeoJSON file, every one checked; a `ValidationError` listing
    each bad feature (number, code, reason) if any is bad."""
    return check(parse(data))


def check_size(size: int) -> None:
    """Refuse a file over the size limit (the command checks before reading it)."""
    if size > MAX_FILE_BYTES:
        raise ValidationError(
            _("文件太大(%(size)s MB),边界文件不能超过 %(limit)s MB。")
            % {"size": math.ceil(size / (1024 * 1024)), "limit": MAX_FILE_BYTES // (1024 * 1024)}
        )


def parse(data: bytes) -> Any:
    check_size(len(data))
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ValidationError(_("文件不是 UTF-8 编码的 GeoJSON。")) from error
    except json.JSONDecodeError as error:
        raise ValidationError(
            _("文件不是有效的 JSON:第 %(line)s 行第 %(column)s 列有误。")
            % {"line": error.lineno, "column": error.colno}
        ) from error
    except RecursionError as error:
        raise ValidationError(_("文件不是有效的 GeoJSON:嵌套过深。")) from error
    except ValueError as error:  # a number of thousands of digits
        raise ValidationError(_("文件不是有效的 GeoJSON:其中的数字过长。")) from error


def check(collection: Any) -> list[Feature]:
    """The features of a parsed FeatureCollection, checked as `read` says."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise ValidationError(_("文件应为 GeoJSON 的 FeatureCollection(要素集合)。"))
    raw = collection.get("features")
    if not isinstance(raw, list) or not raw:
        raise ValidationError(_("文件中没有要素(features)。"))
    codes = [_code(feature) for feature in raw]
    areas = {a.code: a for a in Area.objects.filter(code__in={c for c in codes if c})}
    errors: list[str] = []
    features: list[Feature] = []
    first_of: dict[str, int] = {}
    for number, (feature, code) in enumerate(zip(raw, codes, strict=True), start=1):
        try:
            area = _area(code, areas, first_of, number)
            geometry = _geometry(feature)
        except Refused as refused:
            errors.append(
                _("第 %(n)s 个要素(代码 %(code)s):%(reason)s")
                % {"n": number, "code": code or "—", "reason": refused}
            )
            continue
        features.append(Feature(number, area, geometry))
    if errors:
        if len(errors) > MAX_ERRORS:
            more = len(errors) - MAX_ERRORS
            errors = [*errors[:MAX_ERRORS], _("……另有 %(n)s 个要素有误。") % {"n": more}]
        raise ValidationError([*errors, _("有误的要素改正后请重新导入,本次未导入任何边界。")])
    return features


def _code(feature: Any) -> str:
    properties = feature.get("properties") if isinstance(feature, dict) else None
    code = properties.get("code") if isinstance(properties, dict) else None
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)  # a GIS that stored the 12 digits as a number
    return code.strip() if isinstance(code, str) else ""


def _area(code: str, areas: dict[str, Area], first_of: dict[str, int], number: int) -> Area:
    if not code:
        raise Refused(_("properties 中没有区域代码(code)"))
    area = areas.get(code)
    if area is None:
        raise Refused(_("没有这个代码的区域"))
    if area.depth > UNIT_DEPTH:
        raise Refused(_("“%(name)s”是网格或楼栋,地图只画到社区、村") % {"name": area.name})
    if code in first_of:
        raise Refused(_("与第 %(n)s 个要素的代码重复") % {"n": first_of[code]})
    first_of[code] = number
    return area


def _geometry(feature: Any) -> dict[str, Any]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise Refused(_("不是 GeoJSON 要素(Feature)"))
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        raise Refused(_("没有边界(geometry 为空)"))
    kind = geometry.get("type")
    if kind not in SHAPES:
        raise Refused(
            _("边界应为 Polygon 或 MultiPolygon,这里是 %(kind)s") % {"kind": _shown(kind)}
        )
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        return {"type": kind, "coordinates": _polygon(coordinates, "")}
    if not isinstance(coordinates, list) or not coordinates:
        raise Refused(_("MultiPolygon 没有面"))
    return {
        "type": kind,
        "coordinates": [
            _polygon(p, _("第 %(n)s 个面") % {"n": n}) for n, p in enumerate(coordinates, 1)
        ],
    }


def _polygon(rings: Any, where: str) -> list[list[list[float]]]:
    if not isinstance(rings, list) or not rings:
        raise Refused(_("%(where)s没有环") % {"where": where})
    return [
        _ring(r, _("%(where)s第 %(n)s 个环") % {"where": where, "n": n})
        for n, r in enumerate(rings, 1)
    ]


def _ring(ring: Any, where: str) -> list[list[float]]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise Refused(
            _("%(where)s至少要 4 个点(首尾相同),这里只有 %(n)s 个")
            % {"where": where, "n": len(ring) if isinstance(ring, list) else 0}
        )
    points = [_point(p, where, n) for n, p in enumerate(ring, 1)]
    if points[0] != points[-1]:
        raise Refused(_("%(where)s没有闭合:最后一个点应与第一个点相同") % {"where": where})
    return points


def _point(point: Any, where: str, n: int) -> list[float]:
    at = _("%(where)s第 %(n)s 个点") % {"where": where, "n": n}
    if not isinstance(point, list) or len(point) not in (2, 3):
        raise Refused(_("%(at)s应为 [经度, 纬度]") % {"at": at})
    for value in point:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Refused(_("%(at)s的坐标 %(value)s 不是数字") % {"at": at, "value": _shown(value)})
        if isinstance(value, float) and not math.isfinite(value):
            raise Refused(_("%(at)s的坐标不是有限的数") % {"at": at})
    lon, lat = point[0], point[1]
    if not -180 <= lon <= 180:
        raise Refused(
            _("%(at)s的经度 %(value)s 超出 -180 到 180") % {"at": at, "value": _shown(lon)}
        )
    if not -90 <= lat <= 90:
        raise Refused(
            _("%(at)s的纬度 %(value)s 超出 -90 到 90(经纬度是否写反了?)")
            % {"at": at, "value": _shown(lat)}
        )
    return [round(float(lon), DECIMALS), round(float(lat), DECIMALS)]


def _shown(value: Any) -> str:
    """A value of the file as the file has it, cut short."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


@dataclass(frozen=True)
class Loaded:
    created: int
    replaced: int


@transaction.atomic
def do_boundaries_load(*, actor: Actor, features: Sequence[Feature]) -> Loaded:
    """Store checked outlines (`read`), a unit already drawn drawn anew, all or none,
    with one audit row at the units' lowest common area."""
    now = timezone.now()
    kept = {
        b.area_id: b
        for b in Boundary.objects.select_for_update().filter(area__in=[f.area for f in features])
    }
    new, changed = [], []
    for feature in features:
        boundary = kept.get(feature.area.pk)
        if boundary is None:
            new.append(
                Boundary(
                    area=feature.area,
                    area_path=feature.area.path,
                    geometry=feature.geometry,
                    loaded_at=now,
                )
            )
        else:
            boundary.area_path, boundary.geometry = feature.area.path, feature.geometry
            boundary.loaded_at = now
            changed.append(boundary)
    Boundary.objects.bulk_create(new)
    Boundary.objects.bulk_update(changed, ["area_path", "geometry", "loaded_at"])
    audit_record(
        actor=actor,
        action="reports.boundaries",
        area=_common_area([f.area for f in features]),
        data={"created": len(new), "replaced": len(changed)},
    )
    return Loaded(created=len(new), replaced=len(changed))


def _common_area(areas: Sequence[Area]) -> Area | None:
    """The lowest area that holds all of `areas`."""
    paths = [a.path for a in areas]
    if not paths:
        return None
    prefix = paths[0]
    for path in paths[1:]:
        while not path.startswith(prefix):
            prefix = prefix[: -Area.steplen]
    if not prefix:
        return None
    return Area.objects.filter(path=prefix).first()
