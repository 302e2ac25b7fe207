"""Files people attach (a voucher's scan, a problem's photo, an inspection finding's
photo): told by their first bytes rather than by their name, and bounded in size. They
are kept in the database beside what they document and served only to its readers,
never from a public folder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _

from jijie.core import text

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

LIMIT = 5 * 1024 * 1024
PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
IMAGES = (PNG, JPEG)
_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)


@dataclass(frozen=True)
class Upload:
    """A file as uploaded: its name and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True)
class Checked:
    name: str
    content_type: str
    content: bytes


def check(upload: Upload, *, field: str, kinds: tuple[str, ...], label: str) -> Checked:
    """The upload with its content type, refused (on `field`, naming `label`) unless its
    first bytes are one of `kinds` and it is at most `LIMIT` bytes."""
    if len(upload.content) > LIMIT:
        raise ValidationError({field: _("%(label)s不能超过 5 MB。") % {"label": label}})
    for signature, content_type in _SIGNATURES:
        if content_type in kinds and upload.content.startswith(signature):
            name = text.bounded(upload.name, field=field, label=_("文件名"), limit=400)
            return Checked(
                name=name[-120:] or "file", content_type=content_type, content=upload.content
            )
    if kinds == IMAGES:
        reason = _("%(label)s须为照片(JPEG 或 PNG)。")
    else:
        reason = _("%(label)s须为照片(JPEG、PNG)或 PDF。")
    raise ValidationError({field: reason % {"label": label}})


def too_large(size: int | None) -> bool:
    """Whether an upload's declared size is over the limit, so that a view refuses it
    before reading it."""
    return size is not None and size > LIMIT


def from_request(files: Mapping[str, UploadedFile], name: str, *, label: str) -> Upload | None:
    """The file posted as `name`, refused (naming `label`) before it is read when it
    declares more than `LIMIT` bytes; None when none was posted."""
    upload = files.get(name)
    if upload is None:
        return None
    if too_large(upload.size):
        raise ValidationError({name: _("%(label)s不能超过 5 MB。") % {"label": label}})
    return Upload(name=upload.name or "", content=upload.read())


def inline(content: bytes | memoryview, content_type: str, filename: str) -> HttpResponse:
    """A stored file served to a reader who may see it: shown in the page, its type as
    checked on the way in, never sniffed into another."""
    response = HttpResponse(bytes(content), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
