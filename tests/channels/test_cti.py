"""PBX call events (generic CTI push API): call log, caller pop-up, call-back requests."""

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.utils import timezone

from channels_app.calls import CallEvent, apply_call_event
from channels_app.models import Call, InboundMessage
from channels_app.selectors import call_log, calls_for_citizen, ringing_calls_for
from operators.models import Operator, Role
from tickets.calendar import clear_calendar_cache
from tickets.models import OfficeHours, Ticket

from ..factories import CitizenFactory, make_operator, open_test_ticket

CORPUS = Path("/work/shared/corpus/cti")
TOKEN = "cti-secret-token"
ROME = ZoneInfo("Europe/Rome")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _cti_token(settings):
    settings.CTI_TOKEN = TOKEN


def push(client, name: str, token: str = TOKEN):
    raw = (CORPUS / name).read_bytes()
    content_type = "application/json" if name.endswith(".json") else "application/x-www-form-urlencoded"
    return client.post(f"/api/v1/cti/{token}", data=raw, content_type=content_type)


def push_call(client, prefix: str) -> Call:
    for path in sorted(CORPUS.glob(f"{prefix}-0*")):
        assert push(client, path.name).status_code == 200, path.name
    return Call.objects.get()


def always_open(office):
    """Open all day every day, and today no public holiday (the suite also runs on 8 December)."""
    OfficeHours.objects.filter(office=office).delete()
    for day in range(7):
        OfficeHours.objects.create(office=office, weekday=day, opens=time(0, 0), closes=time(23, 59, 59))
    today = timezone.localtime(timezone.now(), ROME).date()
    office.holiday_country = next(
        country for country in ("IT", "CH", "FR", "ES", "GB", "JP") if today not in holidays.country_holidays(country)
    )
    office.holiday_subdivision = ""
    office.save(update_fields=["holiday_country", "holiday_subdivision"])
    clear_calendar_cache()


def closed_today(office):
    """Open 9–17 on one weekday that is not today, so that now is out of hours."""
    OfficeHours.objects.filter(office=office).delete()
    other = (timezone.localtime(timezone.now(), ROME).weekday() + 3) % 7
    OfficeHours.objects.create(office=office, weekday=other, opens=time(9), closes=time(17))


@pytest.mark.parametrize("path", sorted(CORPUS.iterdir()), ids=lambda p: p.name)
def test_every_corpus_event_alone_is_stored_and_logged(client, front_queue, path):
    assert push(client, path.name).status_code == 200
    inbound = InboundMessage.objects.get(channel="phone")
    assert bytes(inbound.raw) == path.read_bytes()
    assert inbound.state == InboundMessage.State.PROCESSED
    call = Call.objects.get()
    assert inbound.external_id == f"{call.call_id}:{path.stem.rsplit('-', 1)[-1]}" or path.stem.endswith("variant")


def test_citizen_call_history_and_missed_call_log(client, front_queue):
    always_open(front_queue.office)
    citizen = CitizenFactory(phone="+493023125741")
    push_call(client, "cti-inbound-answered")
    for path in sorted(CORPUS.glob("cti-inbound-missed-cancel-0*")):
        push(client, path.name)
    assert [c.call_id for c in calls_for_citizen(citizen)] == ["307fa962-de8d-4ffc-817b-7f6993204159"]
    assert [c.call_id for c in call_log(status=Call.Status.MISSED)] == ["5fb9532f40da834a"]


def test_wrong_or_missing_token_is_refused(client, front_queue, settings):
    assert push(client, "cti-inbound-answered-01-newCall.form", token="wrong").status_code == 403
    settings.CTI_TOKEN = ""
    assert push(client, "cti-inbound-answered-01-newCall.form", token="").status_code in (403, 404)
    assert not InboundMessage.objects.exists()
    assert not Call.objects.exists()


