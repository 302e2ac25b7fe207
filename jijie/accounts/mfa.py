"""The second factor (TOTP, RFC 6238) asked of roles that reveal or export personal data
(`access.requires_mfa`): enrolment, verification, recovery codes, disabling, and the
reset by whoever manages the user's role. Each write records its audit row.

- The secret is encrypted at rest with the personal-data keys and shown only while the
  user enrols (as a QR code drawn here, and as text).
- A code is accepted for the time step before, at or after now (phone clocks drift),
  and each time step once: the last accepted step is stored, so a code seen over a
  shoulder or replayed by a proxy is refused.
- Failed codes are counted on the device, in the database: after MFA_FAILURE_LIMIT the
  device is locked for MFA_LOCKOUT_MINUTES, whichever server the next try reaches.
- Recovery codes are random, shown once, stored as their SHA-256, and each works once.

Failures are committed, never rolled back: the services answer a `Verification`
instead of raising, so the count and the audit row of a failed try stay.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

import pyotp
import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from pyotp.exceptions import OTPVerificationError

from jijie.accounts import tokens
from jijie.accounts.models import MfaDevice, MfaRecoveryCode, User
from jijie.areas import access
from jijie.audit.actors import SYSTEM, Actor
from jijie.audit.services import audit_record
from jijie.core import pii

ISSUER = "Jijie"
RECOVERY_CODE_COUNT = 8
# Unambiguous characters (no 0/o, 1/l/i): 10 of them are about 50 bits.
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
RECOVERY_LENGTH = 10
RESET_REASON_MIN = 4


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    REPLAYED = "replayed"
    LOCKED = "locked"


@dataclass(frozen=True)
class Verification:
    """What became of a code. `recovery_codes` holds new codes (shown once) when the
    step issued them."""

    outcome: Outcome
    device: MfaDevice
    method: str = "totp"
    recovery_codes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.ACCEPTED

    @property
    def message(self) -> str:
        if self.outcome == Outcome.ACCEPTED:
            return ""
        if self.outcome == Outcome.REPLAYED:
            return _("这个动态码已经用过了,请等验证器显示下一个动态码再输入。")
        if self.outcome == Outcome.LOCKED:
            until = timezone.localtime(self.device.locked_until or timezone.now())
            return _("动态码错误次数过多,两步验证已锁定到 %(time)s,请稍后再试。") % {
                "time": date_format(until, "H:i")
            }
        return _("动态码不正确,请核对验证器上当前显示的 6 位数字。")


def _totp(device: MfaDevice) -> pyotp.TOTP:
    return pyotp.TOTP(pii.decrypt(device.secret_cipher))


def _code_hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _device(user: User) -> MfaDevice | None:
    """The user's device, locked for the rest of the transaction: two tries with the same
    code at the same moment are checked one after the other."""
    return MfaDevice.objects.select_for_update().filter(user=user).first()


@dataclass(frozen=True)
class Enrolment:
    """What the user copies into their authenticator app."""

    secret: str
    uri: str
    qr_svg: str

    @property
    def secret_groups(self) -> str:
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


@sensitive_variables("secret")
def enrolment(device: MfaDevice) -> Enrolment:
    """The secret of a device waiting for its first code, as text and as an inline SVG QR
    code (drawn here: no outside service sees the secret)."""
    if device.is_confirmed:
        raise ValidationError(_("两步验证已经启用,密钥不再显示。"))
    secret = pii.decrypt(device.secret_cipher)
    uri = pyotp.TOTP(secret).provisioning_uri(name=device.user.get_username(), issuer_name=ISSUER)
    qr = segno.make(uri, error="m").svg_inline(scale=5, border=3, light="#fff", title=ISSUER)
    return Enrolment(secret=secret, uri=uri, qr_svg=qr)


@transaction.atomic
def mfa_enrolment_require(*, user: User, actor: Actor = SYSTEM) -> None:
    """Send the user to enrolment before anything else (jijie.accounts.middleware) when
    their roles ask for a second factor they have not confirmed. The tokens they made
    without one end."""
    confirmed = MfaDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
    if access.requires_mfa(user) and not confirmed:
        User.objects.filter(pk=user.pk).update(mfa_enrolment_required=True)
        user.mfa_enrolment_required = True
        tokens.tokens_end(actor=actor, user=user, why="mfa.enrolment_required")


@transaction.atomic
def mfa_enrol_start(*, user: User) -> MfaDevice:
    """Give the user a new secret that waits for its first valid code. Starting again
    replaces the waiting secret but keeps the failure count and any lock."""
    device = _device(user)
    if device is not None and device.is_confirmed:
        raise ValidationError(_("您已经启用了两步验证。更换手机请先停用,再重新设置。"))
    secret_cipher = pii.encrypt(pyotp.random_base32())
    if device is None:
        return MfaDevice.objects.create(user=user, secret_cipher=secret_cipher)
    device.secret_cipher = secret_cipher
    device.last_counter = 0
    device.save(update_fields=["secret_cipher", "last_counter"])
    return device


def _new_recovery_codes(device: MfaDevice) -> list[str]:
    device.recovery_codes.all().delete()
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(RECOVERY_LENGTH))
        for _n in range(RECOVERY_CODE_COUNT)
    ]
    MfaRecoveryCode.objects.bulk_create(
        MfaRecoveryCode(device=device, code_hash=_code_hash(code)) for code in codes
    )
    half = RECOVERY_LENGTH // 2
    return [f"{code[:half]}-{code[half:]}" for code in codes]


@sensitive_variables("code")
def _check(device: MfaDevice, code: str, *, allow_recovery: bool) -> Verification:
    """Check a code against a locked device row and record the try on it."""
    now = timezone.now()
    if device.locked_until is not None and device.locked_until > now:
        return Verification(Outcome.LOCKED, device)
    typed = _normalise(code)
    outcome, method = Outcome.WRONG, "totp"
    if typed.isdigit() and len(typed) == 6:
        try:
            counter = _totp(device).verify_and_get_timecode(typed, for_time=now, valid_window=1)
        except OTPVerificationError:
            pass
        else:
            if counter <= device.last_counter:
                outcome = Outcome.REPLAYED
            else:
                outcome = Outcome.ACCEPTED
                device.last_counter = counter
    elif allow_recovery and len(typed) == RECOVERY_LENGTH:
        method = "recovery"
        used = MfaRecoveryCode.objects.filter(
            device=device, code_hash=_code_hash(typed), used_at__isnull=True
        ).update(used_at=now)
        if used:
            outcome = Outcome.ACCEPTED
    if outcome == Outcome.ACCEPTED:
        device.failures = 0
        device.locked_until = None
    else:
        device.failures += 1
        if device.failures >= settings.MFA_FAILURE_LIMIT:
            device.failures = 0
            device.locked_until = now + timedelta(minutes=settings.MFA_LOCKOUT_MINUTES)
    device.save(update_fields=["last_counter", "failures", "locked_until"])
    return Verification(outcome, device, method)


def _audit_failure(
    user: User, result: Verification, stage: str, request: HttpRequest | None
) -> None:
    data: dict[str, object] = {"stage": stage, "outcome": str(result.outcome)}
    if result.device.locked_until is not None and result.outcome != Outcome.LOCKED:
        data["locked"] = True  # this failure was the one that locked it
    audit_record(actor=user, action="mfa.verify.failed", target=user, data=data, request=request)


@transaction.atomic
def mfa_enrol_confirm(*, user: User, code: str, request: HttpRequest | None = None) -> Verification:
    """Activate the waiting secret with its first valid code; the answer carries the new
    recovery codes, to be shown once."""
    device = _device(user)
    if device is None or device.is_confirmed:
        raise ValidationError(_("没有等待确认的两步验证设置,请重新开始。"))
    result = _check(device, code, allow_recovery=False)
    if not result.ok:
        _audit_failure(user, result, "enrol", request)
        return result
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    User.objects.filter(pk=user.pk).update(mfa_enrolment_required=False)
    user.mfa_enrolment_required = False
    codes = _new_recovery_codes(device)
    audit_record(actor=user, action="mfa.enrol", target=user, request=request)
    return Verification(Outcome.ACCEPTED, device, recovery_codes=codes)


def _confirmed_device(user: User) -> MfaDevice:
    device = _device(user)
    if device is None or not device.is_confirmed:
        raise ValidationError(_("您还没有启用两步验证。"))
    return device


@transaction.atomic
def mfa_verify(*, user: User, code: str, request: HttpRequest | None = None) -> Verification:
    """Check a code (or a recovery code) of an enrolled user: the step-up before a reveal
    or an unmasked export."""
    device = _confirmed_device(user)
    result = _check(device, code, allow_recovery=True)
    if not result.ok:
        _audit_failure(user, result, "verify", request)
        return result
    audit_record(
        actor=user,
        action="mfa.verify",
        target=user,
        data={"method": result.method},
        request=request,
    )
    return result


@transaction.atomic
def mfa_recovery_renew(
    *, user: User, code: str, request: HttpRequest | None = None
) -> Verification:
    """New recovery codes (the old ones stop working), against a current code."""
    device = _confirmed_device(user)
    result = _check(device, code, allow_recovery=False)
    if not result.ok:
        _audit_failure(user, result, "recovery", request)
        return result
    codes = _new_recovery_codes(device)
    audit_record(actor=user, action="mfa.recovery.renew", target=user, request=request)
    return Verification(Outcome.ACCEPTED, device, recovery_codes=codes)


@transaction.atomic
def mfa_disable(*, user: User, code: str, request: HttpRequest | None = None) -> Verification:
    """The user turns their second factor off, proving it with a code one last time."""
    device = _confirmed_device(user)
    result = _check(device, code, allow_recovery=True)
    if not result.ok:
        _audit_failure(user, result, "disable", request)
        return result
    device.delete()
    audit_record(actor=user, action="mfa.disable", target=user, request=request)
    mfa_enrolment_require(user=user)  # a role that needs it: a new phone, at once
    return result


def mfa_reset(*, actor: User, user: User, reason: str, request: HttpRequest | None = None) -> None:
    """`do_mfa_reset` by someone who manages one of the user's roles
    (`access.may_reset_mfa`)."""
    if not access.may_reset_mfa(actor, user):
        raise PermissionDenied(_("您不能重置该用户的两步验证。"))
    do_mfa_reset(actor=actor, user=user, reason=reason, request=request)


@transaction.atomic
def do_mfa_reset(
    *, actor: Actor, user: User, reason: str, request: HttpRequest | None = None
) -> None:
    """Remove a user's second factor (a lost or changed phone) so that they enrol again,
    for a reason. Takes no lock: a second reset finds no device."""
    reason = reason.strip()
    if len(reason) < RESET_REASON_MIN:
        raise ValidationError({"reason": _("请写明重置的原因(至少 4 个字)。")})
    device = _device(user)
    if device is None:
        raise ValidationError(_("该用户没有设置两步验证,无需重置。"))
    device.delete()
    audit_record(actor=actor, action="mfa.reset", target=user, reason=reason, request=request)
    mfa_enrolment_require(user=user, actor=actor)
