"""Types for the API's input schemas: text cleaned as the forms clean it.

`Text` (one line) and `MultilineText` run `jijie.core.text.clean` before pydantic
checks the value, so a name with U+202E or NUL is answered 422 naming the field, as
the page answers it. Every str an operation takes is one of these:
`jijie/core/tests/test_text.py` walks the API to hold that.

`Day` and `Instant` are the dates and times an operation takes: ISO text only (a JSON
number is not a date) within 1900–2100, refused 422 naming the field otherwise.
`ClockTime` is a time of day the API answers with, as its schema says."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from jijie.core import text


def _cleaner(*, multiline: bool) -> Callable[[object, ValidationInfo], object]:
    def clean(value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value  # pydantic says what is wrong with it
        try:
            return text.clean(value, field=info.field_name or "text", multiline=multiline)
        except ValidationError as error:
            # The message is data, not a template: braces in it stay braces.
            message = error.messages[0].replace("{", "{{").replace("}", "}}")
            raise PydanticCustomError(f"text_{error.code}", message) from None

    return clean


clean_line = _cleaner(multiline=False)
clean_lines = _cleaner(multiline=True)

Text = Annotated[str, BeforeValidator(clean_line)]
MultilineText = Annotated[str, BeforeValidator(clean_lines)]


# Dates and times ------------------------------------------------------------------------

# The calendar the API takes: no record the product keeps lies outside it, and a year
# such as 0122 is a typing slip that must not reach the data.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_INSTANT = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})?"
)


def _escaped(message: str) -> str:
    return message.replace("{", "{{").replace("}", "}}")


def _written(
    pattern: re.Pattern[str], code: str, message: Callable[[], str]
) -> Callable[[object], object]:
    """Only text in ISO form is a date: pydantic alone takes a JSON number as seconds
    since 1970 and "1700000000" likewise."""

    def check(value: object) -> object:
        if isinstance(value, str) and pattern.fullmatch(value):
            return value
        if isinstance(value, (date, datetime)) and not isinstance(value, bool):
            return value  # built in Python, not read from a request
        raise PydanticCustomError(code, _escaped(message()))

    return check


def _in_calendar(value: date) -> date:
    day = value.date() if isinstance(value, datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PydanticCustomError(
            "date_out_of_range",
            _escaped(
                _("日期应在 %(first)s 到 %(last)s 之间。")
                % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
            ),
        )
    return value


Day = Annotated[
    date,
    BeforeValidator(_written(_ISO_DAY, "date_format", lambda: _("日期应写作 YYYY-MM-DD。"))),
    AfterValidator(_in_calendar),
    Field(description=f"YYYY-MM-DD, {FIRST_DAY} to {LAST_DAY}"),
]
Instant = Annotated[
    datetime,
    BeforeValidator(
        _written(
            _ISO_INSTANT,
            "datetime_format",
            lambda: _("时间应写作 YYYY-MM-DDTHH:MM:SS+08:00。"),
        )
    ),
    AfterValidator(_in_calendar),
]

# A time of day on the area's clock (China time). JSON Schema's `format: time` is RFC
# 3339's full-time, which requires an offset ("07:00:00+08:00"); what a gate keeps is a
# wall-clock time, so the schema says what is sent instead of promising an offset.
ClockTime = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?$",
            "description": "HH:MM:SS, China time, without an offset",
            "examples": ["07:00:00"],
        }
    ),
]
