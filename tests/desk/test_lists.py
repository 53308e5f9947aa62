"""Desk lists: what each holds, keyset pages, filters, search, bounded counts and query counts."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from operators.selectors import normalize_phone
from tests.desk.helpers import desk_login
from tests.factories import CitizenFactory, open_test_ticket
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _rows(response) -> list[str]:
    import re

    return re.findall(r'data-ticket-id="(\d+)"', response.text)


@pytest.mark.parametrize("rows", [2, 20])
@pytest.mark.parametrize("name", ["home", "queue", "waiting", "due", "search"])
def test_list_query_count_does_not_grow(
    client, front_operator, front_queue, rows, name, django_assert_max_num_queries
):
    from tickets.models import Topic

    topics = [Topic.objects.create(name=f"Tema {n}", slug=f"tema-{n}") for n in range(3)]
    for index in range(rows):
        ticket = open_test_ticket(
            front_queue, subject=f"Permesso {index}", text="rinnovo permesso", topic=topics[index % 3]
        )
        services.take_ticket(actor=front_operator, ticket_id=ticket.pk)
        if index % 2:
            services.wait_for_citizen(actor=front_operator, ticket_id=ticket.pk)
    Ticket.objects.update(due_at=timezone.now() - timedelta(hours=1))  # all due: the "due" list holds them
    desk_login(client, front_operator)
    url = reverse(f"desk:{name}", kwargs={"queue_id": front_queue.pk} if name == "queue" else {})
    params = {"q": "rinnovo", "channel": "email"} if name == "search" else {}
    # session (+ its idle-time write), user, operator, queue, queue ids, page, bounded count, sidebar
    # queues, filter choices (2), OTP device; search adds the matching citizens' and messages' ids.
    # A fixed number whatever the rows
    with django_assert_max_num_queries(15 if name == "search" else 13):
        response = client.get(url, params)
    assert response.status_code == 200
    assert len(_rows(response)) > 0


def test_my_tickets_sorted_by_due_date_and_paged_by_keyset(client, front_operator, front_queue, monkeypatch):
    monkeypatch.setattr("operators.selectors.PAGE_SIZE", 3)
    base = timezone.now()
    tickets = []
    for index in range(7):
        ticket = open_test_ticket(front_queue)
        services.take_ticket(actor=front_operator, ticket_id=ticket.pk)
        # Two tickets share a due date: the id breaks the tie, so no row is skipped or repeated.
        Ticket.objects.filter(pk=ticket.pk).update(due_at=base + timedelta(hours=(7 - index) // 2))
        tickets.append(ticket)
    expected = [str(t.pk) for t in Ticket.objects.order_by("due_at", "id")]
    desk_login(client, front_operator)
    seen, url, params = [], reverse("desk:home"), {}
    for _page in range(5):
        response = client.get(url, params)
        seen += _rows(response)
        if 'rel="next"' not in response.text:
            break
        import re

        params = {"after": re.search(r'rel="next" href="[^"]*after=([\w-]+)"', response.text).group(1)}
    assert seen == expected
    assert "7 requests" in response.text


def test_count_is_bounded(client, front_operator, front_queue, monkeypatch):
    monkeypatch.setattr("operators.selectors.PAGE_SIZE", 2)
    monkeypatch.setattr("operators.selectors.COUNT_LIMIT", 3)
    for _index in range(5):
        open_test_ticket(front_queue)
    desk_login(client, front_operator)
    response = client.get(reverse("desk:queue", args=[front_queue.pk]))
    assert "3+ requests" in response.text


def test_tampered_cursor_gives_first_page(client, front_operator, front_queue):
    ticket = open_test_ticket(front_queue)
    desk_login(client, front_operator)
    response = client.get(reverse("desk:queue", args=[front_queue.pk]), {"after": "not-a-cursor!!"})
    assert _rows(response) == [str(ticket.pk)]


def test_escalated_ticket_appears_in_back_office_queue_poll(
    client, front_operator, back_operator, ticket, back_queue, django_capture_on_commit_callbacks
):
    desk_login(client, back_operator)
    url = reverse("desk:queue", args=[back_queue.pk])
    assert _rows(client.get(url, headers={"HX-Request": "true"})) == []
    # The list is cached between changes: the escalation's commit is what refreshes it.
    with django_capture_on_commit_callbacks(execute=True):
        services.take_ticket(actor=front_operator, ticket_id=ticket.pk)
        services.escalate_ticket(actor=front_operator, ticket_id=ticket.pk, reason="Serve un avvocato")
    response = client.get(url, headers={"HX-Request": "true"})
    assert _rows(response) == [str(ticket.pk)]
    assert 'hx-trigger="every 5s"' in response.text
    assert "<html" not in response.text  # the poll gets the partial only


@pytest.mark.parametrize(
    "query",
    [
        "{reference}",
        "{reference_lower}",
        "El Amrani",
        "youssef amrani",
        "youssef@example.org",
        "+39 333 765 4321",
        "0039 3337654321",
        "3337654321",
        "marca da bollo",
    ],
)
def test_search_by_reference_name_email_phone_and_text(client, front_operator, front_queue, citizen, query):
    citizen.phone = "+393337654321"
    citizen.save()
    wanted = open_test_ticket(front_queue, citizen, text="Devo pagare la marca da bollo?")
    other = open_test_ticket(front_queue, CitizenFactory(first_name="Mario", last_name="Rossi"), text="Altro")
    desk_login(client, front_operator)
    response = client.get(
        reverse("desk:search"),
        {"q": query.format(reference=wanted.reference, reference_lower=wanted.reference.lower())},
    )
    rows = _rows(response)
    assert str(wanted.pk) in rows
    assert str(other.pk) not in rows


@pytest.mark.parametrize(
    "params,match",
    [
        ({"channel": "whatsapp"}, "wa"),
        ({"language": "fr"}, "fr"),
        ({"status": "waiting_citizen"}, "waiting"),
        ({"created_from": "2020-01-01", "created_to": "2020-01-31"}, "old"),
    ],
)
def test_filters(client, front_operator, front_queue, params, match):
    made = {
        "wa": open_test_ticket(front_queue, channel="whatsapp"),
        "fr": open_test_ticket(front_queue, language="fr"),
        "waiting": open_test_ticket(front_queue),
        "old": open_test_ticket(front_queue, received_at=timezone.now().replace(year=2020, month=1, day=15)),
    }
    services.take_ticket(actor=front_operator, ticket_id=made["waiting"].pk)
    services.wait_for_citizen(actor=front_operator, ticket_id=made["waiting"].pk)
    desk_login(client, front_operator)
    response = client.get(reverse("desk:search"), params)
    assert _rows(response) == [str(made[match].pk)]


def test_due_list_holds_due_today_and_overdue_only(client, front_operator, front_queue):
    overdue = open_test_ticket(front_queue)
    later = open_test_ticket(front_queue)
    Ticket.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - timedelta(hours=2))
    Ticket.objects.filter(pk=later.pk).update(due_at=timezone.now() + timedelta(days=3))
    desk_login(client, front_operator)
    response = client.get(reverse("desk:due"))
    assert _rows(response) == [str(overdue.pk)]
    assert "overdue" in response.text


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("+39 333 123 4567", "+393331234567"),
        ("0039 333 1234567", "+393331234567"),
        ("333-123-4567", "+393331234567"),
        ("Rossi", ""),
        ("12", ""),
    ],
)
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw) == expected


def test_next_ticket_goes_to_my_next_due_request(client, front_operator, front_queue):
    first, second = open_test_ticket(front_queue), open_test_ticket(front_queue)
    for t in (first, second):
        services.take_ticket(actor=front_operator, ticket_id=t.pk)
    desk_login(client, front_operator)
    response = client.get(reverse("desk:next_ticket"), {"after": first.pk})
    assert response.url == reverse("desk:ticket", args=[second.pk])


def test_a_row_shows_the_request_with_every_database_value_escaped(client, front_operator, front_queue):
    from tickets.models import Citizen

    long_subject = '<script>alert("x")</script> rinnovo del permesso di soggiorno per lavoro subordinato'
    ticket = open_test_ticket(front_queue, subject=long_subject, priority=3)
    Citizen.objects.filter(pk=ticket.citizen_id).update(first_name="Amal <b>", last_name='"Haddad"')
    Ticket.objects.filter(pk=ticket.pk).update(due_at=timezone.now() - timedelta(hours=1))
    desk_login(client, front_operator)
    row = re.search(r"<tr data-row.*?</tr>", client.get(reverse("desk:queue", args=[front_queue.pk])).text, re.S)
    html = row.group(0)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; rinnovo del permesso" in html
    assert html.count("…") == 1  # the subject is cut to its first 60 characters
    assert "Amal &lt;b&gt; &quot;Haddad&quot;" in html
    assert f'href="{reverse("desk:ticket", args=[ticket.pk])}"' in html
    assert 'class="desk-overdue"' in html and ticket.reference in html
    assert html.count("badge bg-danger") == 2  # urgent priority, overdue


def test_the_next_page_keeps_the_filters_panel_closed_and_a_filter_opens_it(client, front_operator, front_queue):
    for _index in range(3):
        open_test_ticket(front_queue)
    desk_login(client, front_operator)
    url = reverse("desk:queue", args=[front_queue.pk])
    assert '<details class="desk-filters">' in client.get(url + "?after=garbage").text
    assert '<details class="desk-filters" open>' in client.get(url + "?channel=email").text
