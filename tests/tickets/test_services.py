import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from tickets import errors, services
from tickets.models import Message, Status, Ticket, TicketEvent, Tier

from ..factories import CitizenFactory, open_test_ticket


def kinds(ticket: Ticket) -> list[str]:
    return list(ticket.events.order_by("created_at", "id").values_list("kind", flat=True))


def test_open_ticket_gets_reference_token_due_dates_and_event(ticket):
    assert ticket.reference.startswith("IST-")
    assert len(ticket.reference.split("-")[-1]) == 7
    assert len(ticket.access_token) >= 32
    assert ticket.status == Status.NEW
    assert ticket.first_response_due_at and ticket.resolution_due_at and ticket.due_at
    assert ticket.first_response_due_at <= ticket.resolution_due_at
    assert kinds(ticket) == [TicketEvent.Kind.CREATED]
    assert ticket.messages.get().text == "Quali documenti servono?"


def test_references_are_unique_and_increasing(front_queue, citizen):
    first = open_test_ticket(front_queue, citizen)
    second = open_test_ticket(front_queue, citizen)
    assert first.reference != second.reference
    assert int(second.reference[-7:]) == int(first.reference[-7:]) + 1


def test_the_database_refuses_a_second_ticket_with_the_same_status_link(front_queue, citizen):
    # The access token is the citizen's key to the status page: two requests must never share one.
    first = open_test_ticket(front_queue, citizen)
    second = open_test_ticket(front_queue, citizen)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=second.pk).update(access_token=first.access_token)


def test_tickets_opened_together_get_their_own_years_references_in_order(front_queue, citizen):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    new_year = datetime(2027, 1, 1, 0, 30, tzinfo=ZoneInfo("Europe/Rome"))  # still 2026 in UTC
    late = datetime(2026, 12, 31, 23, 0, tzinfo=ZoneInfo("Europe/Rome"))
    opened = services.open_tickets(
        [services.NewRequest(citizen=citizen, queue=front_queue, channel="email", text=f"n. {i}", received_at=at)
         for i, at in enumerate((late, new_year, late))]
    )  # fmt: skip
    years = [t.reference.split("-")[1] for t in opened]
    assert years == ["2026", "2027", "2026"]
    assert int(opened[2].reference[-7:]) == int(opened[0].reference[-7:]) + 1
    after = open_test_ticket(front_queue, citizen, received_at=late)  # the counter goes on after them
    assert int(after.reference[-7:]) == int(opened[2].reference[-7:]) + 1
    assert [kinds(t) for t in opened] == [[TicketEvent.Kind.CREATED]] * 3
    assert [t.messages.get().text for t in opened] == ["n. 0", "n. 1", "n. 2"]


def test_take_assigns_and_opens(ticket, front_operator):
    taken = services.take_ticket(actor=front_operator, ticket_id=ticket.pk)
    assert taken.assignee == front_operator
    assert taken.status == Status.OPEN
    assert kinds(taken)[-1] == TicketEvent.Kind.TAKEN


def test_second_taker_is_told_who_has_it(ticket, front_operator, front_operator_2):
    services.take_ticket(actor=front_operator, ticket_id=ticket.pk)
    with pytest.raises(errors.TicketAlreadyTaken) as caught:
        services.take_ticket(actor=front_operator_2, ticket_id=ticket.pk)
    assert "Anna Rossi" in caught.value.message
    assert ticket.reference in caught.value.message


def test_escalation_requires_a_reason(ticket, front_operator):
    with pytest.raises(errors.ReasonRequired):
        services.escalate_ticket(actor=front_operator, ticket_id=ticket.pk, reason="   ")
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    assert ticket.tier == Tier.FRONT


