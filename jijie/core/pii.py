"""Personal data at rest and on screen.

- `encrypt` / `decrypt`: AES-256-GCM under the current key of `PII_KEYS`; each value
  carries its key id, so keys rotate (`manage.py pii_rotate` re-encrypts old rows).
- `lookup_hash`: HMAC-SHA256 under `PII_HASH_KEY`, for exact lookup of an ID number or
  phone without decrypting anything.
- `mask`: the one masking function every output uses: ID `441***********123X`, phone
  `138****8000`.

Plain values live only in local variables of the services that need them; they are
never stored, logged, put in a URL, or attached to an error.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache
from typing import Literal

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db.models import BinaryField, Model
from django.dispatch import receiver

Kind = Literal["id", "phone"]
_AAD = b"jijie-pii-v1"


@cache
def _keys() -> tuple[int, dict[int, AESGCM]]:
    """(current key id, {key id: cipher}) from PII_KEYS = "2:<base64 key>,1:<old key>"."""
    keys: dict[int, AESGCM] = {}
    current = None
    for item in settings.PII_KEYS:
        key_id_text, _sep, encoded = item.strip().partition(":")
        try:
            key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except ValueError:
            key = b""
        if len(key) != 32 or not key_id_text.isdigit() or not 0 <= int(key_id_text) < 256:
            raise ImproperlyConfigured("PII_KEYS: each key is 'id:base64(32 bytes)', id 0-255")
        keys[int(key_id_text)] = AESGCM(key)
        current = int(key_id_text) if current is None else current
    if current is None:
        raise ImproperlyConfigured("PII_KEYS is empty")
    return current, keys


@receiver(setting_changed)
def _forget_changed_keys(*, setting: str, **kwargs: object) -> None:
    if setting in ("PII_KEYS", "PII_HASH_KEY"):
        reset_keys()


def reset_keys() -> None:
    """Forget cached keys (after settings change, e.g. in tests of rotation)."""
    _keys.cache_clear()
    _hash_key.cache_clear()


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def encrypt(plain: str) -> bytes:
    current, keys = _keys()
    nonce = os.urandom(12)
    return bytes([current]) + nonce + keys[current].encrypt(nonce, plain.encode(), _AAD)


def encrypt_bytes(plain: bytes) -> bytes:
    """For whole files (an uploaded ledger waiting for its import)."""
    current, keys = _keys()
    nonce = os.urandom(12)
    return bytes([current]) + nonce + keys[current].encrypt(nonce, plain, _AAD)


def decrypt_bytes(blob: bytes | memoryview) -> bytes:
    blob = bytes(blob)
    _current, keys = _keys()
    cipher = keys.get(blob[0])
    if cipher is None:
        raise ImproperlyConfigured(f"PII key {blob[0]} is not configured")
    return cipher.decrypt(blob[1:13], blob[13:], _AAD)


def decrypt(blob: bytes | memoryview) -> str:
    blob = bytes(blob)
    _current, keys = _keys()
    cipher = keys.get(blob[0])
    if cipher is None:
        raise ImproperlyConfigured(f"PII key {blob[0]} is not configured")
    return cipher.decrypt(blob[1:13], blob[13:], _AAD).decode()


def cipher_fields() -> list[tuple[type[Model], list[str]]]:
    """Every installed model's binary fields named `*_cipher`: by convention, what this
    module encrypted (found by `manage.py pii_rotate`, whichever app they belong to)."""
    found = []
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, BinaryField) and f.name.endswith("_cipher")
        ]
        if fields:
            found.append((model, fields))
    return found


def key_id(blob: bytes | memoryview) -> int:
    return bytes(blob[:1])[0]


def current_key_id() -> int:
    return _keys()[0]


@cache
def _hash_key() -> hmac.HMAC:
    """The keyed hash with the key already mixed in: each value then costs a copy and
    its own two blocks, not the key's two more (an import hashes a million values)."""
    return hmac.new(settings.PII_HASH_KEY.encode(), digestmod=hashlib.sha256)


def lookup_hash(kind: Kind, value: str) -> str:
    """Keyed hash for exact lookup; the kind keeps an ID and a phone with the same digits
    apart."""
    keyed = _hash_key().copy()
    keyed.update(f"{kind}:{value}".encode())
    return keyed.hexdigest()


def mask(kind: Kind, value: str) -> str:
    """The one mask. ID: first 3 and last 4 kept (18 characters: `441***********123X`);
    shorter documents keep the first and the last 2. Phone: first 3 and last 4 of a
    mobile (`138****8000`), the last 4 of anything else."""
    if not value:
        return ""
    if kind == "id":
        if len(value) >= 15:
            return value[:3] + "*" * (len(value) - 7) + value[-4:]
        return value[:1] + "*" * max(len(value) - 3, 1) + value[-2:]
    if len(value) == 11 and value.startswith("1"):
        return value[:3] + "****" + value[-4:]
    return "*" * max(len(value) - 4, 1) + value[-4:]
