"""FAQ ("Cerco le risposte"), procedures with their checklists, feedback and appointments.

Translated fields (name, question, answer, title, ...) get one column per language from
django-modeltranslation (faq/translation.py); reading `entry.question` gives the active
language and falls back to Italian. The search vectors (FaqSearchDocument, one row per
entry and language) are kept current by a PostgreSQL trigger (migration 0003): never written
by Django, never computed per query.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Office, Ticket, Topic

TRANSLATED_LANGUAGES = ("en", "fr", "es")  # Italian is the source text


class TranslationState(models.TextChoices):
    MISSING = "missing", _("Missing")
    TO_REVIEW = "to_review", _("To review")
    READY = "ready", _("Ready")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class TranslatedContent(models.Model):
    """Per-language translation status: a language is shown only when its text is ready."""

    translation_en = models.CharField(
        _("English translation"), max_length=10, choices=TranslationState.choices, default=TranslationState.MISSING
    )
    translation_fr = models.CharField(
        _("French translation"), max_length=10, choices=TranslationState.choices, default=TranslationState.MISSING
    )
    translation_es = models.CharField(
        _("Spanish translation"), max_length=10, choices=TranslationState.choices, default=TranslationState.MISSING
    )

    # The field whose presence says "this language has a text" (question, title, name).
    primary_translated_field = ""

    class Meta:
        abstract = True

    def translation_state(self, language: str) -> str:
        if language == settings.LANGUAGE_CODE:
            return TranslationState.READY
        return getattr(self, f"translation_{language}", TranslationState.MISSING)

    def is_translated(self, language: str) -> bool:
        """True when the text in `language` is ready to show; otherwise the portal shows Italian, marked."""
        if language == settings.LANGUAGE_CODE:
            return True
        if self.translation_state(language) != TranslationState.READY:
            return False
        return bool(getattr(self, f"{self.primary_translated_field}_{language}", ""))


class FaqTopic(TranslatedContent):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    ticket_topic = models.ForeignKey(
        Topic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="faq_topics",
        verbose_name=_("request topic"),
        help_text=_("Requests on this topic are suggested these answers."),
    )

    primary_translated_field = "name"

    class Meta:
        verbose_name = _("FAQ topic")
        verbose_name_plural = _("FAQ topics")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name


class FaqEntryQuerySet(models.QuerySet):
    def published(self) -> FaqEntryQuerySet:
        return self.filter(status=PublicationStatus.PUBLISHED)


class FaqEntry(TranslatedContent):
    Status = PublicationStatus

    topic = models.ForeignKey(FaqTopic, on_delete=models.PROTECT, related_name="entries", verbose_name=_("topic"))
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    question = models.CharField(_("question"), max_length=300)
    # Sanitized HTML (nh3) written by the admin form and the seed; sanitized again when shown.
    answer = models.TextField(_("answer"))
    status = models.CharField(_("status"), max_length=10, choices=PublicationStatus.choices, default="draft")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    related = models.ManyToManyField("self", blank=True, symmetrical=True, verbose_name=_("related questions"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last update"), auto_now=True)

    primary_translated_field = "question"

    objects = FaqEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["topic__position", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "published"]), name="faqentry_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "topic", "position"], name="faqentry_listing_idx")]

    def __str__(self) -> str:
        return self.question

    @property
    def is_published(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED

    def clean(self) -> None:
        from .sanitize import sanitize_answer

        for code, _name in settings.LANGUAGES:
            value = getattr(self, f"answer_{code}", None)
            if value:
                setattr(self, f"answer_{code}", sanitize_answer(value))


class FaqSearchDocument(models.Model):
    """One row per entry and language with its tsvector, written by a PostgreSQL trigger on FaqEntry.

    A narrow table of its own: ranking thousands of matches reads small rows kept inline, not
    the wide, TOASTed FAQ rows (ten times faster on 5,000 entries). Empty on SQLite.
    """

    entry = models.ForeignKey(FaqEntry, on_delete=models.CASCADE, related_name="search_documents")
    language = models.CharField(max_length=5)
    published = models.BooleanField(default=False)
    document = SearchVectorField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "language"], name="faqsearch_one_per_language")]
        # Searched through one partial GIN index per language (migration 0005), PostgreSQL only.

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.language}"


class Procedure(TranslatedContent):
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    # WhatsApp list rows allow 24 characters for a title.
    short_title = models.CharField(_("short title (WhatsApp, 24 characters)"), max_length=24)
    summary = models.TextField(_("summary"), blank=True)
    documents = models.TextField(_("documents to bring"), help_text=_("One document per line."))
    fees = models.TextField(_("fees"), blank=True, help_text=_("One fee per line."))
    where_to_go = models.TextField(_("where to go"), blank=True)
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("office"), null=True, blank=True
    )
    topic = models.ForeignKey(
        FaqTopic, on_delete=models.SET_NULL, null=True, blank=True, related_name="procedures", verbose_name=_("topic")
    )
    is_published = models.BooleanField(_("published"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("last update"), auto_now=True)

    primary_translated_field = "title"

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip(" -•\t") for line in (text or "").splitlines() if line.strip(" -•\t")]

    def text_in(self, field: str, language: str) -> str:
        """The field in `language`, or in Italian when that translation is not ready."""
        if self.is_translated(language):
            value = getattr(self, f"{field}_{language}", "") or ""
            if value:
                return value
        return getattr(self, f"{field}_{settings.LANGUAGE_CODE}", "") or getattr(self, field, "") or ""

    def document_list(self) -> list[str]:
        return self._lines(self.documents)

    def fee_list(self) -> list[str]:
        return self._lines(self.fees)

    def checklist_text(self, language: str) -> str:
        """A plain-text checklist for WhatsApp or email, in `language` (Italian when not translated)."""
        from django.utils import translation

        with translation.override(language):
            lines = [f"*{self.text_in('title', language)}*", ""]
            lines.append(str(_("Documents to bring:")))
            lines += [f"☐ {item}" for item in self._lines(self.text_in("documents", language))]
            fees = self._lines(self.text_in("fees", language))
            if fees:
                lines += ["", str(_("Fees:"))]
                lines += [f"• {item}" for item in fees]
            where = self.text_in("where_to_go", language).strip()
            if where:
                lines += ["", str(_("Where to go:")), where]
            if self.office_id:
                from tickets.calendar import get_calendar

                from .selectors import describe_office_hours

                office = self.office
                hours = describe_office_hours(get_calendar(office))
                if hours:
                    lines += ["", str(_("Opening hours of %(office)s:") % {"office": office.name})]
                    lines += [f"{day}: {slots}" for day, slots in hours]
            if not self.is_translated(language) and language != settings.LANGUAGE_CODE:
                lines += ["", str(_("(This text is available in Italian only.)"))]
        return "\n".join(lines).strip()


class FaqFeedback(models.Model):
    entry = models.ForeignKey(FaqEntry, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("entry"))
    useful = models.BooleanField(_("useful"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="it")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    handled = models.BooleanField(_("handled"), default=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("FAQ feedback")
        verbose_name_plural = _("FAQ feedback")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["handled", "-created_at"], name="faqfeedback_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.entry_id} {'+' if self.useful else '-'}"


class FaqDeflection(models.Model):
    """A citizen about to write to us said a suggested answer solved their question."""

    entry = models.ForeignKey(FaqEntry, on_delete=models.CASCADE, related_name="deflections", verbose_name=_("entry"))
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="it")
    query = models.CharField(_("subject typed"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("deflected request")
        verbose_name_plural = _("deflected requests")
        indexes = [models.Index(fields=["created_at"], name="faqdeflection_created_idx")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.created_at:%Y-%m-%d}"


class Appointment(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="appointments", verbose_name=_("request")
    )
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("procedure"),
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("office"))
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    preferred_dates = models.CharField(_("preferred days and times"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    slot_start = models.DateTimeField(_("slot start"), null=True, blank=True)
    slot_end = models.DateTimeField(_("slot end"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["requested", "proposed", "confirmed", "cancelled"]),
                name="appointment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(slot_start__isnull=True) | Q(slot_end__gt=models.F("slot_start")),
                name="appointment_slot_ordered",
            ),
            # One live booking per office slot: two staff confirming the same slot, one wins.
            models.UniqueConstraint(
                fields=["office", "slot_start"],
                condition=Q(status__in=["proposed", "confirmed"]),
                name="appointment_one_per_slot",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="appointment_inbox_idx"),
            models.Index(fields=["office", "slot_start"], name="appointment_office_slot_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.status}"

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.PROPOSED, self.Status.CONFIRMED)
