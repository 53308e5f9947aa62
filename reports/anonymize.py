"""Mask personal data in examples sent to partner bodies (names, contacts, identifiers)."""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Italian tax code (codice fiscale).
TAX_CODE = re.compile(r"\b[A-Z]{6}\d{2}[A-EHLMPRST]\d{2}[A-Z]\d{3}[A-Z]\b", re.IGNORECASE)
# Our references and case-file-like identifiers: letters, a dash or slash, digits.
REFERENCE = re.compile(r"\b[A-Z]{2,5}[-/]\d{2,4}[-/]?\d{3,}\b", re.IGNORECASE)
IBAN = re.compile(r"\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b", re.IGNORECASE)
# Phone numbers: + or 0 then 6+ digits with spaces, dots or dashes.
PHONE = re.compile(r"(?<![\w])(?:\+|00)?\d[\d .\-/()]{6,}\d")
# Passport, permit and other document numbers: letters and digits mixed, 6+ characters.
DOCUMENT = re.compile(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{6,}\b")


def mask_text(text: str, names: list[str] = ()) -> str:
    """The text with emails, phone numbers, identifiers and the given names replaced by placeholders."""
    text = EMAIL.sub("[email]", text or "")
    for name in sorted({n for n in names if n and len(n) > 1}, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(name)}\b", "[nome]", text, flags=re.IGNORECASE)
    text = TAX_CODE.sub("[codice fiscale]", text)
    text = IBAN.sub("[iban]", text)
    text = REFERENCE.sub("[riferimento]", text)
    text = DOCUMENT.sub("[documento]", text)
    text = PHONE.sub("[telefono]", text)
    return text
