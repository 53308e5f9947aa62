from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboundMessage(models.Model):
    """Raw input exactly as received, stored before anything else happens (DESIGN §4)."""

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        QUARANTINED = "quarantined", _("Quarantined")

    channel = models.CharField(_("channel"), max_length=20)
    external_id = models.CharField(
        _("external id"), max_length=255, help_text=_("Message-ID, WhatsApp id, CallSid… or SHA-256 of the bytes")
    )
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("mailbox or endpoint"))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    raw = models.BinaryField(_("raw input"))
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.RECEIVED)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
        verbose_name=_("request"),
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="inbound_unique_channel_external_id"),
            models.CheckConstraint(
                condition=Q(state__in=["received", "processed", "ignored", "quarantined"]), name="inbound_state_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "received_at"], name="inbound_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id[:60]}"
