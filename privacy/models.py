"""GDPR records: who looked at whose data, what the citizen agreed to, what was exported or erased."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Channel, Citizen


class AccessLog(models.Model):
    """One row per view of personal data by staff. Append-only by convention: no admin edits."""

    class Via(models.TextChoices):
        DESK = "desk", _("Desk")
        ADMIN = "admin", _("Administration")
        API = "api", _("API")

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        LIST = "list", _("Listed")
        DOWNLOAD = "download", _("Downloaded an attachment")
        EXPORT = "export", _("Exported (data subject request)")
        ERASE = "erase", _("Erased (data subject request)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    # Kept as text too: the log must still say who after the account is deleted.
    username = models.CharField(_("user name"), max_length=150, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("request")
    )
    citizen = models.ForeignKey(
        Citizen, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("citizen")
    )
    via = models.CharField(_("channel"), max_length=10, choices=Via.choices)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices, default=Action.VIEW)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["citizen", "-created_at"], name="accesslog_citizen_idx"),
            models.Index(fields=["ticket", "-created_at"], name="accesslog_ticket_idx"),
            models.Index(fields=["user", "-created_at"], name="accesslog_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.created_at:%Y-%m-%d %H:%M}"


class ConsentRecord(models.Model):
    """History of the legal basis and consent of a citizen; Citizen keeps the current values."""

    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="consent_records", verbose_name=_("citizen")
    )
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=Citizen.LegalBasis.choices)
    consent_given = models.BooleanField(_("consent given"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    notice_version = models.CharField(_("privacy notice version"), max_length=20, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.citizen_id} {self.legal_basis} {self.recorded_at:%Y-%m-%d}"


class DataSubjectRequest(models.Model):
    """Audit entry of an export or an erasure done for a citizen (GDPR art. 15, 17)."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export (access)")
        ERASURE = "erasure", _("Erasure")
        RETENTION = "retention", _("Retention anonymization")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    citizen = models.ForeignKey(
        Citizen, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("citizen")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("data subject request")
        verbose_name_plural = _("data subject requests")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.citizen_id} {self.created_at:%Y-%m-%d}"
