"""The lab's results of a round, imported from its spreadsheet (.xlsx, .xls, .csv): one
row a tube, its barcode and its result.

The file is read with the registry's reader (size, type and zip-bomb checks) and its
header found as the registry finds its own: in the first 20 rows, under a title. Every
row is checked before anything is stored, against the file itself (a tube twice) and
the round (an unknown tube, one that already has another result); one bad row stores
nothing, and each problem names the row, the column, the value and the reason. A tube
whose result is already the file's is counted as recorded before (the same file sent
twice changes nothing). The rows are then appended to the lab's ledger (`LabResult`) in
one transaction with one audit row for the file: on PostgreSQL by one COPY, elsewhere in
batches; the ledger's key refuses a tube given a result since the check, and the whole
file with it. Tubes still open are sealed, as a tube sent to the lab was."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
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
from jijie.testing.models import LabResult, Round, Tube, TubeResult
from jijie.testing.services import BARCODE, barcode_of

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
    result, the tube's id), those of them whose tube is still open, those already
    recorded with the same result, the problems in row order, and the titled columns read
    as neither barcode nor result."""

    rows: list[tuple[int, str, str, int]] = field(default_factory=list)
    unsealed: list[int] = field(default_factory=list)
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


def _blank(row: list[Any]) -> bool:
    return all(not str(c or "").strip() for c in row)


@lru_cache(maxsize=256)  # a lab writes its few words the same way on every row
def result_of(value: str) -> str | None:
    return RESULTS.get(re.sub(r"\s", "", value).lower())


@dataclass
class _Rows:
    """The rows of a file as they are checked: the good ones read, each barcode's first
    row, the problems and skipped rows written into `report`."""

    report: Report
    code_label: str
    result_label: str
    seen: dict[str, int] = field(default_factory=dict)
    read: list[tuple[int, str, str, str]] = field(default_factory=list)

    def check(
        self, row: list[Any], number: int, raw_code: str, raw_result: str, result: str | None
    ) -> None:
        """A row that is not plainly good: blank, totals, or with a problem to name."""
        if not (raw_code.strip() or raw_result.strip()) and _blank(row):
            return
        # A totals row holds counts beside its word, never a result.
        if result is None and is_totals_row(row):
            self.report.skipped.append((number, _("合计行,已跳过。")))
            return

        def problem(column: str, value: str, reason: str) -> None:
            self.report.problems.append(Problem(number, column, text.visible(value)[:40], reason))

        try:
            code = barcode_of(raw_code)
        except ValidationError as error:
            problem(self.code_label, raw_code, " ".join(error.messages))
            code = ""
        if result is None:
            problem(self.result_label, raw_result, _("无法识别的结果:应为“阴性”或“阳性”。"))
        if code and code in self.seen:
            problem(
                self.code_label, code, _("与第 %(row)s 行的管码相同。") % {"row": self.seen[code]}
            )
            return
        if code:
            self.seen[code] = number
        if code and result is not None:
            self.read.append((number, code, result, raw_result))


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
    rows = _Rows(report, code_label, result_label)
    seen, take, clean = rows.seen, rows.read.append, BARCODE.fullmatch  # the loop's names
    first = layout.header_row + 1
    for number, row in enumerate(itertools.islice(sheet.rows(), first, None), first + 1):
        try:
            raw_code, raw_result = row[code_column], row[result_column]
        except IndexError:
            raw_code = raw_result = None
        if type(raw_code) is not str or type(raw_result) is not str:
            raw_code, raw_result = _text(row, code_column), _text(row, result_column)
        result = result_of(raw_result)
        # The common row, taken at once: a result, a barcode already clean, not seen.
        if result is not None and raw_code not in seen and clean(raw_code):
            seen[raw_code] = number
            take((number, raw_code, result, raw_result))
        else:
            rows.check(row, number, raw_code, raw_result, result)
    read = rows.read
    kept = _kept(round, [code for _n, code, _r, _raw in read])
    for number, code, result, raw_result in read:
        tube_id = kept.ids.get(code)
        if tube_id is None:
            report.problems.append(
                Problem(number, code_label, code, _("本轮没有管码 %(code)s。") % {"code": code})
            )
            continue
        now_result = kept.results.get(tube_id)
        if now_result == result:
            report.unchanged += 1
        elif now_result is not None:
            report.problems.append(
                Problem(
                    number,
                    result_label,
                    text.visible(raw_result)[:40],
                    _("管码 %(code)s 已是%(result)s。")
                    % {"code": code, "result": TubeResult(now_result).label},
                )
            )
        else:
            report.rows.append((number, code, result, tube_id))
            if tube_id in kept.open:
                report.unsealed.append(tube_id)
    report.problems.sort(key=lambda p: p.row)
    if not report.rows and not report.unchanged and not report.problems:
        raise RefusedFile(_("文件中没有检测结果。"))
    return report


