"""Writes of the reports app: recurring problems and campaigns (aggregates: aggregates.py)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tickets.access import access_ticket
from tickets.models import Office, OfficeHours, Queue, Ticket, TicketEvent, Tier, Topic
from tickets.services import record_event

from . import errors
from .models import Campaign, PartnerBody, ProblemLink, RecurringProblem

# ----------------------------------------------------------------------------- recurring problems


@transaction.atomic
def create_problem(*, actor, title: str, description: str, partner_name: str, partner_kind: str) -> RecurringProblem:
    partner, _created = PartnerBody.objects.get_or_create(
        name=partner_name.strip(), defaults={"kind": partner_kind or PartnerBody.Kind.MINISTRY}
    )
    return RecurringProblem.objects.create(
        title=title.strip(), description=description.strip(), partner=partner, created_by=actor
    )


@transaction.atomic
def link_ticket_to_problem(*, actor, ticket_id: int, problem_id: int) -> Ticket:
    """Link a request to a recurring problem; linking twice changes nothing."""
    ticket = access_ticket(actor, ticket_id, lock=True)
    problem = RecurringProblem.objects.filter(pk=problem_id).first()
    if problem is None:
        raise errors.ProblemNotFound(problem_id=problem_id)
    if problem.status != RecurringProblem.Status.OPEN:
        raise errors.ProblemClosed(title=problem.title)
    try:
        with transaction.atomic():
            ProblemLink.objects.create(problem=problem, ticket=ticket, linked_by=actor)
    except IntegrityError:
        return ticket  # already linked (unique pair): idempotent
    record_event(
        ticket,
        TicketEvent.Kind.UPDATED,
        actor=actor,
        change="problem_linked",
        problem_id=problem.pk,
        problem=problem.title,
    )
    return ticket


@transaction.atomic
def unlink_ticket_from_problem(*, actor, ticket_id: int, problem_id: int) -> Ticket:
    ticket = access_ticket(actor, ticket_id, lock=True)
    link = ProblemLink.objects.select_related("problem").filter(ticket=ticket, problem_id=problem_id).first()
    if link is None:
        return ticket
    title = link.problem.title
    link.delete()
    record_event(
        ticket, TicketEvent.Kind.UPDATED, actor=actor, change="problem_unlinked", problem_id=problem_id, problem=title
    )
    return ticket


@transaction.atomic
def create_problem_and_link(
    *, actor, ticket_id: int, title: str, description: str, partner_name: str, partner_kind: str
) -> Ticket:
    access_ticket(actor, ticket_id)  # check first: a stranger's request creates nothing
    problem = create_problem(
        actor=actor, title=title, description=description, partner_name=partner_name, partner_kind=partner_kind
    )
    return link_ticket_to_problem(actor=actor, ticket_id=ticket_id, problem_id=problem.pk)


@transaction.atomic
def set_problem_status(*, actor, problem_id: int, status: str) -> RecurringProblem:
    problem = RecurringProblem.objects.select_for_update().filter(pk=problem_id).first()
    if problem is None:
        raise errors.ProblemNotFound(problem_id=problem_id)
    problem.status = status
    problem.save(update_fields=["status"])
    return problem


# ----------------------------------------------------------------------------- campaigns

FAQ_COLUMNS = [
    "topic",
    "question_it",
    "answer_it",
    "question_en",
    "answer_en",
    "question_fr",
    "answer_fr",
    "question_es",
    "answer_es",
]


@dataclass(frozen=True)
class CampaignSetup:
    name: str
    starts_on: date
    ends_on: date
    opens: time
    closes: time
    weekdays: tuple[int, ...]
    topics: tuple[str, ...]
    toll_free_number: str = ""
    phone_number: str = ""
    whatsapp_number: str = ""
    email: str = ""
    front_alarm_minutes: int = 15


def _unique_slug(model, base: str, field: str = "slug", max_length: int = 50) -> str:
    base = (slugify(base) or "campaign")[: max_length - 4]
    slug, n = base, 2
    while model.objects.filter(**{field: slug}).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_campaign(*, actor, setup: CampaignSetup) -> Campaign:
    """A temporary service: its office, opening hours, a front and a back queue, topics."""
    office = Office.objects.create(
        name=setup.name,
        code=_unique_slug(Office, setup.name, "code"),
        toll_free_number=setup.toll_free_number,
        phone_number=setup.phone_number,
        whatsapp_number=setup.whatsapp_number,
        email=setup.email,
    )
    for weekday in setup.weekdays:
        OfficeHours.objects.create(office=office, weekday=weekday, opens=setup.opens, closes=setup.closes)
    Queue.objects.create(
        office=office,
        name=_("Front office"),
        tier=Tier.FRONT,
        is_default=True,
        alarm_minutes=setup.front_alarm_minutes,
    )
    Queue.objects.create(office=office, name=_("Back office"), tier=Tier.BACK, is_default=True)
    campaign = Campaign.objects.create(
        name=setup.name, office=office, starts_on=setup.starts_on, ends_on=setup.ends_on, created_by=actor
    )
    topics = []
    for position, name in enumerate(t.strip() for t in setup.topics if t.strip()):
        topics.append(
            Topic.objects.create(
                name=name, slug=_unique_slug(Topic, f"{office.code}-{name}", max_length=100), position=position
            )
        )
    campaign.topics.set(topics)
    return campaign


@transaction.atomic
def close_campaign(*, actor, campaign_id: int) -> Campaign:
    """Stop taking requests; tickets, aggregates and reports stay as they are."""
    campaign = Campaign.objects.select_for_update().select_related("office").filter(pk=campaign_id).first()
    if campaign is None:
        raise errors.CampaignNotFound()
    if campaign.is_closed:
        raise errors.CampaignClosed(name=campaign.name)
    campaign.is_closed, campaign.closed_at = True, timezone.now()
    campaign.save(update_fields=["is_closed", "closed_at"])
    Queue.objects.filter(office=campaign.office).update(is_active=False)
    Office.objects.filter(pk=campaign.office_id).update(is_active=False)
    Topic.objects.filter(pk__in=campaign.topics.values("pk")).update(is_active=False)
    return campaign


def read_faq_rows(filename: str, payload: bytes) -> list[dict[str, str]]:
    """Rows of a CSV (UTF-8, comma or semicolon) or XLSX FAQ file, keyed by FAQ_COLUMNS."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(payload), read_only=True, data_only=True).active
        except Exception as exc:
            raise errors.InvalidFaqFile(reason=_("not a readable XLSX workbook")) from exc
        rows = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    elif name.endswith(".csv"):
        try:
            text = payload.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise errors.InvalidFaqFile(reason=_("the CSV file must be UTF-8")) from exc
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;")
        rows = list(csv.reader(io.StringIO(text), dialect))
    else:
        raise errors.InvalidFaqFile(reason=_("upload a .csv or .xlsx file"))
    if not rows:
        raise errors.InvalidFaqFile(reason=_("the file is empty"))
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in FAQ_COLUMNS if c not in header]
    if missing:
        raise errors.InvalidFaqFile(reason=_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
    records = []
    for line, row in enumerate(rows[1:], start=2):
        record = {c: (row[header.index(c)] if header.index(c) < len(row) else "").strip() for c in FAQ_COLUMNS}
        if not any(record.values()):
            continue
        if not (record["topic"] and record["question_it"] and record["answer_it"]):
            raise errors.InvalidFaqFile(
                reason=_("line %(line)d needs a topic and the Italian question and answer") % {"line": line}
            )
        records.append(record)
    return records


@transaction.atomic
def import_campaign_faq(*, actor, campaign_id: int, filename: str, payload: bytes) -> int:
    """Import FAQ entries in four languages for a campaign, published at once; returns the count."""
    from faq.models import FaqEntry, FaqTopic, TranslationState
    from faq.sanitize import sanitize_answer

    campaign = Campaign.objects.select_related("office").get(pk=campaign_id)
    records = read_faq_rows(filename, payload)
    faq_topics: dict[str, FaqTopic] = {}
    ticket_topics = {t.name.lower(): t for t in campaign.topics.all()}
    for position, record in enumerate(records):
        topic_name = record["topic"]
        faq_topic = faq_topics.get(topic_name)
        if faq_topic is None:
            faq_topic = FaqTopic.objects.create(
                name=topic_name,
                name_it=topic_name,
                slug=_unique_slug(FaqTopic, f"{campaign.office.code}-{topic_name}", max_length=100),
                ticket_topic=ticket_topics.get(topic_name.lower()),
                position=len(faq_topics),
            )
            faq_topics[topic_name] = faq_topic
        fields = {}
        for language in ("it", "en", "fr", "es"):
            fields[f"question_{language}"] = record[f"question_{language}"][:300]
            fields[f"answer_{language}"] = sanitize_answer(record[f"answer_{language}"])
        for language in ("en", "fr", "es"):
            ready = fields[f"question_{language}"] and fields[f"answer_{language}"]
            fields[f"translation_{language}"] = TranslationState.READY if ready else TranslationState.MISSING
        FaqEntry.objects.create(
            topic=faq_topic,
            slug=_unique_slug(FaqEntry, f"{campaign.office.code}-{record['question_it']}", max_length=120),
            question=fields["question_it"],
            answer=fields["answer_it"],
            status=FaqEntry.Status.PUBLISHED,
            position=position,
            **fields,
        )
    return len(records)
