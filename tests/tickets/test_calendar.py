from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tickets.calendar import BusinessCalendar

ROME = ZoneInfo("Europe/Rome")
SPLIT_HOURS = {d: [(time(9), time(13)), (time(14), time(17, 30))] for d in range(5)}
ROMA = BusinessCalendar(tz=ROME, hours=SPLIT_HOURS, country="IT")
TICINO = BusinessCalendar(
    tz=ZoneInfo("Europe/Zurich"),
    hours={d: [(time(8), time(12)), (time(13, 30), time(17))] for d in range(5)},
    country="CH",
    subdivision="TI",
)


def at(*args, tz=ROME) -> datetime:
    return datetime(*args, tzinfo=tz)


def test_friday_evening_voicemail_is_due_monday_opening():
    assert ROMA.next_working_day_start(at(2026, 11, 20, 19, 0)) == at(2026, 11, 23, 9, 0)


def test_christmas_eve_voicemail_skips_christmas_and_santo_stefano():
    # 24 Dec 2026 is a Thursday; 25 and 26 are holidays, then the weekend.
    assert ROMA.next_working_day_start(at(2026, 12, 24, 18, 0)) == at(2026, 12, 28, 9, 0)


def test_before_opening_on_a_working_day_is_due_that_morning():
    assert ROMA.next_working_day_start(at(2026, 11, 24, 7, 30)) == at(2026, 11, 24, 9, 0)


def test_during_the_day_is_due_next_working_day():
    assert ROMA.next_working_day_start(at(2026, 11, 24, 11, 0)) == at(2026, 11, 25, 9, 0)


def test_ticino_has_its_own_holidays():
    # 19 March (San Giuseppe) is a holiday in Ticino, not in Italy.
    assert TICINO.is_holiday(date(2026, 3, 19))
    assert not ROMA.is_holiday(date(2026, 3, 19))
    assert ROMA.is_holiday(date(2026, 6, 2))  # Festa della Repubblica
    assert not TICINO.is_holiday(date(2026, 6, 2))
    assert TICINO.next_working_day_start(at(2026, 3, 18, 20, 0, tz=TICINO.tz)) == at(2026, 3, 20, 8, 0, tz=TICINO.tz)


def test_business_hours_skip_lunch_and_nights():
    # 3 hours from Monday 12:00: 12–13 (1h), 14–16 (2h).
    assert ROMA.add_business_hours(at(2026, 11, 23, 12, 0), 3) == at(2026, 11, 23, 16, 0)
    # 4 hours from Friday 16:30: 1h Friday, 3h Monday morning.
    assert ROMA.add_business_hours(at(2026, 11, 20, 16, 30), 4) == at(2026, 11, 23, 12, 0)


def test_dst_change_weekend():
    # Clocks go forward on Sunday 29 March 2026: Monday opening is still 09:00 local (07:00 UTC).
    due = ROMA.next_working_day_start(at(2026, 3, 27, 19, 0))
    assert due == at(2026, 3, 30, 9, 0)
    assert due.utcoffset() == timedelta(hours=2)


moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(ROME))
calendars = st.sampled_from([ROMA, TICINO])


@settings(max_examples=300, deadline=None)
@given(moment=moments, calendar=calendars)
def test_next_working_day_start_is_an_opening_on_a_working_day(moment, calendar):
    due = calendar.next_working_day_start(moment)
    local = due.astimezone(calendar.tz)
    assert due >= moment
    assert calendar.is_working_day(local.date())
    assert local.timetz().replace(tzinfo=None) == calendar.hours[local.weekday()][0][0]
    assert due - moment < timedelta(days=10)


@settings(max_examples=300, deadline=None)
@given(moment=moments, calendar=calendars, hours=st.floats(min_value=0.25, max_value=120))
def test_adding_business_hours_counts_exactly_that_much_open_time(moment, calendar, hours):
    due = calendar.add_business_hours(moment, hours)
    assert due > moment
    # The instant before the due time is open time (a due time 0.6 s after the office reopens
    # has its last second in the lunch break, so "one second before" was the wrong instant).
    assert calendar.is_open(due - timedelta(microseconds=1))
    counted = calendar.business_time_between(moment, due)
    assert abs(counted - timedelta(hours=hours)) < timedelta(seconds=1)


@settings(max_examples=200, deadline=None)
@given(a=moments, b=moments, calendar=calendars)
def test_due_dates_never_go_backwards(a, b, calendar):
    early, late = sorted([a, b])
    assert calendar.next_working_day_start(early) <= calendar.next_working_day_start(late)
    assert calendar.add_business_hours(early, 8) <= calendar.add_business_hours(late, 8)


def test_time_left_over_at_closing_carries_past_the_lunch_break():
    # 12:45:00.6 + 15 min of open time: 14 min 59.4 s before 13:00, the last 0.6 s after 14:00.
    due = ROMA.add_business_hours(datetime(2024, 1, 12, 12, 45, 0, 598743, tzinfo=ROME), 0.25)
    assert due == datetime(2024, 1, 12, 14, 0, 0, 598743, tzinfo=ROME)
    assert ROMA.is_open(due - timedelta(microseconds=1))
