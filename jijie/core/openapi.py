"""The API's schema says every status an operation answers, not only its successes.

The refusals come from the API's exception handlers (config/api.py), the same for every
operation, so they are documented in one place from what each operation takes rather
than repeated on each decorator:

- 401 and 403 where the operation needs a caller (no credentials; a role too low, or a
  signed-in browser's request without its CSRF token);
- 404 where it takes input (a path parameter, or a query or body that names an area,
  gate or household): out of scope answers as not found;
- 422 where it takes input: a value its schema refuses (type, format, bounds), each
  error with its location;
- 400 where it takes input: a body that is not JSON, or a value the schema allows that
  the service refuses (a page past the list's bounds, a date outside a gate's log).

An operation that declares a status itself (201, 409, 429 ...) keeps its own."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema

METHODS = ("get", "put", "post", "delete", "patch")


class Detail(Schema):
    """A refusal in the user's language; for a form-like refusal, the messages by field."""

    detail: str
    errors: dict[str, list[str]] | None = None


class InvalidItem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class Invalid(Schema):
    """A value the schema refuses, located (["body", "payload", "starts_on"])."""

    detail: list[InvalidItem]


DESCRIPTIONS = {
    400: "Bad request: a body that is not JSON, or a value the service refuses",
    401: "No valid credentials",
    403: "The caller's role may not do this (or a session request without CSRF token)",
    404: "Not found, or out of the caller's scope",
    422: "A value the schema refuses",
}


def refusals(operation: dict[str, Any]) -> dict[int, str]:
    """The refusals an operation can answer, with the component each answers with."""
    parameters = operation.get("parameters") or []
    takes_input = bool(parameters or operation.get("requestBody"))
    statuses: dict[int, str] = {}
    if operation.get("security"):
        statuses |= {401: "Detail", 403: "Detail"}
    if takes_input:
        statuses |= {400: "Detail", 404: "Detail", 422: "Invalid"}
    return statuses


def document_refusals(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (Detail, InvalidItem, Invalid):
        json_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        json_schema.pop("$defs", None)
        components.setdefault(model.__name__, json_schema)
    for path in schema.get("paths", {}).values():
        for method in METHODS:
            operation = path.get(method)
            if operation is None:
                continue
            answers = operation.setdefault("responses", {})
            for status, component in refusals(operation).items():
                answers.setdefault(
                    status,
                    {
                        "description": DESCRIPTIONS[status],
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{component}"}
                            }
                        },
                    },
                )


class DocumentedAPI(NinjaAPI):
    """A NinjaAPI whose schema documents its refusals (see the module's docstring)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_refusals(schema)
        return schema