@pytest.mark.parametrize("prefix", ["cti-inbound-answered", "cti-inbound-answered-json"])
def test_answered_inbound_call_form_and_json(client, front_queue, prefix):
    always_open(front_queue.office)
    citizen = CitizenFactory(phone="+493023125741")
    call = push_call(client, prefix)
    assert call.call_id == "307fa962-de8d-4ffc-817b-7f6993204159"
    assert call.direction == Call.Direction.INBOUND
    assert call.from_number == "+493023125741"
    assert call.raw_from == "493023125741"
    assert call.to_number == "+492214710334"
    assert call.citizen == citizen
    assert call.users == ["Emma Taylor"] or call.users == ["Christopher Miller", "Emma Taylor"]
    assert call.queue == "support"
    assert call.status == Call.Status.ENDED
    assert call.answered_by == "emma@chrispresso.com"
    assert call.answered_at and call.ended_at and call.cause == "normalClearing"
    assert call.callback_ticket is None
    stored = InboundMessage.objects.filter(channel="phone").order_by("pk")
    assert [i.external_id for i in stored] == [
        "307fa962-de8d-4ffc-817b-7f6993204159:newCall",
        "307fa962-de8d-4ffc-817b-7f6993204159:answer",
        "307fa962-de8d-4ffc-817b-7f6993204159:hangup",
    ]
    assert {i.state for i in stored} == {InboundMessage.State.PROCESSED}


def test_repeated_event_changes_nothing(client, front_queue):
    always_open(front_queue.office)
    for _ in range(3):
        assert push(client, "cti-inbound-answered-01-newCall.form").status_code == 200
    assert Call.objects.count() == 1
    assert InboundMessage.objects.count() == 1
    for _ in range(2):
        push(client, "cti-inbound-answered-03-hangup.form")
    call = Call.objects.get()
    ended_at = call.ended_at
    push(client, "cti-inbound-answered-03-hangup.form")
    call.refresh_from_db()
    assert call.ended_at == ended_at


def test_anonymous_caller_has_no_number_and_no_callback(client, front_queue):
    closed_today(front_queue.office)
    call = push_call(client, "cti-inbound-missed-noanswer-anonymous")
    assert call.raw_from == "anonymous"
    assert call.from_number == ""
    assert call.citizen is None
    assert call.status == Call.Status.MISSED
    assert call.cause == "noAnswer"
    assert call.callback_ticket is None  # nobody to call back
    assert not Ticket.objects.exists()


def test_busy_number_with_punctuation_is_normalised(client, front_queue):
    always_open(front_queue.office)
    call = push_call(client, "cti-inbound-busy")
    assert call.from_number == "+493055571600"
    assert call.raw_from == "+49 (30) 555-71600"
    assert call.to_number == "+49221470334"
    assert call.users == ["John Doe"]
    assert call.status == Call.Status.MISSED


def test_national_number_is_read_in_the_default_region(client, front_queue):
    always_open(front_queue.office)
    call = push_call(client, "cti-inbound-missed-cancel")
    assert call.from_number == "+3902214710334"


def test_outbound_call_to_a_0049_number(client, front_queue):
    closed_today(front_queue.office)
    call = push_call(client, "cti-outbound-cancel")
    assert call.direction == Call.Direction.OUTBOUND
    assert call.to_number == "+49171123456789"
    assert call.status == Call.Status.ENDED  # we called and nobody answered: not a missed call
    assert call.callback_ticket is None


def test_outbound_answered_call_and_caller_array_variant(client, front_queue):
    call = push_call(client, "cti-outbound-answered")
    assert call.status == Call.Status.ENDED and call.answered_at is not None
    assert push(client, "cti-outbound-answer-caller-array-variant.form").status_code == 200
    variant = Call.objects.get(call_id="371e2cd7-67ff-4fd9-892b-030c8d128fb1")
    assert variant.users == ["Christopher Miller", "Emma Taylor"]
    assert variant.status == Call.Status.ANSWERED


def test_forwarded_call_is_not_missed(client, front_queue):
    closed_today(front_queue.office)
    call = push_call(client, "cti-inbound-forwarded")
    assert call.status == Call.Status.ENDED
    assert call.cause == "forwarded"
    assert call.callback_ticket is None


