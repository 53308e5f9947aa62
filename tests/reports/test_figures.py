"""Every report figure against a hand-built dataset: known counts give known percentages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from reports.selectors import percentile_from_histogram
from tests.factories import CitizenFactory, make_operator
from tickets.models import Citizen, Status

from .conftest import column, local, make_ticket, run_report

pytestmark = pytest.mark.django_db

JAN = (date(2026, 1, 1), date(2026, 1, 31))


def test_requests_by_topic_as_shares(front_queue, topics):
    # 20 / 10 / 6 / 3 / 1 of 40 requests: 50 %, 25 %, 15 %, 7.5 %, 2.5 %.
    for topic, n in zip(topics, [20, 10, 6, 3, 1], strict=True):
        for i in range(n):
            make_ticket(front_queue, local(2026, 1, 5 + i % 10, 10), topic=topic)
    make_ticket(front_queue, local(2026, 2, 2), topic=topics[4])  # outside the range

    report = run_report("topics", *JAN)

    assert column(report, 1) == {
        "Permessi di soggiorno": 20,
        "Vivere in Italia": 10,
        "Cittadinanza": 6,
        "Ricongiungimento": 3,
        "Matrimonio": 1,
    }
    assert column(report, 2) == {
        "Permessi di soggiorno": 50.0,
        "Vivere in Italia": 25.0,
        "Cittadinanza": 15.0,
        "Ricongiungimento": 7.5,
        "Matrimonio": 2.5,
    }
    assert report.summary == "Permessi di soggiorno is the most frequent topic with 50.0 % of 40 requests."
    assert report.chart["datasets"][0]["data"] == [50.0, 25.0, 15.0, 7.5, 2.5]


def _people():
    """10 Italians, 30 foreign nationals (15 MA, 6 UA, 5 CN, 3 PE, 1 unknown country)."""
    people = [CitizenFactory(nationality="IT", kind=Citizen.Kind.CITIZEN) for _ in range(10)]
    for country, n in (("MA", 15), ("UA", 6), ("CN", 5), ("PE", 3)):
        people += [CitizenFactory(nationality=country, kind=Citizen.Kind.FOREIGN_NATIONAL) for _ in range(n)]
    people.append(CitizenFactory(nationality="", kind=Citizen.Kind.FOREIGN_NATIONAL))
    # Kinds: 6 of the Moroccans are family members, 4 of the Ukrainians employers.
    for person in people[10:16]:
        person.kind = Citizen.Kind.FAMILY_MEMBER
        person.save()
    for person in people[25:29]:
        person.kind = Citizen.Kind.EMPLOYER
        person.save()
    return people


def test_users_by_profile_continent_country_and_kind(front_queue):
    for i, person in enumerate(_people()):
        make_ticket(front_queue, local(2026, 1, 5 + i % 5), citizen=person)

    profile = run_report("profile", *JAN)
    assert column(profile, 1) == {"Foreign nationals": 30, "Italian citizens": 10}
    assert column(profile, 2) == {"Foreign nationals": 75.0, "Italian citizens": 25.0}

    continents = run_report("continents", *JAN)
    assert column(continents, 1) == {"Africa": 15, "Europe": 6, "Asia": 5, "South America": 3, "Unknown": 1}
    assert column(continents, 2) == {
        "Africa": 50.0,
        "Europe": 20.0,
        "Asia": 16.7,
        "South America": 10.0,
        "Unknown": 3.3,
    }
    assert continents.summary.startswith("Africa is the most frequent origin")

    countries = run_report("countries", *JAN)
    assert column(countries, 1) == {"Morocco": 15, "Ukraine": 6, "China": 5, "Peru": 3, "Not known": 1}

    kinds = run_report("kinds", *JAN)
    assert column(kinds, 1) == {"Foreign national": 20, "Italian citizen": 10, "Family member": 6, "Employer": 4}
    assert column(kinds, 2) == {
        "Foreign national": 50.0,
        "Italian citizen": 25.0,
        "Family member": 15.0,
        "Employer": 10.0,
    }


def test_volume_per_day_and_channel_marks_the_peak(front_queue):
    for channel, day, n in (
        ("email", 5, 2),
        ("phone", 6, 3),
        ("email", 6, 1),
        ("whatsapp", 6, 1),
        ("voicemail", 7, 1),
    ):
        for _ in range(n):
            make_ticket(front_queue, local(2026, 1, day), channel=channel)

    report = run_report("volume", date(2026, 1, 5), date(2026, 1, 8))

    assert report.columns == ["Day", "Phone", "Voicemail", "Email", "WhatsApp", "Total"]
    assert report.rows == [
        ["2026-01-05", 0, 0, 2, 0, 2],
        ["2026-01-06", 3, 0, 1, 1, 5],
        ["2026-01-07", 0, 1, 0, 0, 1],
        ["2026-01-08", 0, 0, 0, 0, 0],
    ]
    assert report.highlight_row == 1
    assert "the peak was" in report.summary and "with 5 requests" in report.summary

    phone_only = run_report("volume", date(2026, 1, 5), date(2026, 1, 8), channel="phone")
    assert [row[-1] for row in phone_only.rows] == [0, 3, 0, 0]


def test_first_contact_resolution_against_escalation(front_queue, back_queue):
    for _ in range(6):
        make_ticket(front_queue, local(2026, 1, 12), responded=timedelta(minutes=10), resolved=timedelta(minutes=20))
    for i in range(3):
        make_ticket(
            front_queue, local(2026, 1, 12), escalated_to=back_queue, resolved=timedelta(days=2) if i < 2 else None
        )
    make_ticket(front_queue, local(2026, 1, 12))

    report = run_report("resolution", *JAN)

    assert report.rows[0][1:] == [6, 60.0]
    assert report.rows[1][1:] == [3, 30.0]
    assert report.rows[2][1:] == [1, 10.0]
    assert report.summary.startswith("60.0 % of 10 requests were resolved by the front office; 30.0 % were escalated")


def test_handling_and_resolution_times_median_and_p90(front_queue):
    minutes = [3, 8, 12, 20, 40, 50, 70, 100, 150, 300]
    for m in minutes:
        make_ticket(
            front_queue, local(2026, 1, 13, 9), responded=timedelta(minutes=m), resolved=timedelta(hours=m / 10)
        )

    report = run_report("times", *JAN)

    first, resolution = report.rows
    # 5th of 10 first responses is 40 min (bucket 30–45 min); 9th is 150 min (bucket 2–3 h).
    assert first[1:4] == [10, "≤ 45 min", "≤ 3 h"]
    assert first[4] == "1.3 h"  # average 75.3 min
    # Resolution: 4 h (bucket 3–4 h) and 15 h (bucket 12–18 h).
    assert resolution[1:4] == [10, "≤ 4 h", "≤ 18 h"]
    assert "wall-clock" in report.columns[2]
    assert report.summary.startswith("Half of the requests had a first response within 45 min, nine in ten within 3 h")


def test_percentile_from_histogram_edges():
    assert percentile_from_histogram({}, 0.5) is None
    assert percentile_from_histogram({0: 1}, 0.5) == 60
    assert percentile_from_histogram({2: 5, 4: 5}, 0.5) == 600  # rank 5 is the last of bucket 2
    assert percentile_from_histogram({2: 5, 4: 5}, 0.9) == 1800


def test_voicemail_answered_by_next_working_day_across_holidays(front_queue):
    # Christmas Eve 2025 (Wednesday) 19:00: the 25th and 26th are holidays, then the weekend,
    # so the next working day opens on Monday 29 December at 09:00.
    eve = local(2025, 12, 24, 19)
    in_time = make_ticket(front_queue, eve, channel="voicemail", responded=local(2025, 12, 29, 8, 45))
    assert in_time.first_response_due_at == local(2025, 12, 29, 9)
    make_ticket(front_queue, eve, channel="voicemail", responded=local(2025, 12, 29, 11))
    # Saturday 6 December: Monday 8 is the Immaculate Conception, so Tuesday 9 at 09:00;
    # an answer on the holiday itself is in time.
    saturday = local(2025, 12, 6, 12)
    make_ticket(front_queue, saturday, channel="voicemail", responded=local(2025, 12, 8, 10))
    make_ticket(front_queue, saturday, channel="voicemail", responded=local(2025, 12, 9, 10))
    make_ticket(front_queue, saturday, channel="voicemail")  # never answered
    make_ticket(front_queue, saturday, channel="email", responded=timedelta(minutes=1))  # not a voicemail

    report = run_report("voicemail", date(2025, 12, 1), date(2025, 12, 31))

    assert report.rows[0][1:] == [2, 40.0]
    assert report.rows[1][1:] == [3, 60.0]
    assert report.summary == "40.0 % of 5 voicemails were answered by the next working day."


def test_sla_compliance_per_queue(front_queue, back_queue):
    start = local(2026, 1, 14, 9)
    due = start + timedelta(hours=4)
    for offset in (1, 2, 3):  # three answered in time, resolved in time
        make_ticket(
            front_queue,
            start,
            responded=timedelta(hours=offset),
            resolved=timedelta(hours=5),
            first_response_due=due,
            resolution_due=start + timedelta(hours=24),
        )
    make_ticket(
        front_queue,
        start,
        responded=timedelta(hours=6),
        first_response_due=due,
        resolution_due=start + timedelta(hours=24),
    )  # late answer, unresolved and past due
    make_ticket(front_queue, start, first_response_due=due, resolution_due=start + timedelta(hours=24))
    make_ticket(
        back_queue,
        start,
        responded=timedelta(hours=1),
        resolved=timedelta(hours=30),
        first_response_due=due,
        resolution_due=start + timedelta(hours=24),
    )

    report = run_report("sla", *JAN)

    rows = {row[0].split(" · ", 1)[1]: row[1:] for row in report.rows}
    # Front: 3 of 5 first responses in time (1 late, 1 never); 3 of 5 resolutions in time.
    assert rows["Front office (Front office)"] == [5, 60.0, 2, 60.0, 2]
    assert rows["Back office (Back office)"] == [1, 100.0, 0, 0.0, 1]
    assert "Front office" in report.summary and "60.0 %" in report.summary


def test_operator_productivity_per_team(front_queue, back_queue):
    anna = make_operator(queues=[front_queue], name="Anna Rossi", username="anna-p")
    bruno = make_operator(queues=[front_queue], name="Bruno Verdi", username="bruno-p")
    marta = make_operator(role="back_office", queues=[back_queue], name="Marta Ferri", username="marta-p")
    for hours in (1, 2, 3):
        make_ticket(front_queue, local(2026, 1, 15, 9), resolved=timedelta(hours=hours), assignee=anna)
    make_ticket(front_queue, local(2026, 1, 15, 9), resolved=timedelta(hours=4), assignee=bruno)
    for hours in (10, 30):
        make_ticket(back_queue, local(2026, 1, 15, 9), resolved=timedelta(hours=hours), assignee=marta)
    make_ticket(front_queue, local(2026, 1, 15, 9), assignee=anna)  # not resolved: not counted
    make_ticket(front_queue, local(2026, 1, 20, 9), resolved=local(2026, 2, 2, 9), assignee=anna)  # resolved in Feb

    report = run_report("productivity", *JAN)

    assert report.rows == [
        ["Back-office expert", "Team total", 2, "20 h"],
        ["Back-office expert", "Marta Ferri", 2, "20 h"],
        ["Front-office operator", "Team total", 4, "2.5 h"],
        ["Front-office operator", "Anna Rossi", 3, "2 h"],
        ["Front-office operator", "Bruno Verdi", 1, "4 h"],
    ]
    assert report.summary == "6 requests resolved by 3 operators in 2 teams."


def test_heat_map_weekday_by_local_hour(front_queue):
    # Monday 12 January 2026 at 09:10 and 09:50 local (08:10, 08:50 UTC); Friday 16 at 17:30.
    make_ticket(front_queue, local(2026, 1, 12, 9, 10))
    make_ticket(front_queue, local(2026, 1, 12, 9, 50))
    make_ticket(front_queue, local(2026, 1, 16, 17, 30))

    report = run_report("heatmap", *JAN)

    grid = {row[0]: row[1:] for row in report.rows}
    assert grid["Monday"][9] == 2 and sum(grid["Monday"]) == 2
    assert grid["Friday"][17] == 1 and sum(grid["Friday"]) == 1
    assert report.summary.startswith("The busiest hour is Monday 09:00–09:59 with 2 requests")


class TestTimeZoneEdges:
    def test_23_30_on_the_last_day_of_a_month_belongs_to_that_day(self, front_queue):
        make_ticket(front_queue, local(2026, 1, 31, 23, 30))  # 22:30 UTC
        make_ticket(front_queue, local(2026, 2, 1, 0, 30))  # 23:30 UTC on 31 January

        january = run_report("volume", *JAN)
        february = run_report("volume", date(2026, 2, 1), date(2026, 2, 28))

        assert january.rows[-1] == ["2026-01-31", 1, 1][:1] + january.rows[-1][1:]
        assert january.rows[-1][-1] == 1 and sum(row[-1] for row in january.rows) == 1
        assert february.rows[0][0] == "2026-02-01" and february.rows[0][-1] == 1
        heat = {row[0]: row[1:] for row in run_report("heatmap", *JAN).rows}
        assert heat["Saturday"][23] == 1

    def test_spring_forward_day(self, front_queue):
        # 29 March 2026: clocks jump from 02:00 to 03:00; the local day is 23 hours long.
        for hour in (0, 1, 3, 23):
            make_ticket(front_queue, local(2026, 3, 29, hour, 30))

        volume = run_report("volume", date(2026, 3, 28), date(2026, 3, 30))
        heat = {row[0]: row[1:] for row in run_report("heatmap", date(2026, 3, 28), date(2026, 3, 30)).rows}

        assert [row[-1] for row in volume.rows] == [0, 4, 0]
        assert [heat["Sunday"][h] for h in (0, 1, 2, 3, 23)] == [1, 1, 0, 1, 1]

    def test_fall_back_day_counts_the_repeated_hour_twice(self, front_queue):
        # 25 October 2026: 02:30 happens twice (00:30 and 01:30 UTC).
        make_ticket(front_queue, local(2026, 10, 25, 2, 30, fold=0))
        make_ticket(front_queue, local(2026, 10, 25, 2, 30, fold=1))
        make_ticket(front_queue, local(2026, 10, 25, 23, 30))  # 22:30 UTC, still the 25th

        volume = run_report("volume", date(2026, 10, 24), date(2026, 10, 26))
        heat = {row[0]: row[1:] for row in run_report("heatmap", date(2026, 10, 24), date(2026, 10, 26)).rows}

        assert [row[-1] for row in volume.rows] == [0, 3, 0]
        assert heat["Sunday"][2] == 2 and heat["Sunday"][23] == 1


def test_filters_by_office_and_channel(front_queue, topics):
    from tests.factories import OfficeFactory, QueueFactory

    other = QueueFactory(office=OfficeFactory(code="milano", name="Milano"), name="Front")
    make_ticket(front_queue, local(2026, 1, 7), topic=topics[0], channel="email")
    make_ticket(front_queue, local(2026, 1, 7), topic=topics[1], channel="phone")
    make_ticket(other, local(2026, 1, 7), topic=topics[2], channel="email")

    assert column(run_report("topics", *JAN), 1) == {
        "Permessi di soggiorno": 1,
        "Vivere in Italia": 1,
        "Cittadinanza": 1,
    }
    assert column(run_report("topics", *JAN, office_id=front_queue.office_id), 1) == {
        "Permessi di soggiorno": 1,
        "Vivere in Italia": 1,
    }
    assert column(run_report("topics", *JAN, office_id=front_queue.office_id, channel="email"), 1) == {
        "Permessi di soggiorno": 1
    }
    assert Status.NEW  # the filters change nothing else
