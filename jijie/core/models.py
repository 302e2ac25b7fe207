"""What several apps' models share: text compared byte by byte, and a person's identity
as the registry and the members' roll keep it (`Identity`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jijie.core import pii
from jijie.core.identity import Checked, check_document, check_phone

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

_ST = TypeVar("_ST")  # what a field accepts and gives, as django-stubs types them
_GT = TypeVar("_GT")


class BytewiseCharField(models.CharField[_ST, _GT]):
    """Text compared byte by byte ("C" collation on PostgreSQL; SQLite compares bytes
    already): an index over it sorts by plain byte comparison, several times cheaper
    than the locale's rules for keys nobody reads in order (hashes, tails, name pieces),
    and an area path's one index serves both `startswith` and ORDER BY."""

    def db_parameters(self, connection: BaseDatabaseWrapper) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


class PrefixRange(models.lookups.StartsWith):
    """`startswith` as an index range where the database compares text byte by byte:
    `col >= 'p' AND col < 'q'`, q being p with its last character's successor (in
    UTF-8, byte order is code point order, so exactly the values starting with p lie
    between). SQLite cannot use an index for `LIKE 'p%'` (its LIKE ignores ASCII case,
    its indexes do not), so a community's scoped count read every row of the city; on
    PostgreSQL a byte-wise ("C") column's index already serves LIKE, which is kept.
    Registered for byte-wise fields and for the area tree's path."""

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        prefix = self.rhs
        if (
            connection.vendor != "sqlite"
            or not self.rhs_is_direct_value()
            or not isinstance(prefix, str)
            or not prefix
            or ord(prefix[-1]) >= 0x10FFFF
        ):
            sql, params = super().as_sql(compiler, connection)
            return sql, list(params)
        lhs, lhs_params = compiler.compile(self.lhs)
        upper = prefix_upper_bound(prefix)
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, prefix, *lhs_params, upper]


def prefix_upper_bound(prefix: str) -> str:
    """The least text above every text that starts with `prefix` in byte order: its last
    character's successor, so that `col >= prefix AND col < bound` is `startswith` on a
    byte-wise column (`prefix` non-empty, its last character below U+10FFFF)."""
    last = ord(prefix[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:  # no character is a surrogate
        last = 0xE000
    return prefix[:-1] + chr(last)


BytewiseCharField.register_lookup(PrefixRange)


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


def stored(kind: pii.Kind, value: str | None) -> tuple[bytes | None, str | None, str, str]:
    """(ciphertext, lookup hash, mask, last four) of an ID number or phone: the only form
    in which one is kept. (None, None, "", "") when there is none."""
    if value is None:
        return None, None, "", ""
    return pii.encrypt(value), pii.lookup_hash(kind, value), pii.mask(kind, value), value[-4:]


def stored_birth_date(born: date | None) -> tuple[int | None, bytes | None]:
    """(year, ciphertext) of a birth date: the only form in which one is kept.

    The mask shows an ID number's first 3 and last 4 characters; the 11 it hides are the
    rest of the address code and the birth date. Beside the mask a clear birth date leaves
    three digits, which the check digit and the household's district settle: a dump would
    give the numbers back. The year alone leaves some 30 numbers for each address code
    (365 days, one in 11 passing the check digit): enough for statistics and for ages to
    within a year; the rules that need the day decrypt (`birth_date_of`)."""
    if born is None:
        return None, None
    return born.year, pii.encrypt(born.isoformat())


def birth_date_of(cipher: bytes | memoryview | None) -> date | None:
    """The birth date that `stored_birth_date` encrypted (None when there is none)."""
    return None if cipher is None else date.fromisoformat(pii.decrypt(cipher))


class Identity(models.Model):
    """A person's identity as it is kept wherever one is: the ID number and phone only as
    ciphertext, a keyed hash (exact lookup, and one entry per document), their mask
    (display) and their last four characters (search by tail, which the mask shows
    anyway); the birth date as its year in clear and the date encrypted
    (`stored_birth_date`). A registry's person and a member are each one."""

    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("出生年份"), null=True, blank=True)
    birth_date_cipher = models.BinaryField(null=True, editable=False)
    document_cipher = models.BinaryField(null=True, editable=False)
    # NULL (not "") when absent, so that a unique constraint ignores those without one.
    document_hash = BytewiseCharField(max_length=64, null=True, editable=False)
    document_masked = models.CharField(_("证件号码"), max_length=32, blank=True)
    document_tail: BytewiseCharField[str, str] = BytewiseCharField(max_length=4, blank=True)
    phone_cipher = models.BinaryField(null=True, editable=False)
    phone_hash = BytewiseCharField(max_length=64, null=True, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True)
    phone_tail: BytewiseCharField[str, str] = BytewiseCharField(max_length=4, blank=True)

    class Meta:
        abstract = True

    def store_document(self, value: str | None) -> None:
        """Keep a checked document number (None clears it). The plain value is not kept
        on the instance."""
        (self.document_cipher, self.document_hash, self.document_masked, self.document_tail) = (
            stored("id", value)
        )

    def set_phone(self, value: str | None) -> None:
        """Keep a checked phone the same way (None clears it)."""
        self.phone_cipher, self.phone_hash, self.phone_masked, self.phone_tail = stored(
            "phone", value
        )

    def set_birth_date(self, born: date | None) -> None:
        """Keep a birth date as its year and ciphertext (None clears it)."""
        self.birth_year, self.birth_date_cipher = stored_birth_date(born)


@dataclass
class CheckedIdentity:
    """What `check_identity` found of a form's document number and phone: each checked
    value, or None where none was given."""

    document: Checked | None = None
    phone: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def check_identity(
    document_type: str, document_number: str | None, phone: str | None
) -> CheckedIdentity:
    """Check a document number of `document_type` and a phone, as every form, API and
    import that records a person's identity does: each one given is checked, and what
    is wrong with it is named under its field (`document_number`, `phone`) in `errors`
    rather than raised, so that the caller reports it with its other fields' errors."""
    found = CheckedIdentity()
    if document_number is not None and document_number.strip():
        try:
            found.document = check_document(document_type, document_number)
        except ValidationError as error:
            found.errors["document_number"] = error.messages
    if phone is not None and phone.strip():
        try:
            found.phone = check_phone(phone)
        except ValidationError as error:
            found.errors["phone"] = error.messages
    return found


class MoneyField(models.BigIntegerField[_ST, _GT]):
    """Yuan to the cent, kept as a whole number of cents and read as a `Decimal` with
    two places. Sums, comparisons and check constraints are then exact integer
    arithmetic on both databases: SQLite keeps a decimal column as a float, whose
    0.10 + 0.20 is not 0.30, and a check `received = allocated + spent + balance` there
    would refuse correct books. Give it Decimals (or ints); floats are refused."""

    def from_db_value(self, value: int | None, expression: object, connection: object) -> Any:
        return None if value is None else Decimal(value).scaleb(-2)

    def to_python(self, value: object) -> Any:
        if value is None or isinstance(value, Decimal):
            return value
        return Decimal(str(value)).quantize(CENT)

    def get_prep_value(self, value: object) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return value
        if isinstance(value, float):
            raise TypeError("money is never a float")
        amount = Decimal(value) if isinstance(value, int) else value
        if not isinstance(amount, Decimal):
            raise TypeError(f"money must be a Decimal, not {type(value).__name__}")
        cents = amount.scaleb(2)
        if cents != cents.to_integral_value():
            raise ValueError(f"{amount} has more than two places")
        return int(cents)


CENT = Decimal("0.01")
