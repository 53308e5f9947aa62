"""The one upload policy: names, sniffed types, sizes and archives, for every way a file comes in.

Every channel asks the same question, `inspect_file()`, and gets the same answer:

* the **name** is cleaned by `safe_filename()` (no directories of either slash kind, no control or
  bidi characters, NFC, capped, never empty) and its extension is made to tell the truth about the
  bytes, so "invoice\u202efdp.html" cannot pass for a PDF on an operator's screen;
* the **type** is sniffed from the bytes (`filetype`, plus the markup and text checks below), never
  taken from the name or the sender's word;
* programs, scripts, web pages, SVG, disk images, OneNote and help files are **blocked** whatever
  their content or name says (`BLOCKED_EXTENSIONS`, `BLOCKED_TYPES`);
* the **size** limit is `settings.SPORTELLO_MAX_ATTACHMENT_BYTES`, nothing else;
* **archives**: a ZIP is accepted on every channel once it has been opened and its members checked
  (no bomb, no password, no program, page or other archive inside, no path out of the folder);
  every other archive kind (RAR, 7z, tar, gzip, CAB, …) is refused on every channel, because we
  cannot look inside it with the standard library and an operator would open it blind. One answer
  for the portal, e-mail, WhatsApp, voicemail, the desk and the API, so a citizen is never told
  "no" on one channel for a file another channel takes.

What differs between callers is only what a refusal costs. A person at a form (`validate_upload`:
portal, desk, API) is told at once and can fix it, so a name that contradicts the bytes, or a type
that is not on `ALLOWED_TYPES`, is refused there too. An unattended channel (e-mail, WhatsApp,
voicemail; `channels_app.attachment_policy.screen`) cannot ask the sender again: it stores the file
under an honest name and type, or withholds it with a note and a timeline event, and the raw input
keeps the original. Downloads use `download_headers()`: only raster images and audio are ever shown
inline; everything else is an attachment, typed application/octet-stream, with `nosniff`.
"""

from __future__ import annotations

import io
import mimetypes
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from urllib.parse import quote

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .errors import DomainError
from .services import NewAttachment

# What a person may upload through our forms (portal, desk, API); unattended channels store other
# harmless types too (an Outlook winmail.dat, a signed .p7m) but only ever as a download.
ALLOWED_TYPES = frozenset(
    {
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
)
# A scan of a letter or a fax is a picture or a PDF.
SCAN_TYPES = frozenset({"application/pdf", "image/tiff", "image/png", "image/jpeg"})
# The only types a download may show in the browser: they cannot run script in our origin.
# PDF would be allowed by the policy, but a sandboxed CSP stops the browsers' PDF viewers anyway.
INLINE_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "audio/mpeg",
        "audio/mp4",
        "audio/ogg",
        "audio/x-wav",
        "audio/aac",
        "audio/amr",
    }
)

