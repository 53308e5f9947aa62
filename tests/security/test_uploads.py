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