@dataclass
class _Kept:
    """What the round holds of a file's barcodes: the tube of each it has (of every tube
    of the round, when read whole), those not yet sealed, and the results the ledger
    already has for them (by tube id)."""

    ids: dict[str, int]
    open: set[int]
    results: dict[int, str]


# Past this many barcodes, the round's tubes are read whole rather than looked up one by
# one: a district's day file names nearly every tube of its round.
SCAN_ROUND_FROM = 2_000
_TUBES = f"SELECT barcode, id, sealed_at IS NULL FROM {Tube._meta.db_table} WHERE round_id = %s"  # noqa: S608 - the model's table
# The ledger's results over a range of tube ids, by its key: a round's tubes lie close
# together, so the scan reads none of the other rounds' results far away.
_RESULTS_BETWEEN = (
    f"SELECT tube_id, result FROM {LabResult._meta.db_table}"  # noqa: S608 - the model's table
    " WHERE tube_id BETWEEN %s AND %s"
)


def _kept(round: Round, codes: list[str]) -> _Kept:
    """The round's tubes and results for `codes`."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if len(codes) >= SCAN_ROUND_FROM:
                cursor.execute(_TUBES, [round.pk])
            else:
                cursor.execute(_TUBES + " AND barcode = ANY(%s)", [round.pk, codes])
            tubes = cursor.fetchall()
            # all the round's tubes when read whole: only the file's barcodes are asked
            ids = {code: pk for code, pk, _open in tubes}
            results: dict[int, str] = {}
            if ids:
                cursor.execute(_RESULTS_BETWEEN, [min(ids.values()), max(ids.values())])
                results = dict(cursor.fetchall())
            return _Kept(ids, {pk for _c, pk, is_open in tubes if is_open}, results)
    kept = _Kept({}, set(), {})
    for start in range(0, len(codes), BATCH):
        for tube in Tube.objects.select_related("lab").filter(
            round=round, barcode__in=codes[start : start + BATCH]
        ):
            kept.ids[tube.barcode] = tube.pk
            if not tube.is_sealed:
                kept.open.add(tube.pk)
            if (lab := tube.lab_result) is not None:
                kept.results[tube.pk] = lab.result
    return kept


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
    """Append a checked file's results to the ledger. A tube given a result since the
    check (by hand, or by the same file sent at once from another desk) refuses the
    whole file."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                _copy(report, now)
            else:
                LabResult.objects.bulk_create(
                    [
                        LabResult(tube_id=pk, result=r, result_at=now)
                        for _n, _c, r, pk in report.rows
                    ],
                    batch_size=BATCH,
                )
    except IntegrityError as error:
        raise ValidationError({"file": _("检查之后有结果被修改,请重新导入。")}) from error
    for start in range(0, len(report.unsealed), BATCH):
        Tube.objects.filter(
            pk__in=report.unsealed[start : start + BATCH], sealed_at__isnull=True
        ).update(sealed_at=now)
    positive = TubeResult.POSITIVE.value  # a plain string compares at C speed
    positives = list(
        Tube.objects.filter(pk__in=[pk for _n, _c, r, pk in report.rows if r == positive])
        .order_by("barcode")
    )  # fmt: skip
    audit_record(
        actor=actor,
        action="testing.results_import",
        target=round,
        area=Area(path=round.area_path),
        data={
            "recorded": len(report.rows),
            "unchanged": report.unchanged,
            "positive": [t.barcode for t in positives],
        },
    )
    return Imported(len(report.rows), report.unchanged, positives)


_COPY = f"COPY {LabResult._meta.db_table} (tube_id, result, result_at) FROM STDIN"


def _copy(report: Report, now: datetime) -> None:
    """`do_results_import`'s append on PostgreSQL: the rows as COPY's text, in one write."""
    at = now.isoformat()
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,  # a key refused is Django's IntegrityError
        cursor.cursor.copy(_COPY) as copy,
    ):
        copy.write("".join(f"{pk}\t{result}\t{at}\n" for _n, _c, result, pk in report.rows))
