"""The lab's results of a round, imported from its spreadsheet (.xlsx, .xls, .csv): one
row a tube, its barcode and its result.

The file is read with the registry's reader (size, type and zip-bomb checks) and its
header found as the registry finds its own: in the first 20 rows, under a title. Every
row is checked before anything is stored, against the file itself (a tube twice) and
the round (an unknown tube, one that already has another result); one bad row stores
nothing, and each problem names the row, the column, the value and the reason. A tube
whose result is already the file's is counted as recorded before (the same file sent
twice changes nothing). The rows are then stored in one transaction, the tubes locked,
with one audit row for the file: on PostgreSQL copied into a table of the transaction
and set by one UPDATE … FROM, elsewhere by batches of tubes locked then updated."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.audit.actors import Actor
from jijie.audit.services import audit_record
from jijie.core import text
from jijie.residents.imports import reader
from jijie.residents.imports.columns import HEADER_SCAN_ROWS, titled_layout
from jijie.residents.imports.plan import Problem, is_totals_row
from jijie.testing.models import Round, Tube, TubeResult
from jijie.testing.services import barcode_of

if TYPE_CHECKING:
    from jijie.accounts.models import User

RefusedFile = reader.RefusedFile
# Refuse a file over the reader's size limit; callers check before reading it into memory.
check_size = reader.check_size
# A round over the seed district is 65,879 ten-person tubes: a lab's file of a day.
MAX_RESULT_ROWS = 200_000
BATCH = 2_000

HEADERS: dict[str, tuple[str, ...]] = {
    "barcode": ("管码", "条码", "试管条码", "试管编号", "样本编号", "样本条码", "采样管编号"),
    "result": ("结果", "检测结果", "核酸结果", "核酸检测结果"),
}
# What labs write for each result, after spaces are dropped and letters lowered.
RESULTS: dict[str, str] = {
    "阴性": TubeResult.NEGATIVE,
    "阴": TubeResult.NEGATIVE,
    "-": TubeResult.NEGATIVE,
    "negative": TubeResult.NEGATIVE,
    "neg": TubeResult.NEGATIVE,
    "阳性": TubeResult.POSITIVE,
    "阳": TubeResult.POSITIVE,
    "+": TubeResult.POSITIVE,
    "positive": TubeResult.POSITIVE,
    "pos": TubeResult.POSITIVE,
}


@dataclass
class Report:
    """A results file checked: the rows to store (row as the sheet numbers it, barcode,
    result), those already recorded with the same result, the problems in row order,
    and the titled columns read as neither barcode nor result."""

    rows: list[tuple[int, str, str]] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Imported:
    recorded: int
    unchanged: int
    positives: list[Tube]


def _text(row: list[Any], column: int) -> str:
    value = row[column] if column < len(row) else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def result_of(value: str) -> str | None:
    return RESULTS.get(re.sub(r"\s", "", value).lower())


def check_results(round: Round, data: bytes) -> Report:
    """Read and check a results file against the round; nothing is stored. RefusedFile
    when the file cannot be read, has no barcode and result header, is too long, or
    lists no tube."""
    sheet = reader.read(data)
    layout = titled_layout(sheet.head(HEADER_SCAN_ROWS), HEADERS)
    if layout is None:
        raise RefusedFile(
            _("没有找到“管码”和“结果”列:表头须在前 %(rows)s 行,请检查表头。")
            % {"rows": HEADER_SCAN_ROWS}
        )
    if sheet.total - (layout.header_row + 1) > MAX_RESULT_ROWS:
        raise RefusedFile(_("结果超过 %(limit)s 行,请分开导入。") % {"limit": MAX_RESULT_ROWS})
    code_column, result_column = layout.columns["barcode"], layout.columns["result"]
    code_label, result_label = layout.labels["barcode"], layout.labels["result"]
    report = Report(ignored_columns=list(layout.ignored.values()))
    seen: dict[str, int] = {}
    read: list[tuple[int, str, str, str]] = []
    for index, row in enumerate(sheet.rows()):
        if index <= layout.header_row or all(not str(c or "").strip() for c in row):
            continue
        number = index + 1
        if is_totals_row(row):
            report.skipped.append((number, _("合计行,已跳过。")))
            continue
        raw_code, raw_result = _text(row, code_column), _text(row, result_column)

        def problem(column: str, value: str, reason: str, number: int = number) -> None:
            report.problems.append(Problem(number, column, text.visible(value)[:40], reason))

        try:
            code = barcode_of(raw_code)
        except ValidationError as error:
            problem(code_label, raw_code, " ".join(error.messages))
            code = ""
        result = result_of(raw_result)
        if result is None:
            problem(
                result_label,
                raw_result,
                _("无法识别的结果:应为“阴性”或“阳性”。"),
            )
        if code and code in seen:
            problem(code_label, code, _("与第 %(row)s 行的管码相同。") % {"row": seen[code]})
            continue
        if code:
            seen[code] = number
        if code and result is not None:
            read.append((number, code, result, raw_result))
    kept = _kept(round, [code for _n, code, _r, _raw in read])
    for number, code, result, raw_result in read:
        found = kept.get(code)
        if found is None:
            report.problems.append(
                Problem(number, code_label, code, _("本轮没有管码 %(code)s。") % {"code": code})
            )
        elif found == result:
            report.unchanged += 1
        elif found != TubeResult.PENDING:
            report.problems.append(
                Problem(
                    number,
                    result_label,
                    text.visible(raw_result)[:40],
                    _("管码 %(code)s 已是%(result)s。")
                    % {"code": code, "result": TubeResult(found).label},
                )
            )
        else:
            report.rows.append((number, code, result))
    report.problems.sort(key=lambda p: p.row)
    if not report.rows and not report.unchanged and not report.problems:
        raise RefusedFile(_("文件中没有检测结果。"))
    return report


def _kept(round: Round, codes: list[str]) -> dict[str, str]:
    """The result each of `codes` has in the round now (absent: no such tube): on
    PostgreSQL in one statement, the codes as one array."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT barcode, result FROM {Tube._meta.db_table}"  # noqa: S608 - the model's table
                " WHERE round_id = %s AND barcode = ANY(%s)",
                [round.pk, codes],
            )
            return dict(cursor.fetchall())
    found: dict[str, str] = {}
    for start in range(0, len(codes), BATCH):
        found.update(
            Tube.objects.filter(round=round, barcode__in=codes[start : start + BATCH])
            .values_list("barcode", "result")
        )  # fmt: skip
    return found


