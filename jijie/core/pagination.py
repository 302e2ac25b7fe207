"""The API's one pagination: `?limit=&offset=` with bounds the schema publishes.

django-ninja's own `LimitOffsetPagination` takes any offset: one past 2^63 reached the
database and came back as a 500 (SQLite cannot bind it, PostgreSQL's bigint overflows).
Here both are bounded, the bounds are in the OpenAPI schema (`minimum`, `maximum`), and a
value outside them is a 400 that names the parameter and its range, like the API's other
refusals of a request that reads but cannot be served. A list is `@paginated`."""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, paginate

MAX_LIMIT = 500
# Far past any list the product holds (a province's people number ~10^8), and with
# MAX_LIMIT added still inside a 32-bit integer, let alone the database's 64 bits.
MAX_OFFSET = 2**31 - 1 - MAX_LIMIT


class Pagination(LimitOffsetPagination):
    # The schema says the bounds; the check is `check` (a 400 with a translated message,
    # not pydantic's English 422).
    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE,
            description="items per page",
            json_schema_extra={"minimum": 1, "maximum": MAX_LIMIT},
        )
        offset: int = Field(
            0, description="items to skip", json_schema_extra={"minimum": 0, "maximum": MAX_OFFSET}
        )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: Any,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        check(limit=pagination.limit, offset=pagination.offset)
        return super().paginate_queryset(queryset, pagination, request, **params)


def check(*, limit: int, offset: int) -> None:
    """Refuse a page the schema does not allow, naming the parameter and its range."""
    for name, value, low, high in (
        ("limit", limit, 1, MAX_LIMIT),
        ("offset", offset, 0, MAX_OFFSET),
    ):
        if not low <= value <= high:
            raise BadRequest(
                _("参数 %(name)s 应在 %(low)s 到 %(high)s 之间。")
                % {"name": name, "low": low, "high": high}
            )


def paginated(view: Callable[..., Any]) -> Callable[..., Any]:
    """`@paginate(Pagination)`, the view's annotations resolved first: ninja reads them
    through its wrapper, whose module does not know the view's names (`Text` and the
    like, left as strings by `from __future__ import annotations`), and failed on them."""
    view.__annotations__ = typing.get_type_hints(view, include_extras=True)
    wrapped: Callable[..., Any] = paginate(Pagination)(view)
    return wrapped
