"""IMAP polling against a real Dovecot on 127.0.0.1: stored, flagged \\Seen after commit, never twice."""

from pathlib import Path

import pytest
from django.core import mail

from channels_app.imap import Mailbox, configured_mailboxes, poll_mailbox
from channels_app.models import InboundMessage
from channels_app.tasks import poll_mailboxes, process_inbound, requeue_received
from tickets.models import Message, Ticket

from ..factories import QueueFactory

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("eager_tasks"),
    pytest.mark.skipif(not CORPUS.exists(), reason="the shared corpus is not here"),
]


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


@pytest.fixture
def desk(db):
    return QueueFactory()


@pytest.fixture
def mailbox(settings, dovecot, imap_user):
    settings.SPORTELLO_MAILBOXES = [{"url": dovecot.url(imap_user), "channel": "email", "name": "test-inbox"}]
    return configured_mailboxes()[0]


def test_mailbox_urls_say_how_to_connect():
    box = Mailbox.from_url("imaps://urp%40comune.it:p%2Fss@imap.comune.it/Richieste", channel="email")
    assert (box.host, box.port, box.security, box.user, box.password, box.folder) == (
        "imap.comune.it",
        993,
        "tls",
        "urp@comune.it",
        "p/ss",
        "Richieste",
    )
    assert Mailbox.from_url("imap://u:p@127.0.0.1:1143").security == "plain"
    assert Mailbox.from_url("imap+starttls://u:p@mail.example.it").port == 143


def test_poll_stores_processes_and_flags_seen_then_a_second_poll_adds_nothing(desk, dovecot, imap_user, mailbox):
    dovecot.append(imap_user, corpus("email/talon-thunderbird.eml"))
    dovecot.append(imap_user, corpus("email/flanker-bounce-mailbox-full.eml"))
    dovecot.append(imap_user, corpus("email/sisimai-rfc3834-01.eml"))
    dovecot.append(imap_user, corpus("email/spamscope-mail_test_7.eml"))

    assert poll_mailboxes() == 4

    assert InboundMessage.objects.count() == 4
    states = dict(InboundMessage.objects.values_list("external_id", "state"))
    assert states["4F79B73C.9030506@xxx.mailgun.org"] == InboundMessage.State.PROCESSED
    assert list(InboundMessage.objects.filter(state=InboundMessage.State.IGNORED).values_list("error", flat=True))
    assert InboundMessage.objects.filter(state=InboundMessage.State.IGNORED).count() == 2
    tickets = Ticket.objects.order_by("pk")
    assert [t.subject for t in tickets] == ["Re: Test", "I: Ordine"]
    assert all(t.channel == "email" for t in tickets)
    assert tickets[0].citizen.email == "bob@xxx.mailgun.org"
    assert all(flags >= {"\\Seen"} for flags in dovecot.flags(imap_user).values())
    assert len(dovecot.flags(imap_user)) == 4
    # Acknowledgements only to the two people, never to the bounce or the auto-reply.
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@xxx.mailgun.org", "geronazzo@voidstudicom.it"]

    # The same mail delivered again (a re-poll after the flags were lost) is a no-op.
    dovecot.append(imap_user, corpus("email/talon-thunderbird.eml"))
    assert poll_mailboxes() == 0
    assert InboundMessage.objects.count() == 4
    assert Ticket.objects.count() == 2
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == 2
    assert all("\\Seen" in flags for flags in dovecot.flags(imap_user).values())
    assert poll_mailboxes() == 0  # nothing unseen any more


def test_voicemail_mailbox_opens_voicemail_tickets(settings, desk, dovecot, imap_user):
    settings.SPORTELLO_MAILBOXES = [{"url": dovecot.url(imap_user), "channel": "voicemail", "name": "vm"}]
    dovecot.append(imap_user, corpus("voicemail/asterisk-vm-default-template-wav.eml"))

    assert poll_mailboxes() == 1

    ticket = Ticket.objects.get()
    assert ticket.channel == "voicemail"
    assert str(ticket.citizen.phone) == "+390612345678"
    assert ticket.attachments.get().content_type == "audio/wav"


def test_worker_crash_after_store_is_processed_exactly_once_on_retry(desk, dovecot, imap_user, mailbox):
    dovecot.append(imap_user, corpus("email/talon-gmail.eml"))

    # The poller committed the raw mail and flagged it, then the worker died before processing.
    result = poll_mailbox(mailbox, enqueue=False)
    assert (result.fetched, result.stored) == (1, 1)
    inbound = InboundMessage.objects.get()
    assert inbound.state == InboundMessage.State.RECEIVED
    assert Ticket.objects.count() == 0
    assert all("\\Seen" in flags for flags in dovecot.flags(imap_user).values())

    # The broker redelivers the task (acks_late) and the sweeper re-queues it too: one ticket.
    InboundMessage.objects.filter(pk=inbound.pk).update(received_at=inbound.received_at.replace(year=2020))
    assert requeue_received() == 1
    process_inbound.delay(inbound.pk)
    process_inbound(inbound.pk)

    inbound.refresh_from_db()
    assert inbound.state == InboundMessage.State.PROCESSED
    assert Ticket.objects.count() == 1
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == 1
    assert len(mail.outbox) == 1  # one acknowledgement, not three


def test_an_unreachable_mailbox_does_not_stop_the_others(settings, desk, dovecot, imap_user):
    from ..smtp import free_port

    settings.SPORTELLO_MAILBOXES = [
        {"url": f"imap://nobody:secret@127.0.0.1:{free_port()}/INBOX", "name": "down"},
        {"url": dovecot.url(imap_user), "name": "up"},
    ]
    dovecot.append(imap_user, corpus("email/talon-iphone.eml"))
    assert poll_mailboxes() == 1
    assert Ticket.objects.count() == 1