def results_import(
    *, actor: User, round: Round, data: bytes, now: datetime | None = None
) -> Imported:
    """Record the lab's results in `data` for the round, by someone who manages testing
    over the round's area. Any problem raises ValidationError on "file", one message per
    problem in row order, and nothing is stored."""
    access.require(actor, Action.TESTING_MANAGE, round.area)
    report = check_results(round, data)
    if report.problems:
        raise ValidationError({"file": [p.line() for p in report.problems]})
    return do_results_import(actor=actor, round=round, report=report, now=now)


@transaction.atomic
def do_results_import(
    *, actor: Actor, round: Round, report: Report, now: datetime | None = None
) -> Imported:
    """Store a checked file's results: each tube locked and checked again as it stands
    (a result recorded by hand since the check refuses the whole file)."""
    now = now or timezone.now()
    wanted = {code: result for _n, code, result in report.rows}
    if connection.vendor == "postgresql":
        return _imported(actor, round, report, _store_copied(round, wanted, now))
    codes = list(wanted)
    locked: list[tuple[int, str, str]] = []
    for start in range(0, len(codes), BATCH):
        locked += (
            Tube.objects.select_for_update()
            .filter(round=round, barcode__in=codes[start : start + BATCH])
            .values_list("pk", "barcode", "result")
        )
    if len(locked) != len(codes) or any(r != TubeResult.PENDING for _pk, _c, r in locked):
        raise ValidationError({"file": _("检查之后有结果被修改,请重新导入。")})
    # Two results, so one UPDATE per result a batch of tubes: a tube sent to the lab was
    # closed when it was sent.
    by_result: dict[str, list[int]] = {}
    for pk, code, _result in locked:
        by_result.setdefault(wanted[code], []).append(pk)
    for result, pks in by_result.items():
        for start in range(0, len(pks), BATCH):
            part = Tube.objects.filter(pk__in=pks[start : start + BATCH])
            part.filter(sealed_at__isnull=True).update(sealed_at=now)
            part.update(result=result, result_at=now)
    return _imported(actor, round, report, by_result)


# The rows of a checked file, copied into a table of the transaction, set on the round's
# pending tubes by one statement: each tube's row locked by the UPDATE itself, and a
# tube no longer pending (a result recorded by hand since the check) left out, so that
# fewer rows than the file's tell it.
_COPIED = "testing_results_in"
_UPDATE_FROM = (
    f"UPDATE {Tube._meta.db_table} t"  # noqa: S608 - the model's table
    " SET result = r.result, result_at = %s, sealed_at = COALESCE(t.sealed_at, %s)"
    f" FROM {_COPIED} r"
    " WHERE t.round_id = %s AND t.barcode = r.barcode AND t.result = %s"
    " RETURNING t.id, r.result"
)


def _store_copied(round: Round, wanted: dict[str, str], now: datetime) -> dict[str, list[int]]:
    """`do_results_import`'s store on PostgreSQL: COPY and one UPDATE … FROM."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_COPIED} (barcode text PRIMARY KEY, result text NOT NULL)"
            " ON COMMIT DROP"
        )
        with cursor.cursor.copy(f"COPY {_COPIED} (barcode, result) FROM STDIN") as copy:
            for row in wanted.items():
                copy.write_row(row)
        cursor.execute(_UPDATE_FROM, [now, now, round.pk, TubeResult.PENDING.value])
        changed = cursor.fetchall()
        cursor.execute(f"DROP TABLE {_COPIED}")  # the savepoint of a caller may not commit
    if len(changed) != len(wanted):
        raise ValidationError({"file": _("检查之后有结果被修改,请重新导入。")})
    by_result: dict[str, list[int]] = {}
    for pk, result in changed:
        by_result.setdefault(result, []).append(pk)
    return by_result


def _imported(
    actor: Actor, round: Round, report: Report, by_result: dict[str, list[int]]
) -> Imported:
    """The import's audit row and its outcome, once the tubes are stored."""
    recorded = sum(len(pks) for pks in by_result.values())
    positives = list(
        Tube.objects.filter(pk__in=by_result.get(TubeResult.POSITIVE, [])).order_by("barcode")
    )
    audit_record(
        actor=actor,
        action="testing.results_import",
        target=round,
        area=Area(path=round.area_path),
        data={
            "recorded": recorded,
            "unchanged": report.unchanged,
            "positive": [t.barcode for t in positives],
        },
    )
    return Imported(recorded, report.unchanged, positives)
