"""Checking the rows of a ledger and planning their writes, a slice at a time.

Each problem names the row (as the spreadsheet numbers it), the column (as the file
titles it), the value (masked when personal) and the reason. Rows are matched to what
is already registered, so that importing the same file twice changes nothing.

A district's ledger has hundreds of thousands of rows, so nothing here holds the whole
file: rows are checked in slices, each slice is matched with a few queries (the
households of the buildings it names, the people its ID numbers name), and what a slice
plans to create is plain tuples in the column order the writer inserts, not model
instances.
"""

from __future__ import annotations

import marshal
import multiprocessing
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from multiprocessing.pool import AsyncResult
from typing import Any, NamedTuple, Protocol

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas.models import Area, AreaKind
from jijie.core import pii, text
from jijie.core.identity import DocumentType, check_document, check_phone, normalise
from jijie.core.models import Sex, stored, stored_birth_date
from jijie.residents.imports.columns import FIELD_LABELS, Layout
from jijie.residents.models import (
    NOTE_LENGTH,
    PERSON_DETAIL_FIELDS,
    Household,
    HouseholdKind,
    Person,
    Relation,
    ResidentType,
)
from jijie.residents.names import grams, initials
from jijie.residents.services import ConflictError

RELATION_WORDS: dict[str, str] = {
    "户主": Relation.HEAD, "本人": Relation.HEAD, "配偶": Relation.SPOUSE, "妻": Relation.SPOUSE,
    "妻子": Relation.SPOUSE, "夫": Relation.SPOUSE, "丈夫": Relation.SPOUSE, "子": Relation.CHILD,
    "女": Relation.CHILD, "儿子": Relation.CHILD, "女儿": Relation.CHILD, "子女": Relation.CHILD,
    "长子": Relation.CHILD, "长女": Relation.CHILD, "次子": Relation.CHILD, "次女": Relation.CHILD,
    "父": Relation.PARENT, "母": Relation.PARENT, "父亲": Relation.PARENT, "母亲": Relation.PARENT,
    "父母": Relation.PARENT, "孙子": Relation.GRANDCHILD, "孙女": Relation.GRANDCHILD,
    "外孙": Relation.GRANDCHILD, "外孙女": Relation.GRANDCHILD, "祖父": Relation.GRANDPARENT,
    "祖母": Relation.GRANDPARENT, "兄": Relation.SIBLING, "弟": Relation.SIBLING,
    "姐": Relation.SIBLING, "妹": Relation.SIBLING, "兄弟姐妹": Relation.SIBLING,
    "租客": Relation.TENANT, "租户": Relation.TENANT, "员工": Relation.EMPLOYEE,
    "其他": Relation.OTHER,
}  # fmt: skip
DOCUMENT_WORDS: dict[str, str] = {
    "居民身份证": DocumentType.RESIDENT_ID, "身份证": DocumentType.RESIDENT_ID,
    "港澳通行证": DocumentType.HK_MO_PERMIT, "港澳居民来往内地通行证": DocumentType.HK_MO_PERMIT,
    "台胞证": DocumentType.TW_PERMIT, "台湾居民来往大陆通行证": DocumentType.TW_PERMIT,
    "护照": DocumentType.PASSPORT,
}  # fmt: skip
ADDRESS = re.compile(r"(\d+)\s*(?:栋|号楼|幢|座)\s*[-—]?\s*(\S+)")
DIGITS = re.compile(r"\d+")
SEX_WORDS = {"男": "M", "女": "F", "男性": "M", "女性": "F"}
# Words of a person's category, most specific first ("非户籍" before "户籍").
RESIDENT_TYPE_WORDS = (
    (("境外", "外籍", "外国", "港澳台"), ResidentType.FOREIGN),
    (("流动", "外来", "暂住", "非户籍", "寄住", "租住"), ResidentType.FLOATING),
    (("户籍", "常住", "本地", "本市"), ResidentType.REGISTERED),
)
# Details that an empty cell (or a missing column) leaves as they are on a registered
# person, and their value for a new one: a ledger without a 备注 column must not wipe
# the notes, nor one without a category turn everybody into 户籍人口.
KEPT_WHEN_EMPTY = {"resident_type": ResidentType.REGISTERED.value, "note": ""}
# A totals row at a ledger's foot (or a subtotal under a building): a totals word in its
# first cells, and nothing after it but counts ("35", "35人", "12户").
TOTALS_WORD = re.compile(r"^(?:合计|总计|小计|共计)")
COUNT = re.compile(r"^[\d.,]*\s*[人户名个]?$")
SLICE_ROWS = 5000
# What decides whether a registered person differs from their row in the file.
COMPARED = ("name", "relation", "register_place", "resident_type", "sex", "phone_hash",
            "document_type", "document_hash", "note", "household_id")  # fmt: skip

