"""Asterisk voicemail-to-email becomes a voicemail ticket: the caller as citizen, the recording attached."""

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from channels_app.adapters.email import store_email
from channels_app.adapters.voicemail import caller_e164
from channels_app.pipeline import ingest_inbound
from tickets.models import Citizen, OfficeHours, Ticket

from ..factories import QueueFactory

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "voicemail"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("eager_tasks"),
    pytest.mark.skipif(not CORPUS.exists(), reason="the shared corpus is not here"),
]
ROME = ZoneInfo("Europe/Rome")


@pytest.fixture
def desk(db):
    return QueueFactory()


def ingest_voicemail(raw: bytes) -> Ticket:
    inbound, _created = store_email(raw, channel="voicemail", enqueue=False)
    outcome = ingest_inbound(inbound.pk)
    assert outcome.created, outcome
    return outcome.created[0]


@pytest.mark.parametrize(
    ("name", "phone", "first_name", "last_name", "content_type"),
    [
        ("asterisk-vm-default-template-wav.eml", "+390612345678", "Giulia", "Bianchi", "audio/wav"),
        ("asterisk-vm-imap-storage-crlf-utf8.eml", "+390612345678", "Hélène", "Dupont", "audio/wav"),
        ("asterisk-vm-sample-template-wav49.eml", "+4930123456", "Jürgen", "Müller", "audio/wav"),
    ],
)
def test_caller_becomes_the_citizen_and_the_recording_is_attached(
    desk, name, phone, first_name, last_name, content_type
):
    ticket = ingest_voicemail((CORPUS / name).read_bytes())

    assert ticket.channel == "voicemail"
    assert str(ticket.citizen.phone) == phone
    assert (ticket.citizen.first_name, ticket.citizen.last_name) == (first_name, last_name)
    assert ticket.citizen.email == ""  # the PBX sent the mail, not the caller
    assert phone in ticket.subject
    recording = ticket.attachments.get()
    assert recording.content_type == content_type
    assert recording.file.read(4) == b"RIFF"
    message = ticket.messages.get()
    assert message.sender == phone
    assert "left a 0:0" in message.text or "message vocal" in message.text
    assert len(mail.outbox) == 0  # nobody to acknowledge by e-mail: the caller is known by phone only


def test_unknown_caller_has_no_phone_and_the_gsm_recording_is_kept(desk):
    ticket = ingest_voicemail((CORPUS / "asterisk-vm-unknown-caller-urgent-gsm.eml").read_bytes())
    assert not ticket.citizen.phone
    assert "unknown caller" in ticket.subject
    recording = ticket.attachments.get()
    assert (recording.filename, recording.content_type) == ("msg0001.gsm", "audio/x-gsm")


def test_a_second_voicemail_of_the_same_caller_is_the_same_citizen(desk):
    raw = (CORPUS / "asterisk-vm-default-template-wav.eml").read_bytes()
    ingest_voicemail(raw)
    ingest_voicemail(raw.replace(b"Asterisk-1-1804289383-1234-2817@pbx01", b"Asterisk-9-1-1234-1@pbx01"))
    assert Citizen.objects.count() == 1
    assert Ticket.objects.count() == 2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("390612345678", "+390612345678"),  # country code without "+"
        ("0612345678", "+390612345678"),
        ("+39 333 123 4567", "+393331234567"),
        ("0049 30 123456", "+4930123456"),
        ("anonymous", ""),
        ("200", ""),  # an internal extension
        ("", ""),
    ],
)
def test_caller_ids_are_read_as_e164(raw, expected):
    assert caller_e164(raw, "IT") == expected


def _last_friday_evening() -> datetime:
    today = timezone.localtime(timezone.now(), ROME).date()
    friday = today - timedelta(days=(today.weekday() - 4) % 7 or 7)
    return datetime.combine(friday, time(19, 30), tzinfo=ROME)


def test_a_friday_evening_voicemail_is_due_at_the_next_working_day_opening(desk):
    office = desk.office
    for weekday in range(5):
        OfficeHours.objects.create(office=office, weekday=weekday, opens=time(8, 30), closes=time(13, 0))
    friday = _last_friday_evening()
    raw = (CORPUS / "asterisk-vm-default-template-wav.eml").read_bytes()
    raw = raw.replace(b"Date: Tue, 14 May 2024 09:12:03 +0200", f"Date: {friday:%a, %d %b %Y %H:%M:%S %z}".encode())
    inbound, _created = store_email(raw, channel="voicemail", enqueue=False)
    ticket = ingest_inbound(inbound.pk).created[0]

    due = timezone.localtime(ticket.due_at, ROME)
    assert due.time() == time(8, 30)
    assert due.date() > friday.date()
    assert due.weekday() in range(5)  # Monday, or the next working day after a public holiday
    assert (due.date() - friday.date()).days <= 5
    assert timezone.localtime(ticket.created_at, ROME) == friday