def test_escalation_moves_to_back_office_which_keeps_it_until_resolution(
    ticket, front_operator, back_operator, back_queue
):
    services.take_ticket(actor=front_operator, ticket_id=ticket.pk)
    escalated = services.escalate_ticket(actor=front_operator, ticket_id=ticket.pk, reason="Serve un parere legale")
    assert (escalated.status, escalated.tier, escalated.queue, escalated.assignee) == (
        Status.ESCALATED,
        Tier.BACK,
        back_queue,
        None,
    )
    event = escalated.events.get(kind=TicketEvent.Kind.ESCALATED)
    assert event.data["reason"] == "Serve un parere legale"
    # The front office no longer sees it; the back office does.
    with pytest.raises(errors.TicketNotFound):
        services.add_note(actor=front_operator, ticket_id=ticket.pk, text="ancora io")
    taken = services.take_ticket(actor=back_operator, ticket_id=ticket.pk)
    assert taken.status == Status.IN_PROGRESS
    resolved = services.resolve_ticket(actor=back_operator, ticket_id=ticket.pk, outcome=Ticket.Outcome.ANSWERED)
    assert resolved.status == Status.RESOLVED
    assert resolved.assignee == back_operator


def test_reply_is_sent_by_email_with_reference_and_threading(
    ticket, front_operator, django_capture_on_commit_callbacks, eager_celery
):
    services.take_ticket(actor=front_operator, ticket_id=ticket.pk)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.reply_to_ticket(
            actor=front_operator, ticket_id=ticket.pk, text="Ecco l'elenco dei documenti."
        )
    message.refresh_from_db()
    assert message.delivery_status == Message.Delivery.SENT
    assert len(mail.outbox) == 1
    assert ticket.reference in mail.outbox[0].subject
    assert mail.outbox[0].to == [ticket.citizen.email]
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    assert ticket.due_at == ticket.resolution_due_at


def test_failed_send_is_visible_on_the_ticket(
    front_queue, front_operator, django_capture_on_commit_callbacks, eager_celery
):
    silent = CitizenFactory(email="", phone="+393330000001")
    ticket = open_test_ticket(front_queue, silent, channel="paper")
    with django_capture_on_commit_callbacks(execute=True):
        message = services.reply_to_ticket(actor=front_operator, ticket_id=ticket.pk, text="Risposta")
    message.refresh_from_db()
    assert message.delivery_status == Message.Delivery.FAILED
    assert message.delivery_error
    assert ticket.events.filter(kind=TicketEvent.Kind.DELIVERY_FAILED).exists()


def test_internal_note_is_not_public(ticket, front_operator):
    note = services.add_note(actor=front_operator, ticket_id=ticket.pk, text="Il cittadino ha già chiamato ieri")
    assert not note.is_public
    assert not ticket.events.get(kind=TicketEvent.Kind.NOTE).public


@pytest.mark.parametrize(
    "action",
    [
        lambda actor, pk: services.close_ticket(actor=actor, ticket_id=pk),
        lambda actor, pk: services.reopen_ticket(actor=actor, ticket_id=pk),
        lambda actor, pk: services.wait_for_citizen(actor=actor, ticket_id=pk),
    ],
    ids=["close-resolved-only-after-resolve", "reopen-needs-resolved", "wait-from-resolved"],
)
def test_illegal_transitions_are_refused_with_a_clear_error(ticket, front_operator, action):
    services.take_ticket(actor=front_operator, ticket_id=ticket.pk)
    services.resolve_ticket(actor=front_operator, ticket_id=ticket.pk, outcome=Ticket.Outcome.ANSWERED)
    services.close_ticket(actor=front_operator, ticket_id=ticket.pk)
    with pytest.raises(errors.IllegalTransition) as caught:
        action(front_operator, ticket.pk)
        action(front_operator, ticket.pk)  # reopen succeeds once; the second must fail
    assert ticket.reference in caught.value.message


def test_closed_ticket_cannot_be_resolved_again(ticket, front_operator):
    services.resolve_ticket(actor=front_operator, ticket_id=ticket.pk, outcome=Ticket.Outcome.ANSWERED)
    services.close_ticket(actor=front_operator, ticket_id=ticket.pk)
    with pytest.raises(errors.IllegalTransition) as caught:
        services.resolve_ticket(actor=front_operator, ticket_id=ticket.pk, outcome=Ticket.Outcome.ANSWERED)
    assert (
        "Closed" in caught.value.message
        or "Chiusa" in caught.value.message
        or "closed" in caught.value.message.lower()
    )


def test_citizen_writing_after_resolution_reopens(ticket, front_operator):
    services.resolve_ticket(actor=front_operator, ticket_id=ticket.pk, outcome=Ticket.Outcome.ANSWERED)
    services.add_inbound_message(ticket=ticket, text="Non ho ancora ricevuto nulla", channel="email")
    ticket.refresh_from_db()
    assert ticket.status == Status.REOPENED
    assert ticket.resolved_at is None
    assert TicketEvent.Kind.REOPENED in kinds(ticket)


