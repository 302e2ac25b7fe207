from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jijie.areas.models import Area
from jijie.areas.roles import Role

# Whoever can do anything, unchecked, cannot also be the one who checks the audit log.
# No constraint of one table can say it (the flag is the user's, the role an assignment's):
# `User.clean` and `RoleAssignment.clean` refuse it, `role_assign` calls the latter, and
# `accounts.E001` (jijie/accounts/checks.py) finds any account that breaks it anyway
# whenever `migrate` runs or `check --database default` is asked.
SUPERUSER_AUDITOR_MESSAGE = _("超级用户不能担任审计员:审计员须另设一个普通账号。")


class User(AbstractUser):
    """A person who signs in. Roles come from RoleAssignment, never from Django groups."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    # Steps the user takes before anything else (jijie.accounts.middleware): a password
    # chosen by someone else (an account opened for them, a reset) is replaced by one
    # only they know; a role that reveals or exports gets its second factor at sign-in.
    password_change_required = models.BooleanField(_("须修改密码"), default=False)
    mfa_enrolment_required = models.BooleanField(_("须设置两步验证"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        if (
            self.is_superuser
            and self.pk is not None
            and self.role_assignments.filter(role=Role.AUDITOR).exists()
        ):
            raise ValidationError({"is_superuser": SUPERUSER_AUDITOR_MESSAGE})


class RoleAssignment(models.Model):
    """A role held over an area subtree: the unit of every permission decision."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    area = models.ForeignKey(
        Area, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="role_assignments"
    )
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="role_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area.name}"

    def clean(self) -> None:
        super().clean()
        if self.role == Role.AUDITOR and self.user.is_superuser:
            raise ValidationError({"role": SUPERUSER_AUDITOR_MESSAGE})


class TokenScope(models.TextChoices):
    """What a bearer token may call: a part of the API (`/api/<scope>/…`). Every token
    may also ask who it belongs to (`/api/accounts/me`)."""

    GATES = "gates", _("门岗:扫码、通行证")
    SCREENING = "screening", _("入户排查")
    MOBILIZATION = "mobilization", _("党员与志愿者:报名、报到、任务")
    RESIDENTS = "residents", _("居民登记")
    AREAS = "areas", _("区域")
    SUPPLIES = "supplies", _("物资:仓库与库存")
    FUNDS = "funds", _("资金:账目与捐赠")
    PROBLEMS = "problems", _("问题:台账与办理评价")
    REPORTS = "reports", _("日报:每日数字与通报")


class ApiToken(models.Model):
    """A bearer token for phones and other systems. Only its SHA-256 is stored; it may
    call the parts of the API named in `scopes`, until `expires_at`."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100)
    scopes = models.JSONField(_("可调用的接口"), default=list)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"))
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def scope_labels(self) -> list[str]:
        labels = dict(TokenScope.choices)
        return [str(labels.get(scope, scope)) for scope in self.scopes]


class MfaDevice(models.Model):
    """A user's authenticator app (TOTP, RFC 6238): the second factor asked of roles that
    can reveal or export personal data.

    The secret is encrypted like personal data. `last_counter` is the last time step a
    code was accepted for, so each code works once. Failures and the lock live here, in
    the database, so that every app server and worker sees the same count.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="mfa_device")
    secret_cipher = models.BinaryField(editable=False)
    # Null while enrolment waits for the first valid code.
    confirmed_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    last_counter = models.BigIntegerField(default=0, editable=False)
    failures = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("两步验证设备")
        verbose_name_plural = _("两步验证设备")

    def __str__(self) -> str:
        return f"{self.user} · TOTP"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class MfaRecoveryCode(models.Model):
    """A one-time code for when the phone is lost; only its SHA-256 is stored."""

    device = models.ForeignKey(MfaDevice, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("恢复码")
        verbose_name_plural = _("恢复码")
        constraints = [
            models.UniqueConstraint(fields=["device", "code_hash"], name="mfa_recovery_code_once"),
        ]

    def __str__(self) -> str:
        return f"{self.device.user} · {self.code_hash[:8]}…"