def test_missed_call_out_of_hours_opens_a_callback_due_next_working_day(client, front_queue):
    closed_today(front_queue.office)
    citizen = CitizenFactory(phone="+493023125741")
    push(client, "cti-inbound-answered-01-newCall.form")
    raw = (CORPUS / "cti-inbound-missed-noanswer-anonymous-02-hangup.form").read_bytes()
    raw = raw.replace(b"anonymous", b"493023125741").replace(
        b"53ba82e2bd6d12d9fb2d3838f0cfb070", b"307fa962-de8d-4ffc-817b-7f6993204159"
    )
    assert (
        client.post(f"/api/v1/cti/{TOKEN}", data=raw, content_type="application/x-www-form-urlencoded").status_code
        == 200
    )
    call = Call.objects.get()
    assert call.status == Call.Status.MISSED
    ticket = call.callback_ticket
    assert ticket is not None
    assert ticket.channel == "phone"
    assert ticket.citizen == citizen
    assert "+493023125741" in ticket.subject
    assert "Please call back" in ticket.messages.get().text
    opening = timezone.localtime(ticket.due_at, ROME)
    assert opening.time() == time(9)
    assert opening.weekday() == OfficeHours.objects.get().weekday
    assert InboundMessage.objects.get(external_id__endswith=":hangup").ticket == ticket


def test_missed_call_in_hours_is_only_logged(client, front_queue):
    always_open(front_queue.office)
    call = push_call(client, "cti-inbound-missed-cancel")
    assert call.status == Call.Status.MISSED
    assert call.callback_ticket is None
    assert not Ticket.objects.exists()


def test_friday_evening_missed_call_is_due_monday_morning(front_queue):
    # Default office hours (factory): Monday–Friday 9–13 and 14–17.
    friday_evening = datetime(2026, 11, 20, 19, 30, tzinfo=ROME)
    for name in ("newCall", "hangup"):
        apply_call_event(
            CallEvent(event=name, call_id="c1", raw_from="+39 06 1234 5678", cause="noAnswer"), now=friday_evening
        )
    call = Call.objects.get()
    assert call.from_number == "+390612345678"
    ticket = call.callback_ticket
    assert timezone.localtime(ticket.due_at, ROME) == datetime(2026, 11, 23, 9, 0, tzinfo=ROME)
    assert str(ticket.citizen.phone) == "+390612345678"  # an unknown caller becomes a citizen to call back