# Programs and scripts Windows (or a browser) runs on a double click, pages and images that carry
# script, disk images that mount as a drive (and bypass Mark-of-the-Web), OneNote and help files:
# refused whatever their content, on every channel. After Outlook's blocked-attachment list.
BLOCKED_EXTENSIONS = frozenset(
    {
        # programs, installers, libraries, shortcuts
        "exe", "scr", "com", "pif", "bat", "cmd", "msi", "msp", "mst", "msu", "msix", "msixbundle", "appx",
        "appxbundle", "dll", "cpl", "ocx", "sys", "drv", "lnk", "url", "website", "scf", "inf", "ins", "isp",
        "reg", "application", "appref-ms", "gadget", "jar", "jnlp", "apk", "xbap", "xll", "msc", "diagcab",
        "settingcontent-ms", "library-ms", "search-ms", "hta", "htc",
        # scripts
        "js", "jse", "mjs", "vb", "vbs", "vbe", "vbp", "wsf", "wsh", "wsc", "ws", "sct", "shb", "shs", "ps1",
        "ps1xml", "ps2", "ps2xml", "psc1", "psc2", "psd1", "psm1", "msh", "msh1", "msh2", "mshxml", "sh", "bash",
        "csh", "ksh", "py", "pyc", "pyo", "pyw", "pyz", "pyzw", "pl", "rb", "php", "bas", "command",
        # pages and markup that run script when opened
        "html", "htm", "xhtml", "xht", "shtml", "mht", "mhtml", "svg", "svgz", "xsl", "xslt",
        # disk and virtual machine images
        "iso", "img", "vhd", "vhdx", "vmdk", "dmg", "udf",
        # OneNote, compiled help, Access macros
        "one", "onepkg", "chm", "hlp", "ade", "adp", "mda", "mde", "accde",
    }
)  # fmt: skip
EXECUTABLE_TYPES = frozenset(
    {
        "application/x-msdownload",
        "application/x-executable",
        "application/x-sharedlib",
        "application/x-mach-binary",
        "application/x-elf",
        "application/wasm",
        "application/x-shockwave-flash",
        "application/x-google-chrome-extension",
        "application/x-deb",
        "application/x-rpm",
        "application/x-nintendo-nes-rom",
        "application/java-archive",
    }
)
MARKUP_TYPES = frozenset({"text/html", "application/xhtml+xml", "image/svg+xml", "text/xsl", "application/xslt+xml"})
DISK_IMAGE_TYPES = frozenset(
    {"application/x-iso9660-image", "application/x-raw-disk-image", "application/x-apple-diskimage"}
)
BLOCKED_TYPES = EXECUTABLE_TYPES | MARKUP_TYPES | DISK_IMAGE_TYPES
ZIP_TYPES = frozenset(
    {
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/epub+zip",
    }
)
# Archives we cannot open with the standard library: refused everywhere (see the module docstring).
CLOSED_ARCHIVE_TYPES = frozenset(
    {
        "application/x-tar",
        "application/x-rar-compressed",
        "application/gzip",
        "application/x-bzip2",
        "application/x-7z-compressed",
        "application/x-xz",
        "application/vnd.ms-cab-compressed",
        "application/x-unix-archive",
        "application/x-compress",
        "application/x-lzop",
        "application/x-lzip",
        "application/x-lz4",
        "application/zstd",
        "application/x-brotli",
    }
)
ARCHIVE_EXTENSIONS = frozenset(
    {"zip", "zipx", "rar", "7z", "tar", "gz", "tgz", "bz2", "tbz", "tbz2", "xz", "txz", "cab", "arj", "lzh", "lha",
     "ace", "z", "zst", "lz", "lz4", "lzma", "cpio", "ar"}
)  # fmt: skip
MAX_ARCHIVE_MEMBERS = 1000
MAX_ARCHIVE_RATIO = 100  # uncompressed / compressed; real documents stay far below
MAX_ARCHIVE_UNCOMPRESSED = 200 * 1024 * 1024
MAX_NAME_LENGTH = 150  # characters; storage keeps the last 100 of the path, the row 255

# Spellings of one type (a .jpeg is a .jpg; WhatsApp's voice notes are audio/ogg; codecs=opus).
_FAMILIES = (
    {"image/jpeg", "image/jpg", "image/pjpeg"},
    {"image/tiff", "image/tif"},
    {"image/heic", "image/heif"},
    {"audio/x-wav", "audio/wav", "audio/wave", "audio/vnd.wave"},
    {"audio/mpeg", "audio/mp3", "audio/mpeg3"},
    {"audio/ogg", "audio/opus", "video/ogg", "application/ogg"},
    {"audio/mp4", "audio/x-m4a", "audio/m4a", "video/mp4", "video/x-m4v", "video/quicktime", "video/3gpp"},
    {"audio/amr", "audio/amr-wb"},
    {"application/rtf", "text/rtf"},
    {"application/xml", "text/xml"},
    {"application/gzip", "application/x-gzip"},
    {"application/x-rar-compressed", "application/vnd.rar", "application/x-rar"},
    {"application/zip", "application/x-zip-compressed", *ZIP_TYPES},
    # Word, Excel and PowerPoint 97 and Outlook .msg share one container (OLE2).
    {"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint", "application/x-ole-storage"},
    {"application/x-msdownload", "application/x-dosexec", "application/vnd.microsoft.portable-executable"},
)
_FAMILY_OF = {mime: index for index, family in enumerate(_FAMILIES) for mime in family}
_TEXTUAL = frozenset({"application/json", "application/xml", "message/rfc822", "application/x-yaml", "text/xml"})
# The extension a sniffed type is stored under when the name lied.
_EXTENSION_FOR = {kind.mime: kind.extension for kind in reversed(filetype.types)} | {
    "text/plain": "txt",
    "application/xml": "xml",
    "text/html": "html",
    "image/svg+xml": "svg",
    "image/tiff": "tif",
    "application/msword": "doc",
}
_TYPE_FOR_EXTENSION = {kind.extension: kind.mime for kind in filetype.types}
# Types the sniffer recognises positively: a name claiming one of them can be checked against the bytes.
_VERIFIABLE = frozenset(_EXTENSION_FOR) | frozenset(_FAMILY_OF)

