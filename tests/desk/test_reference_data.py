"""Topics, canned replies and procedures on the ticket view come from the cache, never stale."""

import pytest
from django.urls import reverse

from operators.models import CannedReply
from tests.desk.helpers import desk_login
from tickets.models import Topic

pytestmark = pytest.mark.django_db


def _page(client, ticket) -> str:
    return client.get(reverse("desk:ticket", args=[ticket.pk])).content.decode()


def test_a_new_or_renamed_topic_shows_on_the_next_ticket_view(
    client, front_operator, ticket, django_capture_on_commit_callbacks
):
    desk_login(client, front_operator)
    assert "Cittadinanza per matrimonio" not in _page(client, ticket)
    with django_capture_on_commit_callbacks(execute=True):
        topic = Topic.objects.create(name="Cittadinanza per matrimonio", slug="cittadinanza-matrimonio")
    assert "Cittadinanza per matrimonio" in _page(client, ticket)
    with django_capture_on_commit_callbacks(execute=True):
        topic.name = "Cittadinanza (matrimonio)"
        topic.save()
    page = _page(client, ticket)
    assert "Cittadinanza (matrimonio)" in page
    assert "Cittadinanza per matrimonio" not in page


def test_canned_replies_follow_edits_and_the_ticket_topic(
    client, front_operator, ticket, django_capture_on_commit_callbacks
):
    other_topic = Topic.objects.create(name="Visti", slug="visti")
    with django_capture_on_commit_callbacks(execute=True):
        general = CannedReply.objects.create(title="Documenti mancanti", text="Mancano documenti.")
        CannedReply.objects.create(title="Visto turistico", text="Per il visto…", topic=other_topic)
    desk_login(client, front_operator)
    page = _page(client, ticket)
    assert "Documenti mancanti" in page
    assert "Visto turistico" not in page  # another topic's reply
    with django_capture_on_commit_callbacks(execute=True):
        general.is_active = False
        general.save()
    assert "Documenti mancanti" not in _page(client, ticket)


def test_a_published_procedure_is_offered_at_once(client, front_operator, ticket, django_capture_on_commit_callbacks):
    from faq.models import Procedure

    desk_login(client, front_operator)
    assert "Rinnovo per attesa occupazione" not in _page(client, ticket)
    with django_capture_on_commit_callbacks(execute=True):
        Procedure.objects.create(
            slug="attesa-occupazione",
            title="Rinnovo per attesa occupazione",
            short_title="Attesa occupazione",
            documents="Passaporto",
            is_published=True,
        )
    assert "Rinnovo per attesa occupazione" in _page(client, ticket)


def test_the_sidebar_follows_queue_changes_and_membership(
    client, front_operator, front_queue, back_queue, ticket, django_capture_on_commit_callbacks
):
    desk_login(client, front_operator)
    home = reverse("desk:home")
    page = client.get(home).content.decode()
    assert f'href="{reverse("desk:queue", args=[front_queue.pk])}"' in page
    assert f'href="{reverse("desk:queue", args=[back_queue.pk])}"' not in page  # not one of hers
    with django_capture_on_commit_callbacks(execute=True):
        front_queue.name = "Sportello stranieri"
        front_queue.save()
        front_operator.operator.queues.add(back_queue)
    page = client.get(home).content.decode()
    assert "Sportello stranieri" in page
    assert f'href="{reverse("desk:queue", args=[back_queue.pk])}"' in page
