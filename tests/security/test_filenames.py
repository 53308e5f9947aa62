"""One filename and upload policy for every channel (issue 17 point 4, issue 15's "one upload policy").

A file's name never costs the citizen their message: a hostile name is cleaned or the file is withheld
with a note and a timeline event, the raw input is kept, and the ticket carries the citizen's text.
Each test drives a real entry point (signed webhook, RFC 822 bytes, portal form, desk form, API) and
checks what a person would notice: the ticket, its text, the stored name, the timeline, the download.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from channels_app.adapters.email import store_email
from channels_app.attachment_policy import screen
from channels_app.models import InboundMessage
from channels_app.pipeline import ingest_inbound
from tickets import services
from tickets.models import Attachment, Message, Ticket, TicketEvent
from tickets.services import NewAttachment
from tickets.uploads import UploadRejected, safe_filename, validate_upload

from ..api.conftest import bearer
from ..channels.test_whatsapp import post, webhook_body
from ..desk.helpers import desk_login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "english")]

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>location='https://evil.example/'</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
RLO = "\u202e"
CAPTION = "Ecco il mio passaporto, grazie"


def _zip(members: dict[str, bytes], *, encrypted: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    payload = bytearray(buffer.getvalue())
    if encrypted:
        # Set the "encrypted" flag bit in every local and central header, as a password-protected ZIP has.
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            start = 0
            while (start := payload.find(signature, start)) != -1:
                payload[start + offset] |= 0x01
                start += 4
    return bytes(payload)


# ----------------------------------------------------------------------------- WhatsApp


def _document_webhook(filename: str, *, media_id: str, mime: str, wamid: str) -> bytes:
    document = {"caption": CAPTION, "filename": filename, "mime_type": mime, "id": media_id}
    timestamp = str(int(timezone.now().timestamp()))
    return webhook_body({"id": wamid, "timestamp": timestamp, "type": "document", "document": document})


def _whatsapp(client, graph, capture, filename: str, payload: bytes, mime: str) -> tuple[InboundMessage, Message]:
    graph.add_media("778899", payload, mime)
    raw = _document_webhook(filename, media_id="778899", mime=mime, wamid=f"wamid.{abs(hash(filename))}")
    assert post(client, raw, capture=capture).status_code == 200
    inbound = InboundMessage.objects.get(channel="whatsapp")
    message = Message.objects.filter(channel="whatsapp", direction="in").select_related("ticket").first()
    return inbound, message


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("../../x.jpg", "x.jpg"),
        ("..\\..\\win.jpg", "win.jpg"),
        ("scan\x00.jpg", "scan.jpg"),
        ("/etc/../..\\..//passport.jpg", "passport.jpg"),
    ],
    ids=["dot-dot-slash", "dot-dot-backslash", "nul-byte", "mixed-separators"],
)
def test_whatsapp_document_with_a_path_or_nul_in_its_name_still_opens_the_ticket(
    client, graph, front_queue, django_capture_on_commit_callbacks, settings, name, stored
):
    inbound, message = _whatsapp(client, graph, django_capture_on_commit_callbacks, name, JPEG, "image/jpeg")

    assert inbound.state == InboundMessage.State.PROCESSED, inbound.error
    raw_document = json.loads(bytes(inbound.raw))["entry"][0]["changes"][0]["value"]["messages"][0]["document"]
    assert raw_document["filename"] == name  # the raw webhook is kept as Meta sent it
    assert message is not None and CAPTION in message.text
    attachment = message.attachments.get()
    assert attachment.filename == stored
    assert attachment.file.read() == JPEG
    assert attachment.file.path.startswith(str(settings.MEDIA_ROOT))


def test_whatsapp_html_behind_a_right_to_left_override_is_withheld_with_a_notice(
    client, graph, front_queue, django_capture_on_commit_callbacks
):
    # Shown by a file manager as "invoicelmth.pdf": an HTML page dressed as a PDF.
    inbound, message = _whatsapp(
        client, graph, django_capture_on_commit_callbacks, f"invoice{RLO}fdp.html", HTML, "text/html"
    )

    assert inbound.state == InboundMessage.State.PROCESSED, inbound.error
    assert CAPTION in message.text
    assert not message.attachments.exists()
    assert "invoicefdp.html" in message.text and "quarantined" in message.text
    assert RLO not in message.text
    event = TicketEvent.objects.get(ticket=message.ticket, kind=TicketEvent.Kind.UPDATED)
    assert event.data["notice"] == "attachment_quarantined"
    assert event.data["filename"] == "invoicefdp.html"


def test_whatsapp_name_with_cr_lf_and_bidi_is_stored_clean_with_an_honest_extension(
    client, graph, front_queue, django_capture_on_commit_callbacks
):
    # A PDF named to look like a picture ("ricevuta firmatafdp.jpg" once the override is applied).
    inbound, message = _whatsapp(
        client, graph, django_capture_on_commit_callbacks, f"ricevuta\r\nfirmata{RLO}gpj.pdf", JPEG, "application/pdf"
    )

    assert inbound.state == InboundMessage.State.PROCESSED, inbound.error
    attachment = message.attachments.get()
    assert attachment.filename == "ricevuta firmatagpj.jpg"
    assert attachment.content_type == "image/jpeg"
    assert CAPTION in message.text
    event = TicketEvent.objects.get(ticket=message.ticket, kind=TicketEvent.Kind.UPDATED)
    assert event.data["filename"] == "ricevuta firmatagpj.jpg"


# ----------------------------------------------------------------------------- e-mail


def _mail(filename: str, content_type: str, payload: bytes, *, message_id: str) -> bytes:
    """RFC 822 bytes with the name as RFC 2231 percent-encoded UTF-8: any character survives transport."""
    return (
        "From: Luca Neri <luca.neri@example.org>\r\n"
        "To: urp@comune.example.it\r\n"
        "Subject: Documenti per la pratica\r\n"
        f"Message-ID: <{message_id}@example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Buongiorno, allego il documento richiesto.\r\n"
        f"--b1\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment; filename*=utf-8''{quote(filename, safe='')}\r\n\r\n"
        f"{base64.encodebytes(payload).decode()}\r\n"
        "--b1--\r\n"
    ).encode()


def _receive_mail(raw: bytes) -> tuple[InboundMessage, Message]:
    inbound, _created = store_email(raw, enqueue=False)
    ingest_inbound(inbound.pk)
    inbound.refresh_from_db()
    return inbound, Message.objects.filter(direction="in").select_related("ticket").first()


def test_email_html_behind_a_right_to_left_override_is_withheld_and_the_mail_kept(front_queue):
    raw = _mail(f"invoice{RLO}fdp.html", "text/html", HTML, message_id="rlo-html")
    inbound, message = _receive_mail(raw)

    assert inbound.state == InboundMessage.State.PROCESSED, inbound.error
    assert bytes(inbound.raw) == raw
    assert "Buongiorno, allego il documento richiesto." in message.text
    assert not message.attachments.exists()
    assert "invoicefdp.html" in message.text and RLO not in message.text
    event = TicketEvent.objects.get(ticket=message.ticket, kind=TicketEvent.Kind.UPDATED)
    assert (event.data["notice"], event.data["filename"]) == ("attachment_quarantined", "invoicefdp.html")


def test_email_name_with_cr_lf_and_bidi_is_stored_clean(front_queue):
    raw = _mail(f"domanda\r\ncittadinanza{RLO}gpj.pdf", "application/pdf", PDF, message_id="crlf-pdf")
    inbound, message = _receive_mail(raw)

    assert inbound.state == InboundMessage.State.PROCESSED, inbound.error
    attachment = message.attachments.get()
    assert attachment.filename == "domanda cittadinanzagpj.pdf"
    assert attachment.content_type == "application/pdf"
    assert not any(ord(c) < 32 or c == RLO for c in attachment.filename)


def test_email_picture_named_pdf_gets_an_honest_extension(front_queue):
    _inbound, message = _receive_mail(_mail("fattura.pdf", "application/pdf", JPEG, message_id="jpeg-as-pdf"))
    attachment = message.attachments.get()
    assert (attachment.filename, attachment.content_type) == ("fattura.jpg", "image/jpeg")
    assert "fattura.pdf" in message.text  # the note tells the operator what the sender called it


# ----------------------------------------------------------------------------- the one policy


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../x.jpg", "x.jpg"),
        ("..\\..\\win.jpg", "win.jpg"),
        ("C:\\Users\\maria\\ricevuta.pdf", "ricevuta.pdf"),
        ("scan\x00.jpg", "scan.jpg"),
        ("photo.jpg\x00.exe", "photo.jpg.exe"),  # the NUL hid the real extension
        (f"invoice{RLO}fdp.html", "invoicefdp.html"),
        ("a\u2066b\u2069c\u200e\u200f\u061cd\u202ae\u202bf\u202cg\u202dh.txt", "abcdefgh.txt"),
        ("riga1\r\nriga2.pdf", "riga1 riga2.pdf"),
        ("tab\there\x85.pdf", "tab here.pdf"),
        ("caf\u0065\u0301.pdf", "caf\u00e9.pdf"),  # NFC
        ("report.pdf.   ", "report.pdf"),  # Windows drops trailing dots and spaces
        ("...", "attachment"),
        ("", "attachment"),
        ("\x00\x01\u202e", "attachment"),
        ("CON.txt", "_CON.txt"),
        ('a<b>c:d"e|f?g*h.pdf', "a_b_c_d_e_f_g_h.pdf"),
        (".htaccess", "htaccess"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
    ],
)
def test_safe_filename(raw, clean):
    assert safe_filename(raw) == clean
    assert safe_filename(clean) == clean  # cleaning twice changes nothing (stored inputs are re-read)


@pytest.mark.parametrize(
    "extension", ["html", "htm", "xhtml", "svg", "svgz", "iso", "img", "vhd", "vhdx", "one", "chm"]
)
def test_blocked_extensions_are_refused_by_forms_and_withheld_by_channels(extension):
    name = f"documento.{extension}"
    with pytest.raises(UploadRejected):
        validate_upload(name, PDF)
    screened = screen([NewAttachment(name, "application/octet-stream", PDF)])
    assert not screened.accepted
    assert screened.notices[0]["notice"] == "attachment_quarantined"


@pytest.mark.parametrize(
    ("payload", "declared"),
    [(HTML, "text/plain"), (SVG, "image/png"), (b"\xef\xbb\xbf  <html lang=it><p>ciao</p>", "text/plain")],
    ids=["html", "svg", "html-with-bom"],
)
def test_markup_is_recognised_by_its_bytes_whatever_the_name(payload, declared):
    with pytest.raises(UploadRejected):
        validate_upload("note.txt", payload)
    assert not screen([NewAttachment("note.txt", declared, payload)]).accepted


def test_size_limit_is_the_setting_everywhere(settings):
    settings.SPORTELLO_MAX_ATTACHMENT_BYTES = 2048
    big = PDF + b"0" * 4096
    with pytest.raises(UploadRejected):
        validate_upload("a.pdf", big)
    assert screen([NewAttachment("a.pdf", "application/pdf", big)]).notices[0]["notice"] == "attachment_too_large"


# ----------------------------------------------------------------------------- archives: one decision


ARCHIVES_ACCEPTED = [("documenti.zip", _zip({"passaporto.pdf": PDF, "foto.jpg": JPEG}))]
ARCHIVES_REFUSED = [
    ("protetto.zip", _zip({"passaporto.pdf": PDF}, encrypted=True)),
    ("dentro.zip", _zip({"fattura.pdf.exe": b"MZ" + b"\x00" * 200})),
    ("travestito.zip", _zip({"fattura.pdf": b"MZ\x90\x00" + b"\x00" * 200})),
    ("pagina.zip", _zip({"index.html": HTML})),
    ("scatole.zip", _zip({"altro.zip": _zip({"a.exe": b"MZ"})})),
    ("risalita.zip", _zip({"../../evil.pdf": PDF})),
    ("documenti.rar", b"Rar!\x1a\x07\x00" + b"\x00" * 64),
    ("documenti.7z", b"7z\xbc\xaf\x27\x1c" + b"\x00" * 64),
    ("documenti.tar.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 64),
]


@pytest.mark.parametrize(("name", "payload"), ARCHIVES_ACCEPTED + ARCHIVES_REFUSED, ids=lambda v: str(v)[:20])
def test_archives_get_the_same_answer_from_forms_and_from_channels(name, payload):
    accepted = (name, payload) in ARCHIVES_ACCEPTED
    try:
        validate_upload(name, payload)
        form_accepts = True
    except UploadRejected:
        form_accepts = False
    channel_accepts = bool(screen([NewAttachment(name, "application/octet-stream", payload)]).accepted)
    assert form_accepts == channel_accepts == accepted


def test_a_zip_by_email_and_by_whatsapp_is_kept(client, graph, front_queue, django_capture_on_commit_callbacks):
    name, payload = ARCHIVES_ACCEPTED[0]
    _inbound, message = _receive_mail(_mail(name, "application/zip", payload, message_id="zip"))
    assert message.attachments.get().filename == name
    _inbound, message = _whatsapp(client, graph, django_capture_on_commit_callbacks, name, payload, "application/zip")
    assert message.attachments.get().filename == name


# ----------------------------------------------------------------------------- portal and desk forms


def _portal_form(**extra) -> dict:
    return {
        "first_name": "Amina",
        "last_name": "Diallo",
        "email": "amina@example.org",
        "language": "en",
        "subject": "Residence permit",
        "text": "My permit expires next month.",
        "consent": "on",
        "website": "",
        **extra,
    }


def _portal_url() -> str:
    with translation.override("en"):
        return reverse("portal:request_new")


def test_portal_accepts_a_file_up_to_the_configured_limit_not_10_mb(client, front_queue, settings):
    assert settings.SPORTELLO_MAX_ATTACHMENT_BYTES > 12 * 1024 * 1024
    scan = SimpleUploadedFile("scansione.pdf", PDF + b"0" * (12 * 1024 * 1024), "application/pdf")
    response = client.post(_portal_url(), _portal_form(attachments=[scan]))
    assert response.status_code == 302, response.content[:2000]
    assert Ticket.objects.get().attachments.get().size > 12 * 1024 * 1024


def test_portal_refuses_over_the_configured_limit_with_a_form_error(client, front_queue, settings):
    settings.SPORTELLO_MAX_ATTACHMENT_BYTES = 64 * 1024
    scan = SimpleUploadedFile("scansione.pdf", PDF + b"0" * (65 * 1024), "application/pdf")
    response = client.post(_portal_url(), _portal_form(attachments=[scan]))
    assert response.status_code == 422
    assert "scansione.pdf" in response.text and "64.0 KB" in response.text
    assert not Ticket.objects.exists()


def test_portal_stores_a_clean_name_and_refuses_html(client, front_queue):
    scan = SimpleUploadedFile(f"passaporto{RLO}gpj.pdf", PDF, "application/pdf")
    assert client.post(_portal_url(), _portal_form(attachments=[scan])).status_code == 302
    assert Ticket.objects.get().attachments.get().filename == "passaportogpj.pdf"
    page = SimpleUploadedFile("page.txt", HTML, "text/plain")
    response = client.post(_portal_url(), _portal_form(subject="Other", attachments=[page]))
    assert response.status_code == 422 and "page.txt" in response.text


def test_desk_paper_mail_scan_gets_a_clean_name_and_the_one_size_limit(client, front_operator, settings):
    desk_login(client, front_operator)
    form = {"channel": "paper", "subject": "Lettera", "language": "it"}
    scan = SimpleUploadedFile(f"..\\..\\lettera{RLO}gpj.pdf", PDF, "application/pdf")
    assert client.post(reverse("desk:register_mail"), {**form, "scan": scan}).status_code == 302
    assert Ticket.objects.get().attachments.get().filename == "letteragpj.pdf"

    settings.SPORTELLO_MAX_ATTACHMENT_BYTES = 64 * 1024
    big = SimpleUploadedFile("grande.pdf", PDF + b"0" * (65 * 1024), "application/pdf")
    response = client.post(reverse("desk:register_mail"), {**form, "scan": big})
    assert response.status_code == 422
    assert "grande.pdf" in response.text and "64.0 KB" in response.text


# ----------------------------------------------------------------------------- downloads


@pytest.fixture
def write_key(front_operator):
    from api.models import ApiToken

    _token, key = ApiToken.issue(name="protocollo", user=front_operator, scope=ApiToken.Scope.WRITE)
    return key


@pytest.fixture
def stored(ticket):
    """Rows as older code stored them, before names and types were cleaned on the way in."""
    rows = {}
    for key, name, content_type, payload in [
        ("html", f"invoice{RLO}fdp.html", "text/html", HTML),
        ("svg", "logo.svg", "image/svg+xml", SVG),
        ("xml", "fattura.xml", "application/xml", b"<?xml version='1.0'?><FatturaElettronica/>"),
        ("zip", "documenti.zip", "application/zip", ARCHIVES_ACCEPTED[0][1]),
        ("iso", "disk.iso", "application/x-iso9660-image", b"\x00" * 64),
        ("jpeg", "foto\r\nX-Injected: yes.jpg", "image/jpeg", JPEG),
    ]:
        [rows[key]] = services.store_attachments(ticket, None, [NewAttachment(name, content_type, payload)])
    return rows


def _desk_get(client, attachment: Attachment):
    return client.get(reverse("desk:attachment", args=[attachment.pk]))


@pytest.mark.parametrize("key", ["html", "svg", "xml", "zip", "iso"])
def test_desk_never_serves_markup_archives_or_disk_images_inline(client, ticket, front_operator, stored, key):
    desk_login(client, front_operator)
    response = _desk_get(client, stored[key])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] not in ("text/html", "image/svg+xml", "application/xml", "text/xml")


def test_download_header_carries_a_clean_rfc_6266_name(client, ticket, front_operator, stored, write_key):
    desk_login(client, front_operator)
    html = _desk_get(client, stored["html"])
    assert RLO not in html["Content-Disposition"] and "\u202e" not in html["Content-Disposition"]
    assert "filename*=utf-8''invoicefdp.html" in html["Content-Disposition"].lower()
    picture = _desk_get(client, stored["jpeg"])
    assert picture.status_code == 200
    assert picture["Content-Disposition"].startswith("inline;")
    assert "\r" not in picture["Content-Disposition"] and "\n" not in picture["Content-Disposition"]
    assert "filename*=utf-8''foto%20x-injected_%20yes.jpg" in picture["Content-Disposition"].lower()

    from rest_framework.test import APIClient

    api = APIClient()
    download = api.get(f"/api/v1/attachments/{stored['html'].pk}/download/", **bearer(write_key))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''invoicefdp.html" in download["Content-Disposition"].lower()
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_zip_compressed_with_a_method_python_cannot_read_is_refused_as_unreadable():
    """Implode (method 6) and vendors' own methods: zipfile lists the member but cannot open it."""
    payload = bytearray(_zip({"modulo.pdf": b"%PDF-1.4\n" + b"x" * 200 + b"\n%%EOF\n"}))
    central = payload.rindex(b"PK\x01\x02")
    payload[central + 10 : central + 12] = (6).to_bytes(2, "little")
    payload[8:10] = (6).to_bytes(2, "little")
    with pytest.raises(UploadRejected) as refused:
        validate_upload("documenti.zip", bytes(payload))
    assert "damaged" in str(refused.value.message)
