"""The portal's request form goes through the same store-first pipeline, inline."""

import base64
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from channels_app.adapters.webform import AttachmentRejected, WebRequestNotProcessed, submit_web_request
from channels_app.models import InboundMessage
from tickets.models import Attachment, Citizen, Ticket, Topic

pytestmark = pytest.mark.usefixtures("english")

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200


def form(**overrides):
    data = {
        "first_name": "Maria Luisa",
        "last_name": "De Santis",
        "email": "maria.desantis@example.org",
        "phone": "333 123 4567",
        "language": "en",
        "topic": "permesso-lavoro",
        "subject": "Renewal of my residence permit",
        "text": "Which documents do I need?",
        "nationality": "pe",
        "kind": "foreign_national",
    }
    data.update(overrides)
    return data


@pytest.fixture
def work_topic(db):
    return Topic.objects.create(name="Permesso per lavoro", slug="permesso-lavoro")


def test_web_request_becomes_a_ticket_at_once_with_its_files(front_queue, work_topic):
    files = [
        SimpleUploadedFile("passaporto.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("foto", PNG, content_type="application/octet-stream"),
    ]
    ticket = submit_web_request(data=form(), files=files, client_ip="203.0.113.9")

    assert ticket.reference
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.channel == "web"
    assert ticket.subject == "Renewal of my residence permit"
    assert ticket.topic == work_topic
    assert ticket.language == "en"
    citizen = ticket.citizen
    assert (citizen.first_name, citizen.last_name) == ("Maria Luisa", "De Santis")
    assert str(citizen.phone) == "+393331234567"
    assert citizen.nationality == "PE"
    assert citizen.kind == Citizen.Kind.FOREIGN_NATIONAL
    message = ticket.messages.get()
    assert message.text == "Which documents do I need?"
    stored = {a.filename: a for a in Attachment.objects.filter(ticket=ticket)}
    assert stored["passaporto.pdf"].content_type == "application/pdf"
    assert stored["passaporto.pdf"].file.read() == PDF
    assert stored["foto"].content_type == "image/png"  # by the bytes, not the name or the browser
    inbound = InboundMessage.objects.get(channel="web")
    assert inbound.state == InboundMessage.State.PROCESSED
    assert inbound.ticket == ticket
    assert inbound.metadata["client_ip"] == "203.0.113.9"


def test_double_submit_gives_the_same_reference(front_queue):
    first = submit_web_request(data=form(), files=[])
    second = submit_web_request(data=form(), files=[])
    assert first.pk == second.pk
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.filter(channel="web").count() == 1


def test_unknown_topic_and_nationality_are_left_empty(front_queue):
    ticket = submit_web_request(data=form(topic="nope", nationality="XX", kind="alien"), files=[])
    ticket.refresh_from_db()
    assert ticket.topic is None
    assert ticket.citizen.nationality == ""
    assert ticket.citizen.kind == Citizen.Kind.OTHER


def test_executable_disguised_as_pdf_is_rejected_before_storing(front_queue):
    upload = SimpleUploadedFile("modulo.pdf", EXE, content_type="application/pdf")
    with pytest.raises(AttachmentRejected) as err:
        submit_web_request(data=form(), files=[upload])
    assert "modulo.pdf" in err.value.message
    assert "program" in err.value.message
    assert err.value.status == 422
    assert not InboundMessage.objects.exists()
    assert not Ticket.objects.exists()


def test_unknown_binary_type_is_rejected(front_queue):
    upload = SimpleUploadedFile("archivio.pdf", b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(AttachmentRejected) as err:
        submit_web_request(data=form(), files=[upload])
    assert "not accepted" in err.value.message
    assert not InboundMessage.objects.exists()


def test_too_large_attachment_is_rejected(front_queue, settings):
    settings.SPORTELLO_MAX_ATTACHMENT_BYTES = 1024
    upload = SimpleUploadedFile("scan.pdf", PDF + b"0" * 2048)
    with pytest.raises(AttachmentRejected) as err:
        submit_web_request(data=form(), files=[upload])
    assert "larger than" in err.value.message
    assert not InboundMessage.objects.exists()


def test_plain_text_is_accepted(front_queue):
    upload = SimpleUploadedFile("note.txt", "Codice fiscale: città, però".encode())
    ticket = submit_web_request(data=form(), files=[upload])
    assert ticket.attachments.get().content_type == "text/plain"


def test_failure_keeps_the_raw_request_quarantined(db):
    # No office and no queue configured: the request cannot be registered, but it is kept.
    with pytest.raises(WebRequestNotProcessed) as err:
        submit_web_request(data=form(), files=[SimpleUploadedFile("a.pdf", PDF)])
    assert err.value.status == 503
    inbound = InboundMessage.objects.get(channel="web")
    assert inbound.state == InboundMessage.State.QUARANTINED
    assert inbound.error
    assert b"Which documents do I need?" in bytes(inbound.raw)
    assert base64.b64encode(PDF).decode() in bytes(inbound.raw).decode()


def test_file_like_objects_work_too(front_queue):
    upload = io.BytesIO(PDF)
    upload.name = "C:\\Users\\maria\\ricevuta.pdf"
    ticket = submit_web_request(data=form(), files=[upload])
    assert ticket.attachments.get().filename == "ricevuta.pdf"


def test_thirty_megabyte_attachment_is_rejected_with_the_limit(front_queue):
    upload = SimpleUploadedFile("scansione.pdf", PDF + b"0" * (30 * 1024 * 1024))
    with pytest.raises(AttachmentRejected) as err:
        submit_web_request(data=form(), files=[upload])
    assert "25" in err.value.message
    assert not InboundMessage.objects.exists()


def _docx(extra_member: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if extra_member:
            archive.writestr("word/media/huge.bin", extra_member)
    return buffer.getvalue()


def test_word_document_is_accepted_and_an_archive_bomb_is_not(front_queue):
    ticket = submit_web_request(data=form(), files=[SimpleUploadedFile("domanda.docx", _docx())])
    assert ticket.attachments.get().content_type.endswith("wordprocessingml.document")
    bomb = SimpleUploadedFile("domanda2.docx", _docx(b"\x00" * (20 * 1024 * 1024)))
    with pytest.raises(AttachmentRejected) as err:
        submit_web_request(data=form(subject="Altro"), files=[bomb])
    assert "excessive" in err.value.message


def test_appointment_is_passed_through_to_the_item():
    from channels_app.adapters.webform import WebFormAdapter, encode_request

    raw = encode_request(data=form(appointment={"slot": "2026-12-01T09:30", "office": "roma"}), attachments=[])
    item = WebFormAdapter().parse(raw, {}).items[0]
    assert item.extra["appointment"] == {"slot": "2026-12-01T09:30", "office": "roma"}
    assert item.extra["topic"] == "permesso-lavoro"


def test_too_many_or_too_much_is_rejected(front_queue, settings):
    with pytest.raises(AttachmentRejected) as err:
        submit_web_request(data=form(), files=[SimpleUploadedFile(f"f{i}.pdf", PDF) for i in range(11)])
    assert "at most 10" in err.value.message
    settings.SPORTELLO_MAX_ATTACHMENT_BYTES = 1000
    files = [SimpleUploadedFile(f"g{i}.pdf", PDF + b"0" * 900) for i in range(3)]
    with pytest.raises(AttachmentRejected) as err:
        submit_web_request(data=form(), files=files)
    assert "all files together" in err.value.message
    assert not InboundMessage.objects.exists()
