"""Races with real concurrent PostgreSQL connections (one per thread)."""

import threading

import pytest
from django.db import connection, connections

from tickets import errors, services
from tickets.references import allocate_reference

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def run_concurrently(*calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.parametrize("attempt", range(5))
def test_two_operators_taking_one_ticket_exactly_one_wins(ticket, front_operator, front_operator_2, attempt):
    results = run_concurrently(
        lambda: services.take_ticket(actor=front_operator, ticket_id=ticket.pk),
        lambda: services.take_ticket(actor=front_operator_2, ticket_id=ticket.pk),
    )
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1, results
    assert len(losers) == 1 and isinstance(losers[0], errors.TicketAlreadyTaken), results
    ticket.refresh_from_db()
    assert ticket.assignee == winners[0].assignee
    assert winners[0].assignee.get_full_name() in losers[0].message
    assert ticket.events.filter(kind="taken").count() == 1


def test_references_allocated_concurrently_are_unique():
    assert connection.vendor == "postgresql"

    def allocate_many():
        return [allocate_reference(2031) for _ in range(50)]

    results = run_concurrently(*[allocate_many] * 4)
    flat = [ref for batch in results for ref in batch]
    assert len(flat) == 200
    assert len(set(flat)) == 200
