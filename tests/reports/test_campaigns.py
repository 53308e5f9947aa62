"""Campaigns: a temporary service opened in minutes, its FAQ imported in four languages, closed with its statistics kept."""

from __future__ import annotations

import io
from datetime import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from faq.models import FaqEntry, FaqTopic
from reports.aggregates import rebuild_stats
from reports.models import Campaign
from reports.selectors import ReportFilter, report_volume
from tests.factories import open_test_ticket
from tickets import services as ticket_services
from tickets.errors import NoQueueConfigured
from tickets.models import Queue

from .conftest import local, login_in_english

pytestmark = pytest.mark.django_db

HEADER = "topic,question_it,answer_it,question_en,answer_en,question_fr,answer_fr,question_es,answer_es\n"
ROWS = (
    'Requisiti,Chi può chiedere il bonus?,"<p>Chi ha un ISEE sotto 15.000 €.</p><script>x()</script>",'
    "Who can apply?,<p>Households with ISEE below €15000.</p>,Qui peut demander ?,<p>Les foyers...</p>,"
    "¿Quién puede pedirlo?,<p>Los hogares...</p>\n"
    "Domanda,Come si presenta la domanda?,<p>Online con SPID.</p>,How do I apply?,<p>Online with SPID.</p>,,,,\n"
)


def _form(**overrides):
    data = {
        "name": "Bonus elettrodomestici",
        "starts_on": "2026-01-10",
        "ends_on": "2026-02-28",
        "opens": "08:00",
        "closes": "20:00",
        "weekdays": ["0", "1", "2", "3", "4", "5"],
        "topics": "Requisiti\nDomanda\nPagamenti",
        "toll_free_number": "800 123 456",
        "phone_number": "+39 06 1234 5678",
        "whatsapp_number": "+39 333 765 4321",
        "email": "bonus@example.gov.it",
        "alarm_minutes": "10",
    }
    data.update(overrides)
    return data


def test_supervisor_opens_a_campaign_with_faq_in_one_form(client, supervisor):
    login_in_english(client, supervisor)
    upload = SimpleUploadedFile("faq.csv", (HEADER + ROWS).encode(), content_type="text/csv")

    response = client.post(reverse("dashboard:campaigns"), {**_form(), "faq_file": upload}, follow=True)

    campaign = Campaign.objects.select_related("office").get()
    office = campaign.office
    assert response.status_code == 200
    assert "Campaign “Bonus elettrodomestici” is open." in response.text
    assert "2 FAQ entries imported." in response.text
    assert (office.name, office.code, office.is_active) == ("Bonus elettrodomestici", "bonus-elettrodomestici", True)
    assert str(office.toll_free_number) == "+39800123456" and office.email == "bonus@example.gov.it"
    assert [(h.weekday, h.opens, h.closes) for h in office.hours.order_by("weekday")] == [
        (d, time(8), time(20)) for d in range(6)
    ]
    queues = {q.tier: q for q in office.queues.all()}
    assert queues["front"].alarm_minutes == 10 and queues["back"].is_default
    assert [t.name for t in campaign.topics.order_by("position")] == ["Requisiti", "Domanda", "Pagamenti"]

    entry = FaqEntry.objects.get(question_it="Chi può chiedere il bonus?")
    assert entry.status == "published" and entry.is_translated("en") and entry.is_translated("es")
    assert entry.answer_en == "<p>Households with ISEE below €15000.</p>"
    assert "<script>" not in entry.answer_it
    partial = FaqEntry.objects.get(question_it="Come si presenta la domanda?")
    assert partial.is_translated("en") and not partial.is_translated("fr")
    assert FaqTopic.objects.get(name="Requisiti").ticket_topic == campaign.topics.get(name="Requisiti")

    # The service takes requests at once.
    ticket = ticket_services.open_ticket(
        citizen=open_test_ticket(queues["front"]).citizen, channel="phone", office=office
    )
    assert ticket.queue == queues["front"]


def test_faq_import_from_xlsx(client, supervisor):
    login_in_english(client, supervisor)
    client.post(reverse("dashboard:campaigns"), _form())
    campaign = Campaign.objects.get()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(
        [
            "Pagamenti",
            "Quando arriva?",
            "Entro 30 giorni.",
            "When?",
            "Within 30 days.",
            "Quand ?",
            "Sous 30 jours.",
            "¿Cuándo?",
            "En 30 días.",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)

    client.post(
        reverse("dashboard:campaign", args=[campaign.pk]),
        {"faq_file": SimpleUploadedFile("faq.xlsx", buffer.getvalue())},
    )

    entry = FaqEntry.objects.get()
    assert (entry.question_fr, entry.answer_es) == ("Quand ?", "En 30 días.")
    assert all(entry.is_translated(lang) for lang in ("en", "fr", "es"))


def test_a_bad_faq_file_is_refused_and_nothing_is_created(client, supervisor):
    login_in_english(client, supervisor)
    bad = SimpleUploadedFile("faq.csv", b"topic,question_it\nA,B\n")

    response = client.post(reverse("dashboard:campaigns"), {**_form(), "faq_file": bad})

    assert response.status_code == 422
    assert "missing columns: answer_it" in response.text
    assert not Campaign.objects.exists()


def test_invalid_form_explains_what_to_fix(client, supervisor):
    login_in_english(client, supervisor)
    response = client.post(reverse("dashboard:campaigns"), _form(opens="20:00", closes="08:00", whatsapp_number="12"))
    assert "Opening time must come before closing time." in response.text
    assert "Enter a valid phone number." in response.text
    assert not Campaign.objects.exists()


def test_closing_a_campaign_stops_intake_and_keeps_statistics(client, supervisor):
    login_in_english(client, supervisor)
    client.post(reverse("dashboard:campaigns"), _form())
    campaign = Campaign.objects.select_related("office").get()
    front = campaign.office.queues.get(tier="front")
    for day in (12, 12, 13):
        open_test_ticket(front, received_at=local(2026, 1, day, 10))
    rebuild_stats()

    response = client.post(reverse("dashboard:campaign_close", args=[campaign.pk]), follow=True)

    campaign.refresh_from_db()
    campaign.office.refresh_from_db()
    assert "its statistics remain" in response.text
    assert campaign.is_closed and not campaign.office.is_active
    assert not Queue.objects.filter(office=campaign.office, is_active=True).exists()
    with pytest.raises(NoQueueConfigured):
        ticket_services.default_queue(campaign.office, "front")
    rebuild_stats()
    report = report_volume(
        ReportFilter(date_from=campaign.starts_on, date_to=campaign.ends_on, office_id=campaign.office_id)
    )
    assert sum(row[-1] for row in report.rows) == 3
    assert client.post(reverse("dashboard:campaign_close", args=[campaign.pk])).status_code == 422
