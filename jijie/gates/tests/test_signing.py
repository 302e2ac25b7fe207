"""Pass tokens: signed, compact, nothing personal; tampering is caught."""

import base64
from datetime import UTC, datetime

import pytest

from jijie.gates import signing

CLAIMS = signing.PassClaims(
    pass_id=42,
    household_id=7,
    response_id=3,
    valid_from=datetime(2026, 11, 1, tzinfo=UTC),
    valid_until=datetime(2026, 12, 1, tzinfo=UTC),
    outings_per_day=1,
)


def test_round_trip_and_size():
    token = signing.sign(CLAIMS)
    assert token.startswith("JJ1.")
    assert len(token) <= 130
    assert signing.verify(token) == CLAIMS


def test_verifies_with_the_published_public_key_alone():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    token = signing.sign(CLAIMS)
    raw = base64.urlsafe_b64decode(token[4:] + "=" * (-len(token[4:]) % 4))
    key = base64.urlsafe_b64decode(signing.public_key_b64() + "=")
    Ed25519PublicKey.from_public_bytes(key).verify(raw[-64:], raw[:-64])


@pytest.mark.parametrize("position", [5, 10, 20, 40, 80, 120])
def test_a_changed_character_is_refused(position):
    token = signing.sign(CLAIMS)
    changed = token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1 :]
    with pytest.raises(signing.TokenError):
        signing.verify(changed)


def test_a_payload_signed_by_another_key_is_refused(settings):
    settings.GATE_SIGNING_KEY = base64.urlsafe_b64encode(b"x" * 32).decode()
    forged = signing.sign(CLAIMS)
    settings.GATE_SIGNING_KEY = base64.urlsafe_b64encode(b"y" * 32).decode()
    with pytest.raises(signing.TokenError):
        signing.verify(forged)


@pytest.mark.parametrize(
    "token", ["", "JJ1.", "JJ1.!!!", "hello", "JJ1." + "A" * 126, "JJ1." + "A" * 500]
)
def test_garbage_is_refused(token):
    with pytest.raises(signing.TokenError):
        signing.verify(token)
