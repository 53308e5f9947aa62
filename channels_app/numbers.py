"""Phone numbers as the channels deliver them, read into E.164 (`+393331234567`)."""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings

# What PBXs and Twilio put in the caller id when it is withheld: never a citizen's number.
ANONYMOUS_CALLERS = {"anonymous", "unknown", "private", "restricted", "unavailable", "+266696687", "266696687"}


def to_e164(raw: str, region: str | None = None, *, bare_international: bool = False) -> str:
    """E.164 for a number in any usual shape (0039…, +39…, 06…, "+49 (221) 123-45"); "" when hopeless.

    bare_international: the sender writes international numbers without "+" (PBX CTI connectors
    send 493023125741); a bare number that is a valid international one is read as such.
    """
    value = (raw or "").strip()
    if not value or value.lower() in ANONYMOUS_CALLERS:
        return ""
    value = re.sub(r"[^\d+]", "", value)
    if value.startswith("00"):
        value = "+" + value[2:]
    if not value or value in ANONYMOUS_CALLERS:
        return ""
    if bare_international and value.isdigit() and not value.startswith("0"):
        try:
            number = phonenumbers.parse("+" + value)
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    try:
        number = phonenumbers.parse(value, region or settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
