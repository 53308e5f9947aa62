"""Reads for the portal: published content in the citizen's language, search, office hours."""

from __future__ import annotations

from tickets.calendar import BusinessCalendar
from tickets.models import OfficeHours


def describe_office_hours(calendar: BusinessCalendar) -> list[tuple[str, str]]:
    """Opening hours as (weekday name, "09:00–12:00, 14:00–16:00"), in the active language."""
    rows = []
    for weekday in range(7):
        slots = calendar.hours.get(weekday) or []
        if slots:
            label = str(OfficeHours.Weekday(weekday).label)
            rows.append((label, ", ".join(f"{opens:%H:%M}–{closes:%H:%M}" for opens, closes in slots)))
    return rows


def list_published_procedures():
    from .models import Procedure

    return list(Procedure.objects.filter(is_published=True).select_related("office").order_by("position", "slug"))