_PROGRAM_MAGIC = (
    (b"MZ", _("a Windows program")),
    (b"\x7fELF", _("a Linux program")),
    (b"\xcf\xfa\xed\xfe", _("a macOS program")),
    (b"\xce\xfa\xed\xfe", _("a macOS program")),
    (b"\xca\xfe\xba\xbe", _("a macOS or Java program")),
    (b"#!", _("a script")),
)
_MARKUP_TAGS = (
    b"<html",
    b"<!doctype html",
    b"<script",
    b"<body",
    b"<head",
    b"<iframe",
    b"<svg",
    b"<object",
    b"<embed",
)
# Unicode bidi controls: they reorder what a file manager shows ("invoice\u202efdp.html").
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Line breaks of every script become a space; other controls and invisible marks go.
_BREAKS = frozenset("\t\n\v\f\r\x85\u2028\u2029")
_INVISIBLE = frozenset("\u200b\u2060\ufeff")
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)


class UploadRejected(DomainError):
    status, code = 422, "upload_rejected"
    template = _("The file %(filename)s was refused: %(why)s")


class UploadTooLarge(UploadRejected):
    status, code = 413, "upload_too_large"
    template = _("The file %(filename)s is larger than %(limit)s, the largest file we accept.")


@dataclass(frozen=True)
class Refusal:
    code: str  # too_large, empty, program, blocked, archive, mismatch, type
    why: str | Promise

    @property
    def is_security(self) -> bool:
        """A file held back because opening it could hurt (as opposed to too big or empty)."""
        return self.code not in ("too_large", "empty")


@dataclass
class Inspection:
    """The policy's answer for one file."""

    original: str  # the name as it arrived
    filename: str  # the name to store and show
    content_type: str  # the type to store: sniffed, or the declared one when harmless
    size: int
    refusal: Refusal | None = None
    hidden_characters: bool = False  # the name carried control or bidi characters
    relabelled: bool = False  # name or type were changed to match the bytes
    sniffed: str = ""


def max_upload_bytes() -> int:
    return int(settings.SPORTELLO_MAX_ATTACHMENT_BYTES)


def format_size(size: int) -> str:
    """Django's localised size ("25.0 MB"), with a plain space: it is also written into message texts."""
    return str(filesizeformat(size)).replace("\xa0", " ")


# ----------------------------------------------------------------------------- names


def _last_component(name: str) -> str:
    return re.split(r"[\\/]", name)[-1]


def _clean_characters(name: str) -> str:
    kept = []
    for char in name:
        if char in _BREAKS:
            kept.append(" ")
        elif char in _BIDI or char in _INVISIBLE or unicodedata.category(char) in ("Cc", "Cs", "Co"):
            continue  # NUL, C0/C1 controls, lone surrogates, private use
        elif char in '<>:"|?*':
            kept.append("_")  # reserved on Windows, where operators save the file
        else:
            kept.append(char)
    return " ".join("".join(kept).split())


def split_extension(name: str) -> tuple[str, str]:
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or " " in extension or len(extension) > 16:
        return name, ""
    return stem, extension.lower()