def test_malformed_event_is_refused_but_kept(client, front_queue):
    response = client.post(
        f"/api/v1/cti/{TOKEN}", data=b"event=ringring&callId=1", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    inbound = InboundMessage.objects.get()
    assert inbound.state == InboundMessage.State.QUARANTINED
    assert "ringring" in inbound.error


# ----------------------------------------------------------------------------- caller pop-up


def test_ringing_call_pops_up_for_the_operators_it_rings(client, front_queue, django_assert_max_num_queries):
    always_open(front_queue.office)
    emma = make_operator(role=Role.FRONT_OFFICE, queues=[front_queue], name="Emma Taylor", username="emma")
    chris = make_operator(role=Role.FRONT_OFFICE, queues=[front_queue], name="Chris M", username="chris")
    Operator.objects.filter(user=chris).update(extension="Christopher Miller")
    other = make_operator(role=Role.FRONT_OFFICE, queues=[front_queue], name="Paolo Neri", username="paolo")
    citizen = CitizenFactory(phone="+493023125741")
    open_one = open_test_ticket(front_queue, citizen)
    push(client, "cti-inbound-answered-01-newCall.form")

    emma.refresh_from_db()
    with django_assert_max_num_queries(6):
        calls = ringing_calls_for(emma)
        assert [c.call_id for c in calls] == ["307fa962-de8d-4ffc-817b-7f6993204159"]
        assert calls[0].citizen == citizen
        assert calls[0].open_tickets == [open_one]
    chris.refresh_from_db()
    assert len(ringing_calls_for(chris)) == 1  # matched by the extension field
    other.refresh_from_db()
    assert ringing_calls_for(other) == []

    push(client, "cti-inbound-answered-02-answer.form")
    assert ringing_calls_for(emma) == []  # answered: the pop-up goes away


def test_call_without_users_rings_the_queue_or_free_front_office(client, front_queue):
    front_queue.name = "hotline"
    front_queue.save()
    in_queue = make_operator(role=Role.FRONT_OFFICE, queues=[front_queue], name="Anna Rossi", username="anna")
    elsewhere = make_operator(
        role=Role.FRONT_OFFICE, queues=[], office=front_queue.office, name="Bea B", username="bea"
    )
    Operator.objects.filter(user=elsewhere).update(presence=Operator.Presence.AVAILABLE)
    push(client, "cti-inbound-forwarded-01-newCall.form")  # queue=hotline, no user
    assert len(ringing_calls_for(in_queue)) == 1
    assert ringing_calls_for(elsewhere) == []

    push(client, "cti-inbound-missed-noanswer-anonymous-01-newCall.form")  # no user, no queue
    elsewhere.refresh_from_db()
    calls = ringing_calls_for(elsewhere)
    assert [c.call_id for c in calls] == ["53ba82e2bd6d12d9fb2d3838f0cfb070"]
    assert calls[0].citizen is None and calls[0].open_tickets == []


def test_stale_ringing_call_does_not_pop_up(client, front_queue):
    emma = make_operator(role=Role.FRONT_OFFICE, queues=[front_queue], name="Emma Taylor", username="emma")
    push(client, "cti-inbound-answered-01-newCall.form")
    Call.objects.update(started_at=timezone.now() - timedelta(hours=1))
    assert ringing_calls_for(emma) == []


def test_multipart_form_data_events_are_understood(client, front_queue):
    always_open(front_queue.office)
    url = f"/api/v1/cti/{TOKEN}"
    common = {"from": "+39 06 1234 5678", "to": "390200000123", "direction": "in", "callId": "mp-1"}
    # Django's test client sends a dict as multipart/form-data, as several PBX connectors do.
    assert (
        client.post(url, data={**common, "event": "newCall", "user[]": ["Anna Rossi", "Bruno Verdi"]}).status_code
        == 200
    )
    assert client.post(url, data={**common, "event": "hangup", "cause": "noAnswer"}).status_code == 200
    call = Call.objects.get()
    assert call.users == ["Anna Rossi", "Bruno Verdi"]
    assert call.from_number == "+390612345678"
    assert call.status == Call.Status.MISSED
    inbound = InboundMessage.objects.filter(channel="phone").first()
    assert inbound.metadata["content_type"].startswith("multipart/form-data; boundary=")
    from channels_app.adapters.cti import CtiAdapter

    assert "newCall" in CtiAdapter().parse(bytes(inbound.raw), inbound.metadata).ignored


def test_call_log_is_readable_in_the_admin(admin_client, client, front_queue):
    push_call(client, "cti-inbound-busy")
    response = admin_client.get("/admin/channels_app/call/")
    assert response.status_code == 200
    assert b"+493055571600" in response.content


def test_missed_call_without_any_office_is_still_logged(client, db):
    # No office or queue configured yet: no call-back request can be opened, the call log is still right.
    for path in sorted(CORPUS.glob("cti-inbound-busy-0*")):
        assert push(client, path.name).status_code == 200
    call = Call.objects.get()
    assert call.status == Call.Status.MISSED
    assert call.callback_ticket is None
    assert set(InboundMessage.objects.values_list("state", flat=True)) == {InboundMessage.State.PROCESSED}


def test_url_with_a_trailing_slash_works_too(client, front_queue):
    raw = (CORPUS / "cti-inbound-busy-01-newCall.form").read_bytes()
    response = client.post(f"/api/v1/cti/{TOKEN}/", data=raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert Call.objects.exists()


def test_unrouted_call_rings_the_free_front_office_of_the_dialled_office(client, front_queue):
    from tests.factories import OfficeFactory, QueueFactory

    milano = OfficeFactory(code="milano", name="Questura di Milano", phone_number="+390200000123")
    milano_queue = QueueFactory(office=milano, name="Front Milano")
    roma_op = make_operator(role=Role.FRONT_OFFICE, queues=[front_queue], name="Anna Rossi", username="anna")
    milano_op = make_operator(role=Role.FRONT_OFFICE, queues=[milano_queue], name="Mario Bianchi", username="mario")
    Operator.objects.update(presence=Operator.Presence.AVAILABLE)
    url = f"/api/v1/cti/{TOKEN}"
    body = "event=newCall&from=%2B393331112222&to=390200000123&direction=in&callId=milano-1"
    assert client.post(url, data=body, content_type="application/x-www-form-urlencoded").status_code == 200
    roma_op.refresh_from_db()
    milano_op.refresh_from_db()
    assert ringing_calls_for(roma_op) == []
    assert [c.call_id for c in ringing_calls_for(milano_op)] == ["milano-1"]
