"""The import service: read, check, and (when asked) write everything in one transaction.

The file is read and checked a slice of rows at a time. A dry run only counts and
collects problems. A commit plans inside its transaction (so the people it updates are
locked while it works) and writes each slice as soon as it is planned; an error in any
row, a conflict, or a failure rolls the whole import back.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.actors import Actor
from jijie.audit.services import audit_record
from jijie.residents.imports import bulk, columns, reader, writer
from jijie.residents.imports.plan import Plan, Planner

if TYPE_CHECKING:
    from jijie.accounts.models import User

PARALLEL_ROWS = 20_000  # smaller files are checked in the importing process


def import_ledger(
    *,
    actor: User,
    area: Area,
    data: bytes,
    commit: bool = False,
    skip_invalid: bool = False,
    expected_versions: dict[int, int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    mapping: dict[int, str] | None = None,
) -> Plan:
    """`do_import_ledger` for a user who keeps the registry of `area` (404 out of their
    sight, 403 with too low a role)."""
    access.require(actor, Action.RESIDENT_EDIT, area)
    return do_import_ledger(
        actor=actor,
        area=area,
        data=data,
        commit=commit,
        skip_invalid=skip_invalid,
        expected_versions=expected_versions,
        progress=progress,
        mapping=mapping,
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while the rows stream through. Each slice unpickles
    and builds tens of thousands of small objects, which start collections that walk
    every live object, the area's hundreds of thousands of households included: two
    thirds of the cost of receiving a checked slice, for cycles the import does not
    make. Reference counting frees everything as before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_collector_paused()
def do_import_ledger(
    *,
    actor: Actor,
    area: Area,
    data: bytes,
    commit: bool = False,
    skip_invalid: bool = False,
    expected_versions: dict[int, int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    mapping: dict[int, str] | None = None,
) -> Plan:
    """Check a ledger file against the registry under `area`; with `commit`, write it.

    A dry run (the default) writes nothing and returns the plan with every problem and
    the versions of the people it would update. A commit writes all planned rows or
    none; rows with errors stop it unless `skip_invalid` says to leave them out; given
    the dry run's `expected_versions`, it also stops if anyone it would update was
    edited since. `mapping` (column index -> field, "" to leave a column out) overrides
    what the header's names say. Raises reader.RefusedFile for a file that cannot be
    read at all.

    A commit locks the people it updates as it plans them, and on a first load into an
    empty registry the registry's tables (`imports.bulk`).
    """
    sheet = reader.read(data)
    layout = columns.find_layout(sheet.head(columns.HEADER_SCAN_ROWS), mapping)
    if layout is None or "name" not in layout.columns:
        raise reader.RefusedFile(
            _("没有找到表头:表格前 20 行中应有“姓名”,以及“身份证号”“联系电话”“门牌号”等列。")
        )
    plan = Plan(columns=layout.describe())
    planner = Planner(
        area=area,
        layout=layout,
        lock=commit,
        expected=expected_versions,
        workers=settings.IMPORT_WORKERS if sheet.total > PARALLEL_ROWS else 1,
    )
    rows = sheet.rows()
    for _header in range(layout.header_row + 1):
        next(rows)
    slices = planner.slices(rows, plan, first_number=layout.header_row + 2)

    def report() -> None:
        if progress is not None:
            progress(plan.rows_read, sheet.total - layout.header_row - 1)

    if not commit:
        for _slice in slices:
            report()
        return plan
    try:
        with transaction.atomic():
            now = timezone.now()
            planner.empty = bulk.claim_empty_registry()
            with bulk.indexes_set_aside() if planner.empty else nullcontext():
                for work in slices:
                    if not plan.errors or skip_invalid:
                        writer.write(work, planner, now)
                    report()  # once there are errors, the rest is only checked, to count
                writer.finish(planner)
            if plan.errors and not skip_invalid:
                raise ValidationError(
                    _("有 %(count)s 行有错误,没有导入任何数据。请修改后重新导入,或选择跳过错误行。")
                    % {"count": plan.error_rows}
                )
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
