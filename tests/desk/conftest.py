import pytest

from operators.models import Role
from tests.factories import CitizenFactory, make_operator, open_test_ticket
from tickets import services


@pytest.fixture
def administrator(front_queue):
    return make_operator(
        role=Role.ADMINISTRATOR, queues=[], office=front_queue.office, name="Ada Admin", username="ada"
    )


@pytest.fixture
def back_ticket(front_queue, back_queue, front_operator):
    """A request escalated to the back office: front office may no longer open it."""
    ticket = open_test_ticket(front_queue, CitizenFactory(first_name="Carla", last_name="Bianchi"))
    services.take_ticket(actor=front_operator, ticket_id=ticket.pk)
    return services.escalate_ticket(actor=front_operator, ticket_id=ticket.pk, reason="Needs a lawyer")


@pytest.fixture
def htmx():
    return {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _fresh_desk_cache():
    """Cached desk lists must not leak between tests (ids are reused after a rollback)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