def clean_filename(filename: str) -> str:
    """safe_filename(), or "" when nothing of the name is left (for callers with their own fallback)."""
    name = _last_component(_clean_characters(unicodedata.normalize("NFC", str(filename or ""))))
    # Windows drops trailing dots and spaces ("x.exe." runs as x.exe); leading dots hide the file.
    name = name.strip(" .")
    if not name.strip("_"):
        return ""
    if _WINDOWS_RESERVED.match(name):
        name = "_" + name
    stem, extension = split_extension(name)
    if extension:
        stem = stem.rstrip(" .")[: MAX_NAME_LENGTH - len(extension) - 1].rstrip(" .")
        return f"{stem}.{name.rpartition('.')[2]}" if stem else ""
    return name[:MAX_NAME_LENGTH].rstrip(" .")


def safe_filename(filename: str) -> str:
    """The name to store and show: basename only, no hidden characters, NFC, at most 150 characters."""
    return clean_filename(filename) or "attachment"


def spell_hidden_characters(original: str) -> str:
    """The original name for a note: the hidden characters spelled out, so the note cannot hide them."""
    out = []
    for char in original:
        if char in _BIDI or char in _INVISIBLE or char in _BREAKS or unicodedata.category(char) in ("Cc", "Cs", "Co"):
            out.append(f"[U+{ord(char):04X}]")
        else:
            out.append(char)
    return "".join(out)[:300]


# ----------------------------------------------------------------------------- types


def _family(mime: str) -> int | None:
    return _FAMILY_OF.get(mime)


def _is_textual(mime: str) -> bool:
    return mime.startswith("text/") or mime in _TEXTUAL or mime.endswith(("+xml", "+json"))


def same_type(one: str, other: str) -> bool:
    if not one or not other:
        return False
    one, other = one.lower(), other.lower()
    if one == other:
        return True
    family = _family(one)
    return family is not None and family == _family(other)


def _type_of_extension(extension: str) -> str:
    if not extension:
        return ""
    guessed = _TYPE_FOR_EXTENSION.get(extension) or mimetypes.guess_type(f"x.{extension}", strict=False)[0] or ""
    return guessed.lower()


def _is_text(payload: bytes) -> bool:
    head = payload[:65536]
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:
            return True  # a multibyte character cut at the sniffing boundary
    # Legacy 8-bit text (Windows-1252, ISO-8859-x) has no byte we can object to but C0 controls.
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f\x1b")
    return controls <= len(head) // 100


def _markup_type(payload: bytes) -> str:
    head = payload[:2048].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if not head.startswith(b"<"):
        return ""
    if b"<svg" in head:
        return "image/svg+xml"
    if any(tag in head for tag in _MARKUP_TAGS) or b"http://www.w3.org/1999/xhtml" in head:
        return "text/html"
    if head.startswith(b"<?xml"):
        return "application/xml"
    return ""


def sniff_content_type(payload: bytes, filename: str = "") -> str | None:
    """The type the bytes say, or None when they say nothing we recognise."""
    kind = filetype.guess(payload[:8192])
    if kind is not None:
        return kind.mime
    if b"%PDF-" in payload[:1024]:
        return "application/pdf"  # readers accept a PDF header after some junk; so do we
    if _is_text(payload):
        return _markup_type(payload) or "text/plain"
    return None


def _program_kind(payload: bytes) -> str | Promise:
    head = payload[:8]
    for magic, kind in _PROGRAM_MAGIC:
        if head.startswith(magic):
            if magic == b"MZ" and len(payload) < 64:
                continue  # two letters "MZ" in a tiny text file are not a program
            if magic == b"#!" and head.startswith(b"#!AMR"):
                continue  # AMR voice recordings start with "#!AMR"
            return kind
    return ""


# ----------------------------------------------------------------------------- archives


