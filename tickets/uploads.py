"""Uploads are judged on their bytes, never on the name or the declared type.

One validator for every way a file comes in from outside (API, desk, portal): it sniffs
the type from the content (`filetype`), refuses what is not on the allow-list, refuses a
name that disguises the content (a PDF called photo.jpg), enforces the size limit, and
opens ZIP containers (also .docx/.xlsx/.odt) to refuse archive bombs before anything is
stored. Returns a NewAttachment whose content_type is the sniffed one.
"""

from __future__ import annotations

import io
import mimetypes
import os
import zipfile

import filetype
from django.conf import settings
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from .errors import DomainError
from .services import NewAttachment

ALLOWED_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/heic",
    "image/tiff",
    "audio/mpeg",
    "audio/mp4",
    "audio/ogg",
    "audio/x-wav",
    "audio/amr",
    "audio/aac",
    "video/mp4",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/rtf",
    "application/zip",
    "text/plain",
}
# Content with no magic number that we accept when it is valid UTF-8 text.
TEXT_EXTENSIONS = {".txt", ".csv", ".log", ".md", ""}
ZIP_TYPES = {
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}
# Names that share one family of bytes (a .jpeg is a .jpg; a .docx is a ZIP underneath).
EQUIVALENT = {"image/jpg": "image/jpeg", "audio/wav": "audio/x-wav", "audio/x-m4a": "audio/mp4"}
MAX_ARCHIVE_MEMBERS = 1000
MAX_ARCHIVE_RATIO = 100  # uncompressed / compressed; real documents stay far below
MAX_ARCHIVE_UNCOMPRESSED = 200 * 1024 * 1024


class UploadRejected(DomainError):
    status, code = 422, "upload_rejected"
    template = _("The file %(filename)s was refused: %(why)s")


class UploadTooLarge(UploadRejected):
    status, code = 413, "upload_too_large"
    template = _("The file %(filename)s is too large (limit %(limit)s MB).")


def sniff_content_type(payload: bytes, filename: str = "") -> str | None:
    kind = filetype.guess(payload)
    if kind is not None:
        return kind.mime
    extension = os.path.splitext(filename)[1].lower()
    if extension in TEXT_EXTENSIONS:
        try:
            payload.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if b"\x00" not in payload:
            return "text/plain"
    return None


def _check_archive(filename: str, payload: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise UploadRejected(filename=filename, why=_("the archive is damaged")) from error
    declared = sum(member.file_size for member in members)
    if (
        len(members) > MAX_ARCHIVE_MEMBERS
        or declared > MAX_ARCHIVE_UNCOMPRESSED
        or declared > MAX_ARCHIVE_RATIO * max(len(payload), 1)
    ):
        raise UploadRejected(filename=filename, why=_("the archive expands to an excessive size"))


def _declared_matches(filename: str, sniffed: str) -> bool:
    guessed, _encoding = mimetypes.guess_type(filename, strict=False)
    if guessed is None:
        return True  # no extension or an unknown one: the bytes decide
    guessed = EQUIVALENT.get(guessed, guessed)
    if guessed == sniffed:
        return True
    # Office files are ZIPs and RTF is text to some tools: accept the container's own name too.
    if sniffed in ZIP_TYPES and guessed in ZIP_TYPES:
        return True
    if sniffed == "text/plain":
        return guessed.startswith("text/")
    return guessed.split("/")[0] == sniffed.split("/")[0] and sniffed.startswith(("audio/", "image/"))


def safe_filename(filename: str) -> str:
    name = get_valid_filename(os.path.basename((filename or "").replace("\\", "/"))) or "attachment"
    return name[-150:]


def validate_upload(filename: str, payload: bytes, *, max_bytes: int | None = None) -> NewAttachment:
    """Check a file on its bytes and return it ready for services.store_attachments."""
    name = safe_filename(filename)
    limit = max_bytes or settings.SPORTELLO_MAX_ATTACHMENT_BYTES
    if len(payload) > limit:
        raise UploadTooLarge(filename=name, limit=limit // (1024 * 1024))
    if not payload:
        raise UploadRejected(filename=name, why=_("the file is empty"))
    sniffed = sniff_content_type(payload, name)
    if sniffed is None or sniffed not in ALLOWED_TYPES:
        raise UploadRejected(filename=name, why=_("this type of file is not accepted"))
    if not _declared_matches(name, sniffed):
        raise UploadRejected(filename=name, why=_("its name does not match its content"))
    if sniffed in ZIP_TYPES:
        _check_archive(name, payload)
    return NewAttachment(filename=name, content_type=sniffed, payload=payload)
