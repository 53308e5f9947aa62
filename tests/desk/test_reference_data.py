"""Topics, canned replies and procedures on the ticket view come from the cache, never stale."""

import re

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


def test_the_list_filters_offer_a_new_topic_at_once_and_filter_the_list_they_are_on(
    client, front_operator, front_queue, django_capture_on_commit_callbacks
):
    desk_login(client, front_operator)
    home, queue = reverse("desk:home"), reverse("desk:queue", args=[front_queue.pk])
    assert "Ricongiungimento familiare" not in client.get(home).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        Topic.objects.create(name="Ricongiungimento familiare", slug="ricongiungimento")
    page = client.get(queue).content.decode()
    assert "Ricongiungimento familiare" in page
    form = re.search(r'<form method="get" action="([^"]+)" hx-get="([^"]+)"', page)
    assert form.groups() == (queue, queue)
    assert f'href="{queue}">' in page  # "Clear" stays on this list
    assert re.search(r'<form method="get" action="([^"]+)"', client.get(home).content.decode()).group(1) == home