def _archive_refusal(payload: bytes, sniffed: str) -> Refusal | None:
    if sniffed in CLOSED_ARCHIVE_TYPES:
        return Refusal("archive", _("it is an archive whose content cannot be checked; send a ZIP or the files"))
    if sniffed not in ZIP_TYPES:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            members = archive.infolist()
    # RuntimeError covers zipfile's refusal of what it cannot read (an unsupported compression method,
    # such as an old "implode", or a vendor's own): an archive that cannot be checked is refused.
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError):
        return Refusal("archive", _("the archive is damaged"))
    declared = sum(member.file_size for member in members)
    if (
        len(members) > MAX_ARCHIVE_MEMBERS
        or declared > MAX_ARCHIVE_UNCOMPRESSED
        or declared > MAX_ARCHIVE_RATIO * max(len(payload), 1)
    ):
        return Refusal("archive", _("the archive expands to an excessive size"))
    if any(member.flag_bits & 0x1 for member in members):
        return Refusal("archive", _("the archive is protected by a password, so its content cannot be checked"))
    if sniffed != "application/zip":
        return None  # an office document: its parts are the program's business, not a person's to open
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        for member in members:
            refusal = _member_refusal(archive, member)
            if refusal is not None:
                return refusal
    return None


def _member_refusal(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> Refusal | None:
    path = member.filename.replace("\\", "/")
    if path.startswith("/") or ".." in path.split("/") or re.match(r"^[A-Za-z]:", path):
        return Refusal("archive", _("the archive would write files outside its folder"))
    if member.is_dir():
        return None
    _stem, extension = split_extension(safe_filename(path))
    if extension in BLOCKED_EXTENSIONS:
        return Refusal(
            "archive", _("the archive contains %(member)s, a type that is never accepted") % {"member": path}
        )
    if extension in ARCHIVE_EXTENSIONS:
        return Refusal(
            "archive",
            _("the archive contains another archive (%(member)s) that cannot be checked") % {"member": path},
        )
    # The name is the member's word; its first bytes say whether it is a program dressed as a document.
    try:
        with archive.open(member) as handle:
            head = handle.read(64)
    # RuntimeError: an encrypted member, or a compression method zipfile cannot read (its subclass).
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, zlib.error):
        return Refusal("archive", _("the archive is damaged"))
    if _program_kind(head) or (filetype.guess_mime(head) or "") in EXECUTABLE_TYPES:
        return Refusal(
            "archive", _("the archive contains %(member)s, a type that is never accepted") % {"member": path}
        )
    return None


# ----------------------------------------------------------------------------- the policy


def inspect_file(filename: str, payload: bytes, declared: str = "", *, strict: bool = False) -> Inspection:
    """The policy's answer for one file; `strict` for a person at a form, who can send it again."""
    declared = (declared or "").split(";")[0].strip().lower()
    name = safe_filename(filename)
    result = Inspection(original=str(filename or ""), filename=name, content_type="", size=len(payload))
    result.hidden_characters = spell_hidden_characters(result.original) != result.original
    limit = max_upload_bytes()
    if len(payload) > limit:
        result.refusal = Refusal("too_large", _("it is larger than %(limit)s") % {"limit": format_size(limit)})
        return result
    if not payload:
        result.refusal = Refusal("empty", _("the file is empty"))
        return result
    sniffed = sniff_content_type(payload, name) or ""
    result.sniffed = sniffed
    stem, extension = split_extension(name)
    refusal = _blocked(payload, extension, sniffed, declared)
    if refusal is not None:
        result.refusal = refusal
        return result

    claimed = _type_of_extension(extension)
    if (claimed in _VERIFIABLE or _is_textual(claimed)) and not _name_matches(claimed, sniffed):
        found = _EXTENSION_FOR.get(sniffed, "")
        if strict:
            result.refusal = Refusal(
                "mismatch",
                _("its name (.%(claimed)s) does not match its content (%(found)s), so it is not accepted")
                % {"claimed": extension, "found": found.upper() or _("unknown")},
            )
            return result
        result.filename = f"{stem}.{found or 'bin'}"
        result.relabelled = True
    if strict and sniffed not in ALLOWED_TYPES:
        result.refusal = Refusal(
            "type",
            _("this type of file (%(type)s) is not accepted; send PDF, pictures, office documents, text, audio or ZIP")
            % {"type": (_EXTENSION_FOR.get(sniffed) or extension or _("unknown")).upper()},
        )
        return result
    result.refusal = _archive_refusal(payload, sniffed)
    if result.refusal is not None:
        return result
    result.content_type = _stored_type(declared, sniffed)
    if declared and declared != "application/octet-stream" and declared in _VERIFIABLE:
        result.relabelled = result.relabelled or not _name_matches(declared, sniffed)
    return result


