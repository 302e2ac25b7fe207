import hashlib
import hmac

import pytest
from django.core.exceptions import ImproperlyConfigured

from jijie.core import pii


@pytest.fixture(autouse=True)
def _fresh_keys():
    pii.reset_keys()
    yield
    pii.reset_keys()


def test_round_trip_and_no_plaintext():
    blob = pii.encrypt("11010519491231002X")
    assert b"11010519491231002X" not in blob
    assert pii.decrypt(blob) == "11010519491231002X"
    assert pii.encrypt("11010519491231002X") != blob  # a fresh nonce each time


def test_key_rotation(settings):
    old = pii.encrypt("13800138000")
    settings.PII_KEYS = ["7:" + pii.new_key(), *settings.PII_KEYS]
    pii.reset_keys()
    assert pii.decrypt(old) == "13800138000"  # old rows still read
    new = pii.encrypt("13800138000")
    assert pii.key_id(new) == 7
    assert pii.key_id(old) != 7
    settings.PII_KEYS = settings.PII_KEYS[:1]
    pii.reset_keys()
    with pytest.raises(ImproperlyConfigured):
        pii.decrypt(old)  # a key dropped too early is an explicit error


def test_bad_key_configuration(settings):
    settings.PII_KEYS = ["0:short"]
    pii.reset_keys()
    with pytest.raises(ImproperlyConfigured):
        pii.encrypt("x")


def test_lookup_hash_is_keyed_and_kind_specific(settings):
    a = pii.lookup_hash("id", "13800138000")
    assert a == pii.lookup_hash("id", "13800138000")
    assert a != pii.lookup_hash("phone", "13800138000")
    settings.PII_HASH_KEY = "another"
    assert a != pii.lookup_hash("id", "13800138000")


def test_lookup_hash_is_hmac_sha256_of_kind_and_value(settings):
    # The hashes already stored must keep matching, however the hash is computed.
    settings.PII_HASH_KEY = "the key"
    expected = hmac.new(b"the key", b"phone:13800138000", hashlib.sha256).hexdigest()
    assert pii.lookup_hash("phone", "13800138000") == expected
    assert pii.lookup_hash("phone", "13800138000") == expected  # the keyed state is reused


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        ("id", "44160219900101123X", "441***********123X"),
        ("id", "441602900101123", "441********1123"),
        ("id", "E12345678", "E******78"),
        ("phone", "13800138000", "138****8000"),
        ("phone", "07623386000", "*******6000"),
        ("phone", "", ""),
    ],
)
def test_the_one_mask(kind, value, masked):
    assert pii.mask(kind, value) == masked
