import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    VOICEMAIL = "voicemail", _("Voicemail")
    EMAIL = "email", _("Email")
    WHATSAPP = "whatsapp", _("WhatsApp")
    WEB = "web", _("Web form")
    FAX = "fax", _("Fax")
    PAPER = "paper", _("Paper mail")


class Tier(models.TextChoices):
    FRONT = "front", _("Front office")
    BACK = "back", _("Back office")


class Office(models.Model):
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Rome")
    holiday_country = models.CharField(
        _("holiday country"), max_length=2, default="IT", help_text=_("ISO country of the public holidays")
    )
    holiday_subdivision = models.CharField(
        _("holiday region"), max_length=10, blank=True, help_text=_("e.g. TI for the canton of Ticino")
    )
    toll_free_number = PhoneNumberField(_("toll-free number"), blank=True)
    phone_number = PhoneNumberField(_("national number"), blank=True)
    voip_id = models.CharField(_("VoIP / Skype id"), max_length=100, blank=True)
    whatsapp_number = PhoneNumberField(_("WhatsApp number"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    fax_number = PhoneNumberField(_("fax"), blank=True)
    retention_months = models.PositiveIntegerField(
        _("retention (months)"), default=24, help_text=_("Personal data is anonymized this long after closure.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OfficeHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="hours", verbose_name=_("office"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["office", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(opens__lt=models.F("closes")), name="officehours_opens_before_closes"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="officehours_weekday_valid"),
            models.UniqueConstraint(fields=["office", "weekday", "opens"], name="officehours_unique_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class OfficeClosure(models.Model):
    """A day the office is closed beyond public holidays (patron saint, strike, move)."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="closures", verbose_name=_("office"))
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [models.UniqueConstraint(fields=["office", "date"], name="officeclosure_unique_day")]

    def __str__(self) -> str:
        return f"{self.office} {self.date}"


class Queue(models.Model):
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="queues", verbose_name=_("office"))
    name = models.CharField(_("name"), max_length=200)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.FRONT)
    first_response_hours = models.DecimalField(
        _("first response target (business hours)"), max_digits=6, decimal_places=2, default=8
    )
    resolution_hours = models.DecimalField(
        _("resolution target (business hours)"), max_digits=6, decimal_places=2, default=72
    )
    alarm_minutes = models.PositiveIntegerField(
        _("alarm after (minutes waiting)"),
        default=60,
        help_text=_("Oldest waiting ticket older than this raises an alarm."),
    )
    is_default = models.BooleanField(_("default for its tier"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        ordering = ["office", "tier", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(tier__in=Tier.values), name="queue_tier_valid"),
            models.UniqueConstraint(fields=["office", "name"], name="queue_unique_name_per_office"),
            models.UniqueConstraint(
                fields=["office", "tier"], condition=Q(is_default=True), name="queue_one_default_per_tier"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_tier_display()})"


class Topic(models.Model):
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return f"{self.parent} › {self.name}" if self.parent_id else self.name

    @property
    def root(self) -> "Topic":
        topic = self
        while topic.parent_id:
            topic = topic.parent
        return topic


class Citizen(TimeStampedModel):
    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Italian citizen")
        FOREIGN_NATIONAL = "foreign_national", _("Foreign national")
        EMPLOYER = "employer", _("Employer")
        FAMILY_MEMBER = "family_member", _("Family member")
        OTHER = "other", _("Other")

    class LegalBasis(models.TextChoices):
        PUBLIC_TASK = "public_task", _("Public task (GDPR art. 6.1.e)")
        CONSENT = "consent", _("Consent (GDPR art. 6.1.a)")
        LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (GDPR art. 6.1.c)")

    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    phone_alt = PhoneNumberField(_("other phone"), blank=True)
    whatsapp_id = models.CharField(_("WhatsApp id"), max_length=32, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="it"
    )
    nationality = CountryField(_("nationality"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    legal_basis = models.CharField(
        _("legal basis"), max_length=20, choices=LegalBasis.choices, default=LegalBasis.PUBLIC_TASK
    )
    consent_given = models.BooleanField(_("consent given"), default=False)
    consent_at = models.DateTimeField(_("consent date"), null=True, blank=True)
    consent_channel = models.CharField(_("consent channel"), max_length=20, choices=Channel.choices, blank=True)
    anonymized_at = models.DateTimeField(_("anonymized"), null=True, blank=True)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
        constraints = [
            models.UniqueConstraint(
                fields=["whatsapp_id"], condition=~Q(whatsapp_id=""), name="citizen_unique_whatsapp_id"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["citizen", "foreign_national", "employer", "family_member", "other"]),
                name="citizen_kind_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["email"], name="citizen_email_idx"),
            # Ingestion finds the sender with email__iexact (UPPER(email)): without this, a seq scan.
            models.Index(Upper("email"), name="citizen_email_upper_idx"),
            models.Index(fields=["phone"], name="citizen_phone_idx"),
            models.Index(fields=["last_name", "first_name"], name="citizen_name_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email or str(self.phone or "") or self.whatsapp_id or str(_("Anonymous citizen"))

    @property
    def is_italian(self) -> bool:
        return self.kind == self.Kind.CITIZEN or self.nationality == "IT"


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    ESCALATED = "escalated", _("Escalated")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CITIZEN = "waiting_citizen", _("Waiting for citizen")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


ACTIVE_STATUSES = [
    Status.NEW,
    Status.OPEN,
    Status.ESCALATED,
    Status.IN_PROGRESS,
    Status.WAITING_CITIZEN,
    Status.REOPENED,
]

# Which status may follow which: services check every change against this table.
TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {
        Status.OPEN,
        Status.ESCALATED,
        Status.IN_PROGRESS,
        Status.WAITING_CITIZEN,
        Status.RESOLVED,
        Status.CLOSED,
    },
    Status.OPEN: {Status.ESCALATED, Status.WAITING_CITIZEN, Status.RESOLVED, Status.CLOSED, Status.OPEN},
    Status.ESCALATED: {Status.IN_PROGRESS, Status.OPEN, Status.RESOLVED, Status.CLOSED},
    Status.IN_PROGRESS: {Status.WAITING_CITIZEN, Status.RESOLVED, Status.OPEN, Status.CLOSED, Status.IN_PROGRESS},
    Status.WAITING_CITIZEN: {Status.OPEN, Status.IN_PROGRESS, Status.ESCALATED, Status.RESOLVED, Status.CLOSED},
    Status.RESOLVED: {Status.CLOSED, Status.REOPENED},
    Status.CLOSED: {Status.REOPENED},
    Status.REOPENED: {
        Status.OPEN,
        Status.IN_PROGRESS,
        Status.ESCALATED,
        Status.WAITING_CITIZEN,
        Status.RESOLVED,
        Status.CLOSED,
    },
}


def generate_access_token() -> str:
    return secrets.token_urlsafe(24)


class Ticket(TimeStampedModel):
    Status = Status

    class Priority(models.IntegerChoices):
        LOW = 1, _("Low")
        NORMAL = 2, _("Normal")
        HIGH = 3, _("High")
        URGENT = 4, _("Urgent")

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("Answered")
        INFORMATION_SENT = "information_sent", _("Information sent")
        APPOINTMENT = "appointment", _("Appointment given")
        REFERRED = "referred", _("Referred to another body")
        DUPLICATE = "duplicate", _("Duplicate")
        NOT_COMPETENT = "not_competent", _("Not our competence")
        NO_REPLY = "no_reply", _("Citizen did not reply")

    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    # Unique through Meta.constraints rather than unique=True, which on PostgreSQL also builds a
    # varchar_pattern_ops index for LIKE that nothing uses: its random insertion point cost a B-tree
    # page per new ticket at a million tickets (tickets/migrations/0005).
    access_token = models.CharField(_("access token"), max_length=64, default=generate_access_token, editable=False)
    citizen = models.ForeignKey(
        Citizen,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("citizen"),
        db_index=False,  # ticket_citizen_idx (citizen, -created_at) serves the lookups and the PROTECT check
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="it")
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets", verbose_name=_("topic")
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("office"))
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("queue"))
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.FRONT)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    case_file_ref = models.CharField(
        _("case file (pratica)"), max_length=100, blank=True, help_text=_("The office's own case file number")
    )
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_tickets",
        verbose_name=_("merged into"),
    )
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # The next deadline the desk sorts by: first response until answered, then resolution.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_citizen_message_at = models.DateTimeField(_("last message from the citizen"), null=True, blank=True)
    # Bumped on every change: a form posted from an older view is refused, not applied.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="ticket_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="ticket_channel_valid"),
            models.CheckConstraint(condition=Q(tier__in=Tier.values), name="ticket_tier_valid"),
            models.CheckConstraint(condition=Q(priority__gte=1, priority__lte=4), name="ticket_priority_valid"),
            models.CheckConstraint(condition=~Q(merged_into=models.F("pk")), name="ticket_not_merged_into_itself"),
            models.UniqueConstraint(fields=["access_token"], name="ticket_unique_access_token"),
        ]
        indexes = [
            models.Index(fields=["queue", "status", "due_at", "id"], name="ticket_queue_status_due_idx"),
            models.Index(fields=["assignee", "status", "due_at", "id"], name="ticket_assignee_due_idx"),
            models.Index(fields=["status", "due_at", "id"], name="ticket_status_due_idx"),
            models.Index(fields=["citizen", "-created_at"], name="ticket_citizen_idx"),
            models.Index(fields=["office", "created_at"], name="ticket_office_created_idx"),
            models.Index(fields=["created_at"], name="ticket_created_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_at and self.is_active and self.due_at < timezone.now())


class TicketSequence(models.Model):
    """Per-year counter for references where the database has no sequences (SQLite)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "in", _("From the citizen")
        OUTBOUND = "out", _("To the citizen")
        NOTE = "note", _("Internal note")

    class Delivery(models.TextChoices):
        NONE = "", _("—")
        PENDING = "pending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Failed")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages", verbose_name=_("request"))
    direction = models.CharField(_("direction"), max_length=5, choices=Direction.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    sender = models.CharField(_("sender"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(_("sanitized HTML"), blank=True)
    external_id = models.CharField(_("external id"), max_length=255, blank=True)
    delivery_status = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, blank=True)
    delivery_error = models.TextField(_("delivery error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(direction__in=["in", "out", "note"]), name="message_direction_valid"),
            models.UniqueConstraint(
                fields=["channel", "external_id"], condition=~Q(external_id=""), name="message_unique_external_id"
            ),
        ]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_public(self) -> bool:
        return self.direction != self.Direction.NOTE


def attachment_path(instance: "Attachment", filename: str) -> str:
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{secrets.token_hex(8)}/{filename}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("request"))
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments", verbose_name=_("message")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=500)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    content_id = models.CharField(max_length=255, blank=True)
    inline = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_audio(self) -> bool:
        return self.content_type.startswith("audio/")


class TicketEvent(models.Model):
    """Append-only timeline of a ticket (PostgreSQL rejects updates with a trigger)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Request opened")
        MESSAGE_RECEIVED = "message_received", _("Message received")
        TAKEN = "taken", _("Taken in charge")
        ASSIGNED = "assigned", _("Assigned")
        ESCALATED = "escalated", _("Escalated to back office")
        RETURNED = "returned", _("Returned to front office")
        HANDED_TO_OFFICIAL = "handed_to_official", _("Handed to an official")
        REPLIED = "replied", _("Reply sent")
        NOTE = "note", _("Internal note")
        WAITING = "waiting_citizen", _("Waiting for the citizen")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        MERGED = "merged", _("Merged")
        TOPIC_CHANGED = "topic_changed", _("Topic changed")
        PRIORITY_CHANGED = "priority_changed", _("Priority changed")
        DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
        UPDATED = "updated", _("Updated")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("request"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    public = models.BooleanField(_("shown to the citizen"), default=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_idx"),
            models.Index(fields=["kind", "created_at"], name="event_kind_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"