HouseholdKey = tuple[int, str]  # (building id, door number)
# Cells read as typed (only stripped): their own checks refuse and mask what they show.
_OWN_CHECKS = frozenset({"document_number", "phone"})


@dataclass
class Problem:
    row: int  # as the spreadsheet numbers it (1 = first row)
    column: str
    value: str  # masked when personal
    reason: str

    def line(self) -> str:
        """One line of a refusal: the row, then the reason, which names the column."""
        return _("第 %(row)s 行:%(reason)s") % {"row": self.row, "reason": self.reason}


_AT = {name: i for i, name in enumerate(PERSON_DETAIL_FIELDS)}
_RELATIONS = {word: str(relation) for word, relation in RELATION_WORDS.items()}
# A row without a document or a phone, or without a birth date, stores these.
_NOT_STORED = stored("id", None)
_NOT_BORN = stored_birth_date(None)
# `Row.kept` by (category empty, note empty).
_KEPT = {
    (no_type, no_note): tuple(
        name for name, empty in (("resident_type", no_type), ("note", no_note)) if empty
    )
    for no_type in (False, True)
    for no_note in (False, True)
}


class Row(NamedTuple):
    """One checked row: a person's details in the form the registry stores them.

    Rows are checked in other processes and sent back as plain tuples of plain values
    (`Checked.rows`), the details in the order of `PERSON_DETAIL_FIELDS`: an enum
    member, a dict, a list or the row's own class costs more to unpickle in the
    importing process than the rest of the row, and that process is the one every row
    waits for."""

    number: int
    key: HouseholdKey
    building_path: str
    values: tuple[Any, ...]  # PERSON_DETAIL_FIELDS, in order, as a new person's
    kind: str  # of the household, if it is new
    grams: tuple[str, ...]  # the name's pieces, for the search index
    # The details of KEPT_WHEN_EMPTY the file left empty: `values` holds their default
    # for a new person; a registered person keeps theirs.
    kept: tuple[str, ...]

    def detail(self, name: str) -> Any:
        return self.values[_AT[name]]

    def details(self) -> dict[str, Any]:
        return dict(zip(PERSON_DETAIL_FIELDS, self.values, strict=True))


_as_row = partial(tuple.__new__, Row)  # a plain tuple made a Row again, at C speed


@dataclass
class Update:
    pk: int
    key: HouseholdKey
    building_path: str
    details: dict[str, Any]


class Sink(Protocol):
    errors: list[Problem]
    warnings: list[Problem]


