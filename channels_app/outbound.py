"""Hand an outbound message to the worker that sends it on the ticket's channel."""


def queue_outbound_message(message_id: int) -> None:
    from .tasks import send_outbound_message

    send_outbound_message.delay(message_id)
