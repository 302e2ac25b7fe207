"""Pass tokens: a small binary payload signed with Ed25519, base64url in the QR code.

The payload is `JJ1.` + base64url(version, pass id, household id, response id,
valid from, valid until, outings per day ‖ 64-byte signature): 94 bytes, 126 characters.
It carries numbers only. A guard's phone holding the public key (`public_key_b64`)
checks the signature and the validity without the server; revocation reaches it with
the list of revoked pass ids (`/api/gates/keys`).
"""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

PREFIX = "JJ1."
VERSION = 1
_FORMAT = ">BQQIIIB"  # version, pass, household, response, from, until (epoch s), outings
_SIZE = struct.calcsize(_FORMAT)
_SIGNATURE = 64


class TokenError(ValueError):
    """A token that is not a pass of ours: malformed or with a bad signature."""


@dataclass(frozen=True)
class PassClaims:
    pass_id: int
    household_id: int
    response_id: int
    valid_from: datetime
    valid_until: datetime
    outings_per_day: int


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@cache
def _private_key(seed_b64: str) -> Ed25519PrivateKey:
    seed = _b64decode(seed_b64)
    if len(seed) != 32:
        raise ValueError("GATE_SIGNING_KEY must be 32 bytes, base64url")
    return Ed25519PrivateKey.from_private_bytes(seed)


def private_key() -> Ed25519PrivateKey:
    return _private_key(settings.GATE_SIGNING_KEY)


@cache
def _public_key(seed_b64: str) -> Ed25519PublicKey:
    return _private_key(seed_b64).public_key()


def public_key_b64() -> str:
    raw = private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def sign(claims: PassClaims) -> str:
    payload = struct.pack(
        _FORMAT,
        VERSION,
        claims.pass_id,
        claims.household_id,
        claims.response_id,
        int(claims.valid_from.timestamp()),
        int(claims.valid_until.timestamp()),
        min(claims.outings_per_day, 255),
    )
    signature = private_key().sign(payload)
    return PREFIX + base64.urlsafe_b64encode(payload + signature).decode().rstrip("=")


def verify(token: str) -> PassClaims:
    """The claims of a token signed by us; `TokenError` otherwise. Validity and
    revocation are the rules' business, not this function's."""
    token = token.strip()
    if not token.startswith(PREFIX) or len(token) > 200:
        raise TokenError("not a pass token")
    try:
        raw = _b64decode(token[len(PREFIX) :])
    except (binascii.Error, ValueError) as error:
        raise TokenError("not base64url") from error
    if len(raw) != _SIZE + _SIGNATURE:
        raise TokenError("wrong length")
    payload, signature = raw[:_SIZE], raw[_SIZE:]
    try:
        _public_key(settings.GATE_SIGNING_KEY).verify(signature, payload)
    except InvalidSignature as error:
        raise TokenError("bad signature") from error
    version, pass_id, household_id, response_id, start, end, outings = struct.unpack(
        _FORMAT, payload
    )
    if version != VERSION:
        raise TokenError("unknown version")
    return PassClaims(
        pass_id=pass_id,
        household_id=household_id,
        response_id=response_id,
        valid_from=datetime.fromtimestamp(start, UTC),
        valid_until=datetime.fromtimestamp(end, UTC),
        outings_per_day=outings,
    )