def _blocked(payload: bytes, extension: str, sniffed: str, declared: str) -> Refusal | None:
    program = _program_kind(payload)
    if program or sniffed in EXECUTABLE_TYPES:
        return Refusal("program", _("it is %(what)s, not a document") % {"what": program or _("a program")})
    if extension in BLOCKED_EXTENSIONS:
        return Refusal("blocked", _("files ending in .%(extension)s are never accepted") % {"extension": extension})
    if sniffed in MARKUP_TYPES or (sniffed in ("", "text/plain") and declared in MARKUP_TYPES):
        return Refusal("blocked", _("it is a web page or an SVG image, which can run code when opened"))
    if sniffed in DISK_IMAGE_TYPES or declared in DISK_IMAGE_TYPES:
        return Refusal("blocked", _("it is a disk image"))
    return None


def _name_matches(claimed: str, sniffed: str) -> bool:
    if not sniffed:
        return False
    if same_type(claimed, sniffed):
        return True
    if _is_textual(claimed) and (sniffed == "text/plain" or sniffed == "application/xml"):
        return True
    # A JPEG saved as .png, an m4a as .aac: the same kind of thing, and a viewer copes.
    return claimed.split("/")[0] == sniffed.split("/")[0] and sniffed.startswith(("audio/", "image/"))


def _stored_type(declared: str, sniffed: str) -> str:
    if sniffed:
        if same_type(declared, sniffed) or (sniffed == "text/plain" and _is_textual(declared)):
            return declared  # the sender's spelling of the same thing (audio/wav, text/csv)
        return sniffed
    if not declared or declared in INLINE_TYPES or declared in _VERIFIABLE or _is_textual(declared):
        return "application/octet-stream"  # the bytes contradict what the sender said
    return declared  # a type we cannot check (winmail.dat, .p7m): kept, only ever downloaded


def validate_upload(
    filename: str, payload: bytes, *, max_bytes: int | None = None, allowed: frozenset[str] | None = None
) -> NewAttachment:
    """Check a file a person is uploading; UploadRejected says what to fix. `allowed` narrows ALLOWED_TYPES."""
    if max_bytes is not None and len(payload) > max_bytes:
        raise UploadTooLarge(filename=safe_filename(filename), limit=format_size(max_bytes))
    inspection = inspect_file(filename, payload, strict=True)
    if inspection.refusal is not None:
        if inspection.refusal.code == "too_large":
            raise UploadTooLarge(filename=inspection.filename, limit=format_size(max_upload_bytes()))
        raise UploadRejected(filename=inspection.filename, why=inspection.refusal.why)
    if allowed is not None and inspection.sniffed not in allowed:
        raise UploadRejected(filename=inspection.filename, why=_("this type of file is not accepted here"))
    return NewAttachment(filename=inspection.filename, content_type=inspection.sniffed, payload=payload)


# ----------------------------------------------------------------------------- downloads


def is_inline_safe(content_type: str) -> bool:
    content_type = (content_type or "").split(";")[0].strip().lower()
    return content_type in INLINE_TYPES or any(same_type(content_type, inline) for inline in INLINE_TYPES)


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """RFC 6266: an ASCII fallback for old clients and the exact name as RFC 5987 `filename*`."""
    name = safe_filename(filename)
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r"[^\x20-\x7e]|[\"\\%]", "_", fallback).strip() or "attachment"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=utf-8''{quote(name, safe='')}"


def download_headers(filename: str, content_type: str) -> dict[str, str]:
    """Headers for serving a stored attachment: inline only for pictures and audio, never sniffed."""
    inline = is_inline_safe(content_type)
    return {
        "Content-Type": content_type if inline else "application/octet-stream",
        "Content-Disposition": content_disposition(filename, inline=inline),
        "X-Content-Type-Options": "nosniff",
    }