@dataclass
class Checked:
    """A batch of rows checked on their own (no database, no other rows): what can run
    in another process."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # Rows left out on purpose (totals), for the report.
    notes: list[Problem] = field(default_factory=list)
    # The rows read (not blank, not totals).
    read: int = 0
    # The rows without errors, each a `Row` as a plain tuple: unpickling a named tuple
    # calls its class, four times the cost of the plain one, in the importing process.
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    # (row, document hash, mask) of every valid document, for finding duplicates.
    documents: list[tuple[int, str, str]] = field(default_factory=list)

    # Between processes the rows and documents, plain tuples of plain values, go as one
    # `marshal` blob: written three times as fast as pickle writes them, and read a
    # little faster. Only this import's own forked workers send one.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["rows"] = marshal.dumps((state["rows"], state.pop("documents")))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state["rows"], state["documents"] = marshal.loads(state["rows"])  # noqa: S302
        self.__dict__.update(state)


@dataclass
class Slice:
    """What one slice of rows asks to be written."""

    households: dict[HouseholdKey, tuple[str, str]] = field(default_factory=dict)  # path, kind
    creates: list[Row] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)


@dataclass
class Plan:
    """The whole file's outcome: counts and problems (the rows themselves are written, or
    dropped, slice by slice)."""

    households_new: int = 0
    people_new: int = 0
    people_updated: int = 0
    unchanged: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # Rows left out on purpose (totals), said in the report.
    notes: list[Problem] = field(default_factory=list)
    # Every titled column of the header and the field it was read as ("" = ignored).
    columns: list[dict[str, object]] = field(default_factory=list)
    rows_read: int = 0
    # The version of each person the import would update, as the check saw it: the
    # commit refuses to overwrite anyone whose version has moved on since.
    versions: dict[int, int] = field(default_factory=dict)

    @property
    def error_rows(self) -> int:
        return len({p.row for p in self.errors})

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows_read,
            "households_new": self.households_new,
            "people_new": self.people_new,
            "people_updated": self.people_updated,
            "people_unchanged": self.unchanged,
            "error_rows": self.error_rows,
            "warnings": len(self.warnings),
        }


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # a door number Excel stored as 502.0
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _building_number(text: str) -> str | None:
    match = DIGITS.search(text)
    return match.group() if match else None


def _blank(row: list[Any]) -> bool:
    """Whether no cell of a row holds anything (what `_text` would make "" of each)."""
    for value in row:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        return False  # text, or a number, date or truth value: always shown as something
    return True


def is_totals_row(row: list[Any]) -> bool:
    """Whether a row is a ledger's totals (合计, 总计, 小计, 共计) rather than a person."""
    if not any(isinstance(v, str) and "计" in v for v in row):  # every totals word has it
        return False
    cells = [c for c in (_text(v) for v in row) if c]
    words = [i for i, c in enumerate(cells[:3]) if TOTALS_WORD.match(re.sub(r"\s", "", c))]
    if not words:
        return False
    others = cells[: words[0]] + cells[words[0] + 1 :]
    return all(COUNT.match(c) for c in others)


_RESIDENT = HouseholdKind.RESIDENT.value


def _household_kind(text: str) -> str:
    if not text:
        return _RESIDENT
    if "出租" in text:
        return HouseholdKind.RENTAL.value
    if any(w in text for w in ("商", "店")):
        return HouseholdKind.SHOP.value
    return HouseholdKind.RESIDENT.value


_FORKED: Planner | None = None


def _check_in_worker(batch: list[tuple[int, list[Any]]]) -> Checked:
    assert _FORKED is not None  # set before the pool forks
    return _FORKED.check(batch)


