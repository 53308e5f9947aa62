"""Daily aggregates behind the dashboards, recurring problems and campaigns.

Aggregates are cohort tables: a ticket counts on the local day (Europe/Rome) it was
created, except OperatorStat, which counts on the day it was resolved. Each table keeps
only the dimensions its reports filter and group by, so a year of a busy office stays
at tens of thousands of rows (see docs/architecture.md, "Statistics").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Office, Ticket


class DailyStat(models.Model):
    """Per day × office × queue × channel × topic × escalated: counts and time sums."""

    day = models.DateField()
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    queue = models.ForeignKey("tickets.Queue", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20)
    topic = models.ForeignKey("tickets.Topic", on_delete=models.CASCADE, null=True, related_name="+")
    escalated = models.BooleanField(default=False)
    created = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    resolved_front = models.PositiveIntegerField(default=0)  # resolved without escalation
    responded = models.PositiveIntegerField(default=0)
    voicemail = models.PositiveIntegerField(default=0)
    voicemail_next_day = models.PositiveIntegerField(default=0)
    first_response_met = models.PositiveIntegerField(default=0)
    first_response_missed = models.PositiveIntegerField(default=0)
    resolution_met = models.PositiveIntegerField(default=0)
    resolution_missed = models.PositiveIntegerField(default=0)
    first_response_seconds = models.BigIntegerField(default=0)  # wall-clock sums
    resolution_seconds = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "office"], name="dailystat_day_office_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.office_id} {self.channel}: {self.created}"


class ProfileStat(models.Model):
    """Per day × office × channel: tickets by one citizen dimension (profile, country, kind)."""

    class Dimension(models.TextChoices):
        PROFILE = "profile", _("Profile")
        COUNTRY = "country", _("Country")
        KIND = "kind", _("Kind")

    day = models.DateField()
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20)
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    value = models.CharField(max_length=20, blank=True)
    created = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["dimension", "day", "office"], name="profilestat_dim_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.value}: {self.created}"


class HourlyStat(models.Model):
    """Per day × office × channel × local hour: tickets created (heat map, board comparison)."""

    day = models.DateField()
    weekday = models.PositiveSmallIntegerField()  # 0 = Monday, as date.weekday()
    hour = models.PositiveSmallIntegerField()
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20)
    created = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "office"], name="hourlystat_day_office_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.hour:02d}h {self.channel}: {self.created}"


class DurationStat(models.Model):
    """Per day × office × channel × metric: a histogram in fixed buckets, for medians and p90."""

    class Metric(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("Time to first response")
        RESOLUTION = "resolution", _("Time to resolution")

    day = models.DateField()
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20)
    metric = models.CharField(max_length=20, choices=Metric.choices)
    bucket = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["metric", "day", "office"], name="durationstat_metric_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.metric}[{self.bucket}]: {self.count}"


class OperatorStat(models.Model):
    """Per resolution day × office × channel × operator: requests resolved and their time to resolution."""

    day = models.DateField()
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    handled = models.PositiveIntegerField(default=0)
    handling_seconds = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "office"], name="operatorstat_day_office_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.operator_id}: {self.handled}"


# ----------------------------------------------------------------------------- recurring problems


class PartnerBody(models.Model):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        AGENCY = "agency", _("Agency")
        MUNICIPALITY = "municipality", _("Municipality")
        OFFICE = "office", _("Office")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MINISTRY)

    class Meta:
        verbose_name = _("partner body")
        verbose_name_plural = _("partner bodies")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["ministry", "agency", "municipality", "office"]), name="partnerbody_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RecurringProblem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    partner = models.ForeignKey(
        PartnerBody, on_delete=models.PROTECT, related_name="problems", verbose_name=_("partner body")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    tickets = models.ManyToManyField(Ticket, through="ProblemLink", related_name="recurring_problems")

    class Meta:
        verbose_name = _("recurring problem")
        verbose_name_plural = _("recurring problems")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["open", "closed"]), name="recurringproblem_status_valid")
        ]

    def __str__(self) -> str:
        return self.title


class ProblemLink(models.Model):
    problem = models.ForeignKey(RecurringProblem, on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="problem_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["problem", "ticket"], name="problemlink_unique_pair")]
        indexes = [models.Index(fields=["problem", "linked_at"], name="problemlink_problem_idx")]

    def __str__(self) -> str:
        return f"{self.problem_id} ↔ {self.ticket_id}"


# ----------------------------------------------------------------------------- campaigns


class Campaign(models.Model):
    """A temporary service: an Office with its hours, queues and topics, open between two dates."""

    name = models.CharField(_("name"), max_length=200)
    office = models.OneToOneField(Office, on_delete=models.PROTECT, related_name="campaign", verbose_name=_("office"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    topics = models.ManyToManyField("tickets.Topic", blank=True, related_name="campaigns", verbose_name=_("topics"))
    is_closed = models.BooleanField(_("closed"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="campaign_dates_ordered")
        ]

    def __str__(self) -> str:
        return self.name