def test_waiting_ticket_wakes_up_when_the_citizen_answers(ticket, front_operator):
    services.take_ticket(actor=front_operator, ticket_id=ticket.pk)
    services.wait_for_citizen(actor=front_operator, ticket_id=ticket.pk)
    services.add_inbound_message(ticket=ticket, text="Ecco il documento", channel="email")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_stale_view_is_refused(ticket, front_operator, front_operator_2):
    seen_version = ticket.version
    services.add_note(actor=front_operator_2, ticket_id=ticket.pk, text="nel frattempo")
    with pytest.raises(errors.StaleTicket):
        services.reply_to_ticket(
            actor=front_operator, ticket_id=ticket.pk, text="risposta", expected_version=seen_version
        )
    assert not ticket.messages.filter(direction=Message.Direction.OUTBOUND).exists()


def test_merge_moves_messages_and_closes_the_duplicate(front_queue, citizen, front_operator):
    primary = open_test_ticket(front_queue, citizen, text="prima")
    duplicate = open_test_ticket(front_queue, citizen, text="seconda")
    merged = services.merge_tickets(actor=front_operator, primary_id=primary.pk, duplicate_id=duplicate.pk)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED
    assert duplicate.merged_into == merged
    assert sorted(merged.messages.values_list("text", flat=True)) == ["prima", "seconda"]
    with pytest.raises(errors.MergeNotAllowed):
        services.reopen_ticket(actor=front_operator, ticket_id=duplicate.pk)


def test_merge_refuses_different_citizens(front_queue, front_operator):
    a = open_test_ticket(front_queue)
    b = open_test_ticket(front_queue)
    with pytest.raises(errors.MergeNotAllowed) as caught:
        services.merge_tickets(actor=front_operator, primary_id=a.pk, duplicate_id=b.pk)
    assert "different citizens" in caught.value.message


def test_operator_of_another_queue_gets_not_found(ticket, back_operator):
    with pytest.raises(errors.TicketNotFound):
        services.take_ticket(actor=back_operator, ticket_id=ticket.pk)


def test_supervisor_sees_everything(ticket, supervisor):
    assert services.add_note(actor=supervisor, ticket_id=ticket.pk, text="controllo").pk


@pytest.mark.django_db
def test_a_contact_finds_its_citizen_whatsapp_id_first_then_phone_then_email_newest_first():
    by_email = CitizenFactory(email="Amina@Example.org", phone="", whatsapp_id="")
    by_phone_old = CitizenFactory(email="", phone="+393331234567", whatsapp_id="")
    by_phone_new = CitizenFactory(email="", phone="+393331234567", whatsapp_id="")
    by_whatsapp = CitizenFactory(email="", phone="", whatsapp_id="393331234567")
    contact = {"phone": "+393331234567", "email": "amina@example.org"}

    assert services.find_or_create_citizen(email="AMINA@example.org") == by_email
    assert services.get_or_create_citizen(**contact) == (by_phone_new, False)
    assert by_phone_old.pk < by_phone_new.pk
    # (the calls fill in what a citizen lacks: by_phone_new now has the e-mail, by_whatsapp both)
    assert services.get_or_create_citizen(whatsapp_id="393331234567", **contact) == (by_whatsapp, False)
    citizen, created = services.get_or_create_citizen(whatsapp_id="39000", phone="+39000", first_name="Nuovo")
    assert created and citizen.whatsapp_id == "39000" and citizen.first_name == "Nuovo"


@pytest.mark.django_db
def test_a_crowd_sharing_a_number_is_ranked_by_the_database_the_same_way():
    crowd = [CitizenFactory(email="", phone="+390612345678", whatsapp_id="") for _ in range(25)]
    owner = CitizenFactory(email="", phone="", whatsapp_id="390612345678")
    CitizenFactory(email="", phone="+390612345678", whatsapp_id="")  # newer, but only the same phone

    assert services.find_or_create_citizen(whatsapp_id="390612345678", phone="+390612345678") == owner
    assert services.find_or_create_citizen(phone="+390612345678", email="x@example.org").pk > crowd[-1].pk
