"""Hand an outbound message to the worker that sends it on the ticket's channel."""


def queue_outbound_message(message_id: int) -> None:
    from contactcenter.broker import enqueue

    from .tasks import send_outbound_message

    # Committed as PENDING already: a broker outage must not fail the operator's reply (logged).
    enqueue(send_outbound_message, message_id)
