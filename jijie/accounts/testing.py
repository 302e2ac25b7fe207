"""Test support for the second factor: enrol a user, and sign a test client in with a
session that has just stepped up, as a reveal or an unmasked export requires. Imported
only by tests."""

from __future__ import annotations

import pyotp
from django.test import Client
from django.utils import timezone

from jijie.accounts import mfa, selectors
from jijie.accounts.models import User
from jijie.accounts.requests import step_up_mark
from jijie.core import pii


def authenticator(user: User) -> pyotp.TOTP:
    """The user's authenticator app, as the phone holds it."""
    device = selectors.mfa_device(user=user)
    assert device is not None, f"{user} has no second factor"
    return pyotp.TOTP(pii.decrypt(device.secret_cipher))


def enrol(user: User) -> pyotp.TOTP:
    """Enrol `user` (if not yet) through the services; the returned authenticator has used
    the current time step."""
    if selectors.mfa_confirmed(user=user) is None:
        mfa.mfa_enrol_start(user=user)
        result = mfa.mfa_enrol_confirm(user=user, code=authenticator(user).at(timezone.now()))
        assert result.ok, result.message
    return authenticator(user)


def next_code(totp: pyotp.TOTP) -> str:
    """A code the server has not accepted yet: the next time step's (within the window
    of one step either side)."""
    return totp.at(timezone.now(), counter_offset=1)


def step_up(client: Client, user: User) -> pyotp.TOTP:
    """Sign `client` in as `user`, enrolled, with a session that verified a code now."""
    totp = enrol(user)
    client.force_login(user)
    session = client.session
    device = selectors.mfa_confirmed(user=user)
    assert device is not None
    step_up_mark(session, device)
    session.save()
    return totp