def _chunks(items: list[Any], size: int = SLICE_ROWS) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Planner:
    """Plans the import of a sheet's rows into the buildings under `area`.

    With `lock`, the people a slice would update are locked as they are read (the
    commit plans inside its transaction); with `expected`, an update of a person whose
    version is not the one the check saw is a ConflictError.
    """

    def __init__(
        self,
        *,
        area: Area,
        layout: Layout,
        lock: bool = False,
        expected: dict[int, int] | None = None,
        workers: int = 1,
        today: date | None = None,
    ) -> None:
        self.area = area
        # The day ID numbers' birth dates are checked against.
        self.today = today or timezone.localdate()
        self.workers = workers
        self.layout = layout
        self.lock = lock
        self.expected = expected
        buildings = list(
            Area.objects.filter(path__startswith=area.path, kind=AreaKind.BUILDING)
            .order_by("path")
            .values_list("pk", "name", "code", "path")
        )
        self.paths = {pk: path for pk, _n, _c, path in buildings}
        self.only_building = buildings[0][0] if area.kind == AreaKind.BUILDING else None
        self.by_name = {name: pk for pk, name, _c, _p in buildings}
        self.by_code = {code: pk for pk, _n, code, _p in buildings}
        numbers: dict[str, list[int]] = {}
        for pk, name, _c, _p in buildings:
            number = _building_number(name)
            if number:
                numbers.setdefault(number, []).append(pk)
        self.by_number = {n: pks[0] for n, pks in numbers.items() if len(pks) == 1}
        self.ambiguous_numbers = {n for n, pks in numbers.items() if len(pks) > 1}
        # Every household under the area, as (building, door) -> id, read once before
        # anything is written (a district's 360,000 fit in a few tens of MB); None marks
        # one planned but not yet written.
        self.households: dict[HouseholdKey, int | None] = {
            (building, door): pk
            for building, door, pk in Household.objects.filter(
                area_path__startswith=area.path
            ).values_list("building_id", "door_number", "pk")
        }
        self.seen_documents: dict[str, int] = {}  # document hash -> first row
        self.cols = layout.columns
        self._empty_texts = dict.fromkeys((*FIELD_LABELS, *self.cols), "")
        # Set by a first load into an empty registry (imports.bulk): nobody can match,
        # so rows are not looked up, and the tables are locked, so ids come in blocks.
        self.empty = False
        # What the writes added, by building id, for the buildings' counts (`writer`).
        self.added_households: Counter[int] = Counter()
        self.added_people: Counter[int] = Counter()
        # The PostgreSQL types of the columns the writer copies, by table (`writer`).
        self.copy_types: dict[str, list[str]] = {}

    # Reading cells -------------------------------------------------------------------

    def cell(self, row: list[Any], field_name: str) -> Any:
        col = self.cols.get(field_name)
        return row[col] if col is not None and col < len(row) else None

    def label(self, field_name: str) -> str:
        return self.layout.labels.get(field_name, field_name)

    def _texts(self, sink: Sink, number: int, row: list[Any]) -> dict[str, str]:
        """Every field's cell as text ("" for an empty cell or a column the file does not
        have), cleaned as the forms clean text (`jijie.core.text`); a cell with a control
        or bidirectional character is an error naming its column. The ID number and phone
        are left to their own checks, which refuse them too and mask what they show.

        One pass over the row's mapped cells: a ledger has hundreds of thousands of rows,
        and most of their cells are plain text that one match settles."""
        texts = dict(self._empty_texts)
        width = len(row)
        for field_name, col in self.cols.items():
            value = row[col] if col < width else None
            if value is None:
                continue
            if type(value) is not str:
                texts[field_name] = _text(value)
            elif text.is_plain(value) or field_name in _OWN_CHECKS:
                texts[field_name] = value.strip()
            else:
                refused = text.refusal(value, field=self.label(field_name))
                if refused is not None:
                    shown = text.visible(value.strip())
                    self._problem(sink, number, field_name, shown[:20], refused.messages[0])
                texts[field_name] = text.tidy(value).strip()
        return texts

    def _where(self, texts: dict[str, str]) -> tuple[int | None, str, str | None]:
        """(building id, door number, reason when not found)."""
        building_text = texts["building"]
        door = texts["door_number"]
        if not door and texts["address"]:
            match = ADDRESS.search(texts["address"])
            if match:
                building_text = building_text or match.group(1)
                door = match.group(2)
        if not door:
            return None, "", _("缺少门牌号(或无法从住址中识别楼栋和门牌号)。")
        if self.only_building is not None and not building_text:
            return self.only_building, door, None
        code = texts["building_code"]
        if code:
            by_code = self.by_code.get(code)
            if by_code is None:
                return None, door, _("所选区域中没有代码为“%(b)s”的楼栋。") % {"b": code}
            return by_code, door, None
        building = self.by_name.get(building_text)
        if building is None:
            number = _building_number(building_text)
            if number in self.ambiguous_numbers:
                return (
                    None,
                    door,
                    _("楼栋“%(b)s”在所选区域中不止一栋,请写全楼栋名称或按网格导入。")
                    % {"b": building_text},
                )
            building = self.by_number.get(number or "")
        if building is None:
            return None, door, _("所选区域中没有楼栋“%(b)s”。") % {"b": building_text or "—"}
        return building, door, None

    # Planning ------------------------------------------------------------------------

    def slices(
        self, rows: Iterable[list[Any]], plan: Plan, *, first_number: int
    ) -> Iterator[Slice]:
        """Check `rows` (the data rows; the first is row `first_number` of the sheet) a
        slice at a time, counting into `plan`, and yield what each slice would write.
        The caller must report written households back through `households_written`."""
        batches = self._batches(rows, first_number)
        for checked in self._checked(batches):
            yield self._slice(plan, checked)

    @staticmethod
    def _batches(
        rows: Iterable[list[Any]], first_number: int
    ) -> Iterator[list[tuple[int, list[Any]]]]:
        batch: list[tuple[int, list[Any]]] = []
        for number, row in enumerate(rows, start=first_number):
            batch.append((number, row))
            if len(batch) == SLICE_ROWS:
                yield batch
                batch = []
        if batch:
            yield batch

    def _checked(self, batches: Iterator[list[tuple[int, list[Any]]]]) -> Iterator[Checked]:
        """Each batch checked, in order: here, or with `workers` > 1 by that many forked
        processes (the checks are CPU work: validation, encryption, keyed hashes, pinyin)
        while this one matches and writes. At most a few batches are in flight, so memory
        stays bounded however long the file."""
        if self.workers <= 1:
            for batch in batches:
                yield self.check(batch)
            return
        global _FORKED
        _FORKED = self
        pending: deque[AsyncResult[Checked]] = deque()
        with multiprocessing.get_context("fork").Pool(self.workers) as pool:
            for batch in batches:
                pending.append(pool.apply_async(_check_in_worker, (batch,)))
                if len(pending) > self.workers:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()
        _FORKED = None

    def check(self, batch: list[tuple[int, list[Any]]]) -> Checked:
        """A batch of the sheet's rows checked: blank rows passed over, totals rows noted
        and left out, every other row read."""
        checked = Checked()
        for number, row in batch:
            if _blank(row):
                continue
            if is_totals_row(row):
                shown = " ".join(_text(v) for v in row if _text(v))[:40]
                checked.notes.append(Problem(number, "", shown, _("合计行,已跳过。")))
                continue
            checked.read += 1
            result = self._row(checked, number, row)
            if result is not None:
                checked.rows.append(result)
        return checked

    def households_written(self, ids: dict[HouseholdKey, int]) -> None:
        self.households.update(ids)

    def _problem(self, sink: Sink, number: int, field_name: str, value: str, reason: str) -> None:
        sink.errors.append(Problem(number, self.label(field_name), value, reason))

    def _slice(self, plan: Plan, batch: Checked) -> Slice:
        plan.rows_read += batch.read
        plan.notes.extend(batch.notes)
        duplicates = set()
        for number, document_hash, shown in batch.documents:
            first = self.seen_documents.setdefault(document_hash, number)
            if first != number:
                duplicates.add(number)
                reason = _("与第 %(row)s 行的证件号码重复。") % {"row": first}
                self._problem(batch, number, "document_number", shown, reason)
        checked = list(map(_as_row, batch.rows))
        if duplicates:
            checked = [r for r in checked if r.number not in duplicates]
        work = Slice()
        for r in checked:
            if r.key not in self.households:
                self.households[r.key] = None
                work.households[r.key] = (r.building_path, r.kind)
                plan.households_new += 1
        self._match(plan, checked, work, batch)
        # The report lists problems in row order: a slice's come from three passes (the
        # row itself, duplicates across rows, matching), so they are sorted here; the
        # slices come in order. The sort is stable: a row's columns keep their order.
        plan.errors.extend(sorted(batch.errors, key=lambda p: p.row))
        plan.warnings.extend(sorted(batch.warnings, key=lambda p: p.row))
        return work

    def _row(self, plan: Checked, number: int, row: list[Any]) -> tuple[Any, ...] | None:
        """One row checked: its problems into `plan`, and the `Row` it makes as a plain
        tuple (what crosses between processes; `_slice` makes it a `Row` again), or None
        when it has errors or no building.

        Every row of a district passes here, so the details are kept in local variables
        and the row's tuple is built once, in the order of `PERSON_DETAIL_FIELDS`."""
        errors_before = len(plan.errors)
        texts = self._texts(plan, number, row)
        name = texts["name"]
        if not name:
            self._problem(plan, number, "name", "", _("姓名不能为空。"))
        elif len(name) > 50:
            self._problem(plan, number, "name", name[:10] + "…", _("姓名不能超过 50 个字。"))
        building, door, reason = self._where(texts)
        if reason:
            field_name = "door_number" if "door_number" in self.cols else "address"
            self._problem(plan, number, field_name, door, reason)
        document_type = sex = ""
        document: tuple[Any, ...] = _NOT_STORED
        born: tuple[int | None, bytes | None] = _NOT_BORN
        if texts["document_number"]:
            found = self._document(
                plan,
                number,
                DOCUMENT_WORDS.get(texts["document_type"], DocumentType.RESIDENT_ID),
                self.cell(row, "document_number"),
            )
            if found is not None:
                document_type, document, born, sex = found
        phone: tuple[Any, ...] = _NOT_STORED
        raw_phone = texts["phone"]
        if raw_phone:
            try:
                phone = stored("phone", check_phone(raw_phone))
            except ValidationError as error:
                shown = pii.mask("phone", normalise(raw_phone))
                self._problem(plan, number, "phone", shown, " ".join(error.messages))
        relation_text = texts["relation"]
        relation = _RELATIONS.get(relation_text)
        if relation is None:
            relation = Relation.OTHER.value
            if relation_text:
                plan.warnings.append(
                    Problem(
                        number,
                        self.label("relation"),
                        relation_text,
                        _("无法识别的关系,按“其他”登记。"),
                    )
                )
        sex_text = texts["sex"]
        if sex_text:
            written = SEX_WORDS.get(sex_text)
            if not sex:
                sex = written or ""
            elif written and written != sex:
                # The ID number's sex digit decides; the cell was probably typed wrong.
                plan.warnings.append(
                    Problem(
                        number,
                        self.label("sex"),
                        sex_text,
                        _("与证件号码中的性别(%(sex)s)不符,按证件号码登记。")
                        % {"sex": Sex(sex).label},
                    )
                )
        type_text = texts["resident_type"]
        resident_type = type_text and self._resident_type(plan, number, type_text)
        note = texts["note"]
        if len(note) > NOTE_LENGTH:
            self._problem(
                plan,
                number,
                "note",
                note[:10] + "…",
                _("备注不能超过 %(limit)s 个字。") % {"limit": NOTE_LENGTH},
            )
        if len(plan.errors) > errors_before or building is None:
            return None
        return (
            number,
            (building, door),
            self.paths[building],
            (
                name,
                initials(name),
                relation,
                texts["register_place"][:100],
                # An empty category or note keeps a registered person's (`Row.kept`).
                resident_type or KEPT_WHEN_EMPTY["resident_type"],
                sex,
                *born,
                document_type,
                *document,
                *phone,
                note,
            ),
            _household_kind(texts["household_kind"]),
            tuple(grams(name)),
            _KEPT[not resident_type, not note],
        )

    def _resident_type(self, plan: Checked, number: int, type_text: str) -> str:
        """The category a (non-empty) cell names; 户籍人口 with a warning for words it does
        not know."""
        for words, resident_type in RESIDENT_TYPE_WORDS:
            if any(w in type_text for w in words):
                return resident_type.value
        plan.warnings.append(
            Problem(
                number,
                self.label("resident_type"),
                type_text[:20],
                _("无法识别的人员类别,按“户籍人口”登记。"),
            )
        )
        return ResidentType.REGISTERED.value

    def _document(
        self, plan: Checked, number: int, document_type: str, raw: Any
    ) -> tuple[str, tuple[Any, ...], tuple[int | None, bytes | None], str] | None:
        """(document type, its stored form, the birth date's, sex) of a valid document,
        noted for finding duplicates; None, with the error in `plan`, for an invalid one."""

        def shown() -> str:
            return pii.mask(
                "id", normalise(_text(raw) if not isinstance(raw, float) else f"{raw:.5E}")
            )

        try:
            checked = check_document(document_type, raw, today=self.today)
        except ValidationError as error:
            self._problem(plan, number, "document_number", shown(), " ".join(error.messages))
            return None
        for warning in checked.warnings:
            plan.warnings.append(Problem(number, self.label("document_number"), shown(), warning))
        document = _cipher, document_hash, masked, _tail = stored("id", checked.value)
        assert document_hash is not None  # a value was given
        plan.documents.append((number, document_hash, masked))
        return (
            str(checked.document_type),
            document,
            stored_birth_date(checked.birth_date),
            checked.sex or "",
        )

    # Matching with the registry ------------------------------------------------------

    def _people(self, **lookup: Any) -> Any:
        people = Person.objects.filter(**lookup)
        if self.lock and connection.features.has_select_for_update:
            people = people.select_for_update()
        return people.values_list("pk", "area_path", "version", *COMPARED)

    def _people_by_document(self, hashes: list[str]) -> Iterator[tuple[Any, ...]]:
        if connection.vendor != "postgresql":
            for chunk in _chunks(hashes, 900):
                yield from self._people(document_hash__in=chunk)
            return
        # One array parameter instead of thousands of IN parameters: a tenth of the cost.
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in ("id", "area_path", "version", *COMPARED))
        lock = " FOR UPDATE" if self.lock else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {quote(Person._meta.db_table)}"  # noqa: S608 - model names
                f" WHERE document_hash = ANY(%s){lock}",
                [hashes],
            )
            yield from cursor.fetchall()

    def _match(self, plan: Plan, checked: list[Row], work: Slice, sink: Sink) -> None:
        if self.empty:  # nobody to match: every row is a new person
            work.creates.extend(checked)
            plan.people_new += len(checked)
            return
        hashes = [h for r in checked if (h := r.detail("document_hash"))]
        existing: dict[str, tuple[Any, ...]] = {}
        for found in self._people_by_document(hashes):
            existing[found[COMPARED.index("document_hash") + 3]] = found
        by_name: dict[tuple[int, str], tuple[Any, ...]] = {}
        known = list({self.households[r.key] for r in checked} - {None})
        if len(hashes) < len(checked) and known:
            for chunk in _chunks(known):
                for found in self._people(household_id__in=chunk, document_hash__isnull=True):
                    by_name[(found[-1], found[3])] = found
        for r in checked:
            household = self.households[r.key]
            document_hash = r.detail("document_hash")
            if document_hash:
                current = existing.get(document_hash)
            elif household is not None:
                current = by_name.get((household, r.detail("name")))
            else:
                current = None
            if current is None:
                self._create(plan, work, r)
                continue
            pk, area_path, version, *compared = current
            details = r.details()
            for name in r.kept:
                details[name] = compared[COMPARED.index(name)]
            if not area_path.startswith(self.area.path):
                self._problem(
                    sink,
                    r.number,
                    "document_number",
                    r.detail("document_masked"),
                    _("此证件号码已登记在所选区域以外,请联系原社区办理迁移。"),
                )
                continue
            incoming = {**details, "household_id": household}
            if all(compared[i] == incoming[name] for i, name in enumerate(COMPARED)):
                plan.unchanged += 1
                continue
            if self.expected is not None and self.expected.get(pk) != version:
                raise ConflictError(
                    _(
                        "第 %(row)s 行的居民在检查之后被人修改过,没有导入任何数据。"
                        "请重新检查后再导入。"
                    )
                    % {"row": r.number},
                    code="conflict",
                )
            plan.versions[pk] = version
            plan.people_updated += 1
            work.updates.append(Update(pk, r.key, r.building_path, details))

    def _create(self, plan: Plan, work: Slice, r: Row) -> None:
        work.creates.append(r)
        plan.people_new += 1
