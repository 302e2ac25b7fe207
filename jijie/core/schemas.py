"""Types for the API's input schemas: text cleaned as the forms clean it.

`Text` (one line) and `MultilineText` run `jijie.core.text.clean` before pydantic
checks the value, so a name with U+202E or NUL is answered 422 naming the field, as
the page answers it. Every str an operation takes is one of these:
`jijie/core/tests/test_text.py` walks the API to hold that."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from django.core.exceptions import ValidationError
from pydantic import BeforeValidator, ValidationInfo
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
