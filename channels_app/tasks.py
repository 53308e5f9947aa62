import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from tickets.models import Channel, Message, TicketEvent
from tickets.services import record_event

logger = logging.getLogger(__name__)


class ChannelUnavailable(Exception):
    """The provider could not be reached; the send is retried."""


def _send_email(message: Message) -> str:
    ticket = message.ticket
    if not ticket.citizen.email:
        raise ValueError("the citizen has no email address")
    subject = f"[{ticket.reference}] {ticket.subject or ''}".strip()
    email = EmailMessage(
        subject=subject, body=message.text, from_email=settings.DEFAULT_FROM_EMAIL, to=[ticket.citizen.email]
    )
    msgid = f"<{ticket.reference}.{message.pk}@sportello>"
    email.extra_headers["Message-ID"] = msgid
    last_in = (
        ticket.messages.filter(direction=Message.Direction.INBOUND, channel=Channel.EMAIL)
        .exclude(external_id="")
        .order_by("-created_at")
        .first()
    )
    if last_in:
        email.extra_headers["In-Reply-To"] = f"<{last_in.external_id}>"
        email.extra_headers["References"] = f"<{last_in.external_id}>"
    for attachment in message.attachments.all():
        email.attach(attachment.filename, attachment.file.read(), attachment.content_type)
    try:
        email.send()
    except OSError as exc:
        raise ChannelUnavailable(str(exc)) from exc
    return msgid.strip("<>")


@shared_task(acks_late=True, bind=True, max_retries=5, retry_backoff=True)
def send_outbound_message(self, message_id: int) -> None:
    message = Message.objects.select_related("ticket__citizen").filter(pk=message_id).first()
    if message is None or message.delivery_status not in (Message.Delivery.PENDING, ""):
        return  # sent already, or gone: a redelivery changes nothing
    try:
        if (
            message.channel in (Channel.EMAIL, Channel.WEB, Channel.VOICEMAIL, Channel.PHONE)
            and message.ticket.citizen.email
        ):
            external_id = _send_email(message)
        else:
            raise ValueError(f"no way to reach the citizen on channel {message.channel}")
    except ChannelUnavailable as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc) from exc
        _mark_failed(message, str(exc))
        return
    except ValueError as exc:
        _mark_failed(message, str(exc))
        return
    Message.objects.filter(pk=message.pk).update(delivery_status=Message.Delivery.SENT, external_id=external_id)


@transaction.atomic
def _mark_failed(message: Message, error: str) -> None:
    Message.objects.filter(pk=message.pk).update(delivery_status=Message.Delivery.FAILED, delivery_error=error)
    record_event(message.ticket, TicketEvent.Kind.DELIVERY_FAILED, message_id=message.pk, error=error)
    logger.warning("outbound message %s failed: %s", message.pk, error)


@shared_task(acks_late=True, bind=True, max_retries=8, retry_backoff=True, retry_backoff_max=600)
def process_inbound(self, inbound_id: int) -> None:
    from .base import ChannelUnavailable as AdapterUnavailable
    from .pipeline import ingest_inbound

    try:
        ingest_inbound(inbound_id)
    except AdapterUnavailable as exc:
        raise self.retry(exc=exc) from exc
