"""The phone's outbox, on the server: what a page records with no signal comes back as
items, each with its kind, the id the phone gave it and the form's fields, and each is
answered on its own: stored, already stored (the same id sent before), or refused with
the reason, field by field, so the worker can fix it and send it again.

An app that records work on foot registers a handler for each of its kinds when it
starts (its AppConfig.ready); the handler checks access and calls the app's service, as
a view would. Items are taken one by one, each in its own transaction: one refused
item never holds up or undoes another. jijie/core/static/jijie/outbox.js is the phone's
side; docs/decisions.md, "Offline", says why.

    outbox.register("testing.sample", sample_from_phone)

    def sample_from_phone(item: outbox.Item) -> outbox.Outcome:
        ...
        return outbox.stored(_("已登记。"))
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from jijie.core import once

if TYPE_CHECKING:
    from jijie.accounts.models import User

logger = logging.getLogger(__name__)

# What one sync may carry: a phone sends its queue in pieces of at most this many.
MAX_ITEMS = 50
MAX_FIELDS = 30
MAX_VALUE = 2000

# How far ahead of the server's clock a phone's own may be and still be believed.
CLOCK_SKEW = timedelta(minutes=5)

Status = Literal["stored", "already", "refused"]


@dataclass(frozen=True)
class Item:
    """One thing recorded on a phone: its kind, the phone's id for it, the form's fields
    (strings, as a form posts them), and who sends it."""

    kind: str
    client_ref: str
    fields: Mapping[str, str]
    user: User

    def get(self, name: str) -> str:
        return self.fields.get(name, "")

    def number(self, name: str) -> int:
        """A field that names a record by its number (picked on the page), or 0."""
        raw = self.get(name)
        return int(raw) if raw.isdigit() and len(raw) <= 12 else 0

    def recorded_at(self, now: datetime) -> datetime | None:
        """When the phone recorded the item, by its own clock (ISO 8601 with its zone,
        `recorded_at`); None when it did not say. A time ahead of `now` by more than a
        phone's clock may drift is refused."""
        raw = self.get("recorded_at")
        if not raw:
            return None
        try:
            found = datetime.fromisoformat(raw)
        except ValueError:
            raise ValidationError(
                {"recorded_at": _("记录时间“%(value)s”无法识别。") % {"value": raw[:40]}}
            ) from None
        if found.tzinfo is None:
            raise ValidationError({"recorded_at": _("记录时间缺少时区。")})
        if found > now + CLOCK_SKEW:
            raise ValidationError({"recorded_at": _("记录时间晚于现在:请核对手机的时间。")})
        return found


@dataclass(frozen=True)
class Outcome:
    """The answer for one item: its status, a sentence for the worker, and for a refused
    item the reasons by field ("" for the item as a whole)."""

    status: Status
    message: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    # What the page that recorded the item may show of the answer besides the sentence
    # (a gate's decision); nothing personal, it is kept on the phone for the day.
    data: dict[str, object] = field(default_factory=dict)

    def as_json(self, client_ref: str) -> dict[str, object]:
        return {
            "client_ref": client_ref,
            "status": self.status,
            "message": self.message,
            "errors": self.errors,
            "data": self.data,
        }


def stored(message: str, data: dict[str, object] | None = None) -> Outcome:
    return Outcome("stored", message, data=data or {})


def already(message: str, data: dict[str, object] | None = None) -> Outcome:
    return Outcome("already", message, data=data or {})


def refused(error: ValidationError | str) -> Outcome:
    """A refusal: a ValidationError's messages by field, or one sentence."""
    if isinstance(error, str):
        return Outcome("refused", error, {"": [error]})
    if hasattr(error, "error_dict"):
        errors = {name: [str(m) for m in ValidationError(found).messages]
                  for name, found in error.error_dict.items()}  # fmt: skip
    else:
        errors = {"": [str(m) for m in error.messages]}
    first = next((m for found in errors.values() for m in found), _("未能保存。"))
    return Outcome("refused", first, {("" if k == "__all__" else k): v for k, v in errors.items()})


Handler = Callable[[Item], Outcome]
_handlers: dict[str, Handler] = {}
_assets: dict[str, tuple[str, ...]] = {}


def register(kind: str, handler: Handler, *, assets: tuple[str, ...] = ()) -> None:
    """Let items of `kind` be sent from phones, answered by `handler`. `assets`: the
    static files of the page that records them, beyond the shared ones, which the
    service worker keeps on the phone at once, so that the page works with no signal
    even when it is first opened there (kept for the day beforehand, never opened)."""
    _handlers[kind] = handler
    _assets[kind] = assets


def page_assets() -> list[str]:
    """The static files the phone pages of every registered kind need, in one order."""
    return sorted({name for names in _assets.values() for name in names})


class BatchError(ValueError):
    """A sync that is not a list of items the outbox can read (not one item's fault)."""


def _item(raw: object, user: User, index: int) -> Item:
    if not isinstance(raw, dict):
        raise BatchError(_("第 %(n)s 项不是一条记录。") % {"n": index})
    ref = once.client_ref(str(raw.get("client_ref") or ""))
    fields = raw.get("fields")
    if not ref or not isinstance(fields, dict) or len(fields) > MAX_FIELDS:
        raise BatchError(_("第 %(n)s 项缺少编号或内容。") % {"n": index})
    values = {str(k)[:40]: str(v)[:MAX_VALUE] for k, v in fields.items() if v is not None}
    return Item(kind=str(raw.get("kind") or ""), client_ref=ref, fields=values, user=user)


def read(payload: object, user: User) -> list[Item]:
    """The items of a sync's JSON body (`{"items": [...]}`), or BatchError."""
    items = payload.get("items") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items:
        raise BatchError(_("没有要同步的记录。"))
    if len(items) > MAX_ITEMS:
        raise BatchError(_("一次最多同步 %(n)s 条记录。") % {"n": MAX_ITEMS})
    return [_item(raw, user, n) for n, raw in enumerate(items, start=1)]


def answer(item: Item) -> Outcome:
    """Take one item through its kind's handler, in a transaction of its own."""
    handler = _handlers.get(item.kind)
    if handler is None:
        return refused(
            _("这个页面的记录无法同步(“%(kind)s”),请刷新页面。") % {"kind": item.kind[:40]}
        )
    try:
        with transaction.atomic():
            return handler(item)
    except ValidationError as error:
        return refused(error)
    except PermissionDenied as error:
        return refused(str(error) or _("您的角色不能做这件事。"))
    except Http404:
        return refused(_("找不到要登记的对象,或不在您的辖区。"))
    except Exception:
        # A fault of the server's: this item is undone and kept on the phone, and the
        # items after it are still taken. The log names the kind and the phone's id
        # only (the traceback names code, not the fields).
        logger.exception("outbox item %s of kind %s failed", item.client_ref, item.kind[:40])
        return refused(_("服务器出错,这条没有保存;它留在手机上,请稍后再发送。"))


def answer_all(items: Iterable[Item]) -> list[dict[str, object]]:
    return [answer(item).as_json(item.client_ref) for item in items]
