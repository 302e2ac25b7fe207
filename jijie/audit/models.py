"""The audit chain's rows and its head.

Below every app that writes (the areas included), so that each can audit its writes:
the actor is a foreign key to the user model by its setting, never an import of the
accounts app, which sits above the areas its roles are held over.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One row of the audit chain. `hash` is an HMAC over the row and the previous hash,
    so an edited, inserted or deleted row breaks the chain (`manage.py audit_verify`).
    Never holds personal values: only what was done, by whom, to which record, and why.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    area_path = models.CharField(max_length=255, blank=True, db_index=True)
    reason = models.TextField(_("事由"), blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects: ClassVar[AppendOnlyQuerySet] = AppendOnlyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        db_table = "accounts_auditevent"  # where it was kept before it had an app of its own
        ordering = ["-seq"]
        # The failed sign-ins of an address in the cool-off (selectors.login_address_paused).
        indexes = [models.Index(fields=["ip_address", "at"], name="audit_ip_at")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit log is append-only.")


class AuditHead(models.Model):
    """The chain's head, one row. Appending locks it, so sequence numbers have no gaps
    and a deleted last row is still detected."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        db_table = "accounts_audithead"
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"audit head #{self.last_seq}"
