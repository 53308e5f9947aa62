"""Business calendar: office hours, public holidays and closures turn 'now' into due dates."""

from __future__ import annotations

import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from .models import Office

# Used when an office has no opening hours configured yet, so due dates still exist.
DEFAULT_HOURS: dict[int, list[tuple[time, time]]] = {d: [(time(9), time(17))] for d in range(5)}
_SEARCH_DAYS = 400  # an office closed for more than a year has no due dates


@lru_cache(maxsize=64)
def _holiday_calendar(country: str, subdivision: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country or "IT", subdiv=subdivision or None)


@dataclass
class BusinessCalendar:
    tz: ZoneInfo
    hours: dict[int, list[tuple[time, time]]]
    country: str = "IT"
    subdivision: str = ""
    closures: set[date] = field(default_factory=set)
    # Each day's intervals, worked out once per calendar (get_calendar keeps one a minute per office):
    # every new request asks for the same few days, twice (first response and resolution).
    _days: dict[date, tuple[tuple[datetime, datetime], ...]] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def for_office(cls, office: Office) -> BusinessCalendar:
        hours: dict[int, list[tuple[time, time]]] = {}
        for slot in office.hours.all():
            hours.setdefault(slot.weekday, []).append((slot.opens, slot.closes))
        for slots in hours.values():
            slots.sort()
        return cls(
            tz=ZoneInfo(office.timezone or "Europe/Rome"),
            hours=hours or DEFAULT_HOURS,
            country=office.holiday_country,
            subdivision=office.holiday_subdivision,
            closures=set(office.closures.values_list("date", flat=True)),
        )

    def is_holiday(self, day: date) -> bool:
        return day in _holiday_calendar(self.country, self.subdivision)

    def holiday_name(self, day: date) -> str:
        return _holiday_calendar(self.country, self.subdivision).get(day) or ""

    def is_working_day(self, day: date) -> bool:
        return bool(self.hours.get(day.weekday())) and day not in self.closures and not self.is_holiday(day)

    def intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The opening intervals of a local day, as aware datetimes."""
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = (
                tuple(
                    (datetime.combine(day, opens, tzinfo=self.tz), datetime.combine(day, closes, tzinfo=self.tz))
                    for opens, closes in self.hours[day.weekday()]
                )
                if self.is_working_day(day)
                else ()
            )
        return known

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        return any(start <= local < end for start, end in self.intervals(local.date()))

    def _days_from(self, day: date):
        for offset in range(_SEARCH_DAYS):
            yield day + timedelta(days=offset)
        raise ValueError("no working day within a year")

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` itself when open, else the start of the next opening interval."""
        local = moment.astimezone(self.tz)
        for day in self._days_from(local.date()):
            for start, end in self.intervals(day):
                if local < end:
                    return max(start, local)
        raise AssertionError("unreachable")

    def next_working_day_start(self, moment: datetime) -> datetime:
        """When something left at `moment` is due: a working day's first opening.

        Before opening on a working day, that same morning; otherwise the next
        working day's opening (Friday 19:00 → Monday, holiday eve → after the holiday).
        """
        local = moment.astimezone(self.tz)
        today = self.intervals(local.date())
        if today and local < today[0][0]:
            return today[0][0]
        for day in self._days_from(local.date() + timedelta(days=1)):
            intervals = self.intervals(day)
            if intervals:
                return intervals[0][0]
        raise AssertionError("unreachable")

    def add_business_hours(self, moment: datetime, hours: float | Decimal) -> datetime:
        """The instant when `hours` of opening time have passed after `moment`."""
        remaining = timedelta(hours=float(hours))
        local = moment.astimezone(self.tz)
        if remaining <= timedelta(0):
            return local
        for day in self._days_from(local.date()):
            for start, end in self.intervals(day):
                if local >= end:
                    continue
                begin = max(start, local)
                available = end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        raise AssertionError("unreachable")

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        if end <= start:
            return timedelta(0)
        total = timedelta(0)
        local_start, local_end = start.astimezone(self.tz), end.astimezone(self.tz)
        day = local_start.date()
        while day <= local_end.date():
            for opens, closes in self.intervals(day):
                overlap = min(closes, local_end) - max(opens, local_start)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total


_CACHE: dict[int, tuple[float, BusinessCalendar]] = {}
_CACHE_SECONDS = 60.0


def get_calendar(office: Office) -> BusinessCalendar:
    """The office's calendar, cached for a minute: ingestion asks for it on every message."""
    now = clock.monotonic()
    cached = _CACHE.get(office.pk)
    if cached and now - cached[0] < _CACHE_SECONDS:
        return cached[1]
    calendar = BusinessCalendar.for_office(office)
    _CACHE[office.pk] = (now, calendar)
    return calendar


def clear_calendar_cache() -> None:
    _CACHE.clear()
