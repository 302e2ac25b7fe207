"""The import service: read, check, and (when asked) write everything in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from jijie.accounts.audit import audit_record
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.residents import names
from jijie.residents.imports import columns, reader
from jijie.residents.imports.plan import Plan, Planner
from jijie.residents.models import PERSON_DETAIL_FIELDS, Household, NameGram, Person

if TYPE_CHECKING:
    from jijie.accounts.models import User

BATCH = 5000


def import_ledger(
    *,
    actor: User | None,
    area: Area,
    data: bytes,
    commit: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    """Check a ledger file against the registry under `area`; with `commit`, write it.

    A dry run (the default) writes nothing and returns the plan with every problem. A
    commit writes all planned rows or none; rows with errors stop it unless
    `skip_invalid` says to leave them out. Raises reader.RefusedFile for a file that
    cannot be read at all.
    """
    if actor is not None:
        access.require(actor, Action.RESIDENT_EDIT, area)
    sheet = reader.read(data)
    layout = columns.find_layout(sheet.rows)
    if layout is None or "name" not in layout.columns:
        raise reader.RefusedFile(
            _("没有找到表头:表格前 20 行中应有“姓名”,以及“身份证号”“联系电话”“门牌号”等列。")
        )
    # Planned afresh (not reused from the dry run) and outside the write transaction, so
    # that progress is visible; the write then checks nothing changed in between.
    plan = Planner(area=area, layout=layout).plan(sheet.rows, progress)
    if not commit:
        return plan
    if plan.errors and not skip_invalid:
        raise ValidationError(
            _("有 %(count)s 行有错误,没有导入任何数据。请修改后重新导入,或选择跳过错误行。")
            % {"count": plan.error_rows}
        )
    try:
        with transaction.atomic():
            _write(plan)
            audit_record(
                actor=actor,
                action="registry.import",
                area=area,
                data={**plan.summary(), "area": area.code, "skipped_invalid": bool(plan.errors)},
            )
    except IntegrityError:
        raise _changed_meanwhile() from None
    return plan


def _changed_meanwhile() -> ValidationError:
    return ValidationError(
        _("导入期间有人修改了这些居民的信息,没有导入任何数据。请重新检查后再导入。"),
        code="conflict",
    )


def _write(plan: Plan) -> None:
    if plan.updates:
        # Lock what will be updated and check it is still what was planned on.
        pks = [i.person.pk for i in plan.updates]
        current = dict(
            Person.objects.select_for_update().filter(pk__in=pks).values_list("pk", "version")
        )
        if any(current.get(i.person.pk) != i.expected_version for i in plan.updates):
            raise _changed_meanwhile()
    Household.objects.bulk_create(list(plan.households_new.values()), batch_size=BATCH)
    households = {**plan.households_existing, **plan.households_new}
    for item in plan.creates:
        item.person.household = households[item.household_key]
        item.person.area_path = item.person.household.area_path
    for start in range(0, len(plan.creates), BATCH):
        created = Person.objects.bulk_create(
            [i.person for i in plan.creates[start : start + BATCH]]
        )
        NameGram.objects.bulk_create(names.grams_for(created), batch_size=10_000)
    for item in plan.updates:
        item.person.household = households[item.household_key]
        item.person.area_path = item.person.household.area_path
        item.person.version = F("version") + 1
    Person.objects.bulk_update(
        [i.person for i in plan.updates],
        fields=["household", "area_path", "version", *PERSON_DETAIL_FIELDS],
        batch_size=1000,
    )
    names.reindex([i.person for i in plan.updates])
