"""End to end on PostgreSQL + Redis: webhook -> stored -> a real Celery worker -> Graph API (fake) -> ticket."""

import pytest

from channels_app.models import InboundMessage
from tickets.models import Message

from ..factories import QueueFactory
from ..fakes.graph import APP_SECRET, GRAPH_TOKEN, PHONE_NUMBER_ID
from ..workers import start_worker, stop_worker, wait_for
from .test_whatsapp import CORPUS, JPEG, post

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_real_worker_ingests_a_whatsapp_image_and_acknowledges_it(client, graph, settings):
    QueueFactory()
    graph.add_media("65463453", JPEG, "image/jpeg")
    worker = start_worker(
        {
            "WHATSAPP_GRAPH_URL": graph.graph_url,
            "WHATSAPP_ACCESS_TOKEN": GRAPH_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        }
    )
    try:
        raw = (CORPUS / "pywa-message-image.json").read_bytes()
        assert post(client, raw).status_code == 200  # committed: the task goes through Redis
        post(client, raw)  # Meta's retry of the same body
        message = wait_for(
            lambda: Message.objects.filter(direction="in", external_id="wamid.xyzxyz").first(), timeout=60
        )
        acknowledged = wait_for(lambda: graph.sent_messages(), timeout=30)
    finally:
        output = stop_worker(worker)
    assert message is not None, output
    assert message.attachments.get().file.read() == JPEG
    assert InboundMessage.objects.get().state == InboundMessage.State.PROCESSED
    assert acknowledged and acknowledged[0]["to"] == "972987654321", output
    assert Message.objects.filter(direction="in").count() == 1
