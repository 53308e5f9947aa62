"""tickets/uploads.validate_upload: the bytes decide, not the name or the declared type."""

import io
import zipfile

import pytest
from django.utils import translation

from tickets.uploads import UploadRejected, UploadTooLarge, validate_upload

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "payload", "expected"),
    [
        ("ricevuta.pdf", PDF, "application/pdf"),
        ("foto.png", PNG, "image/png"),
        ("scansione", PDF, "application/pdf"),  # no extension: the bytes decide
        ("note.txt", "Buongiorno, allego…".encode(), "text/plain"),
        ("documenti.zip", _zip({"a.txt": b"ciao" * 100}), "application/zip"),
    ],
)
def test_accepted_files_get_their_sniffed_type(name, payload, expected):
    assert validate_upload(name, payload).content_type == expected


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("foto.jpg", b"MZ\x90\x00" + b"\x00" * 200),  # Windows program
        ("documento.pdf", PNG),  # disguised
        ("script.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 100),  # Linux program
        ("vuoto.pdf", b""),
        ("binario.txt", b"\x00\x01\x02\xff" * 10),
    ],
)
def test_refused_files(name, payload):
    with pytest.raises(UploadRejected):
        validate_upload(name, payload)


def test_zip_bomb_by_ratio_and_by_member_count():
    with translation.override("en"), pytest.raises(UploadRejected, match="excessive"):
        validate_upload("bomba.zip", _zip({"zeros": b"\x00" * (10 * 1024 * 1024)}))
    with translation.override("en"), pytest.raises(UploadRejected, match="excessive"):
        validate_upload("tanti.zip", _zip({f"f{i}.txt": b"x" for i in range(1001)}))


def test_size_limit(settings):
    settings.SPORTELLO_MAX_ATTACHMENT_BYTES = 1024
    with pytest.raises(UploadTooLarge) as error:
        validate_upload("grande.pdf", PDF + b"0" * 2048)
    assert error.value.status == 413


def test_path_in_the_name_is_dropped():
    assert validate_upload("../../etc/passwd.pdf", PDF).filename == "passwd.pdf"


# The one policy (issue 17 point 4): the same names, types and archives on every channel.

RLO = "\u202e"
HTML = b"<!doctype html><html><script>alert(1)</script></html>"


def test_a_right_to_left_override_cannot_dress_a_page_as_a_pdf():
    with pytest.raises(UploadRejected):
        validate_upload(f"invoice{RLO}fdp.html", HTML)  # shown as "invoicelmth.pdf"
    assert validate_upload(f"scan{RLO}fdp.pdf", PDF).filename == "scanfdp.pdf"


def test_amr_voice_note_is_audio_not_a_script():
    assert validate_upload("nota.amr", b"#!AMR\n" + b"\x3c" * 64).content_type == "audio/amr"


def test_text_in_a_legacy_charset_is_text():
    assert validate_upload("lettera.txt", "Città, perché è così".encode("cp1252")).content_type == "text/plain"


def test_a_narrower_list_narrows_the_one_policy():
    from tickets.uploads import SCAN_TYPES

    with pytest.raises(UploadRejected):
        validate_upload("documenti.zip", _zip({"a.txt": b"ciao" * 100}), allowed=SCAN_TYPES)
    assert validate_upload("scan.pdf", PDF, allowed=SCAN_TYPES).content_type == "application/pdf"


def test_download_header_has_an_ascii_fallback_and_the_exact_name():
    from tickets.uploads import content_disposition, download_headers

    header = content_disposition(f"Eelanalüüsi{RLO} päring\r\n.pdf")
    assert header == (
        "attachment; filename=\"Eelanaluusi paring.pdf\"; filename*=utf-8''Eelanal%C3%BC%C3%BCsi%20p%C3%A4ring.pdf"
    )
    assert download_headers("x.svg", "image/svg+xml")["Content-Type"] == "application/octet-stream"
    assert download_headers("x.png", "image/png")["Content-Disposition"].startswith("inline;")


@pytest.fixture
def api_key(front_operator):
    from api.models import ApiToken

    _token, key = ApiToken.issue(name="protocollo", user=front_operator, scope=ApiToken.Scope.WRITE)
    return key


def test_api_upload_gets_the_same_policy(ticket, api_key):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    api, auth = APIClient(), {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}
    url = f"/api/v1/tickets/{ticket.pk}/attachments/"
    stored = api.post(url, {"file": SimpleUploadedFile(f"ricevuta{RLO}gpj.pdf", PDF)}, **auth)
    assert stored.status_code == 201, stored.json()
    assert stored.json()["filename"] == "ricevutagpj.pdf"
    page = api.post(url, {"file": SimpleUploadedFile("pagina.txt", HTML)}, **auth)
    assert page.status_code == 422 and page.json()["code"] == "upload_rejected"
