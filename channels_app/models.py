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
            # What a drainer claims, oldest first (pipeline._claim_batch): in this order, so that a
            # claim reads its 64 rows and stops, instead of sorting the whole backlog each time
            # (34 ms a batch with a few thousand waiting, which made a burst cost O(n²)).
            models.Index(
                fields=["received_at", "id"],
                condition=Q(state="received", attempts=0),
                name="inbound_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id[:60]}"


class Call(models.Model):
    """One phone call as the PBX reported it through the CTI push API (newCall, answer, hangup)."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("Inbound")
        OUTBOUND = "out", _("Outbound")

    class Status(models.TextChoices):
        RINGING = "ringing", _("Ringing")
        ANSWERED = "answered", _("Answered")
        MISSED = "missed", _("Missed")
        ENDED = "ended", _("Ended")

    call_id = models.CharField(_("call id"), max_length=255, unique=True)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices, default=Direction.INBOUND)
    from_number = models.CharField(_("from"), max_length=32, blank=True, help_text=_("E.164; empty when withheld"))
    to_number = models.CharField(_("to"), max_length=32, blank=True)
    raw_from = models.CharField(_("caller id as sent"), max_length=100, blank=True)
    raw_to = models.CharField(_("called number as sent"), max_length=100, blank=True)
    citizen = models.ForeignKey(
        "tickets.Citizen",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("citizen"),
    )
    users = models.JSONField(_("operators rung"), default=list, blank=True)
    queue = models.CharField(_("PBX queue"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RINGING)
    cause = models.CharField(_("hangup cause"), max_length=50, blank=True)
    answered_by = models.CharField(_("answered by"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    callback_ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="missed_calls",
        verbose_name=_("call-back request"),
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(direction__in=["in", "out"]), name="call_direction_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["ringing", "answered", "missed", "ended"]), name="call_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "started_at"], name="call_status_idx"),
            models.Index(fields=["from_number"], name="call_from_idx"),
            models.Index(fields=["citizen", "-started_at"], name="call_citizen_idx"),
        ]

    def __str__(self) -> str:
        number = self.from_number if self.direction == self.Direction.INBOUND else self.to_number
        return f"{self.get_direction_display()} {number or _('anonymous')} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def citizen_number(self) -> str:
        """The citizen's side of the call (the caller of an inbound call, the callee of an outbound one)."""
        return self.from_number if self.direction == self.Direction.INBOUND else self.to_number

    @property
    def duration(self):
        if self.answered_at and self.ended_at:
            return self.ended_at - self.answered_at
        return None
