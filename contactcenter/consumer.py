"""The workers' Celery consumer, kept alive when it loses Redis with unacknowledged tasks (issue 20).

Celery 5.7.0, on a lost broker connection (Consumer.on_connection_error_after_connected),
collects the connection and then, new in 5.7, closes it. With the redis transport the two
together kill the worker:

1. collect() closes the default channel. Its close() first reads the BRPOP in flight, from the
   socket the lost connection left: that raises a connection error, which collect() swallows,
   before the channel is marked closed. collect() then detaches kombu's transport
   (``transport.client = None``) and leaves the half-closed channel as the default channel.
2. close() closes that default channel again. It has unacknowledged messages (acks-late tasks
   in flight, prefetched ones), so it restores them, and asks the detached transport for Redis's
   address: ``AttributeError: 'NoneType' object has no attribute 'hostname'`` in ``_connparams``.
   That is no connection error, so it leaves the consumer: "Unrecoverable error", and the worker
   process exits. Without unacknowledged messages the restore is skipped, so only some workers die.

Celery 5.6 did not close after collect(); pinning it back is no way out here, as 5.6.3 ignores
``app.conf.task_always_eager = True`` set at run time under our CELERY_ namespace, which the
tests' eager fixtures rely on (docs/reliability.md). So this consumer drops the default channel
once collect() has run: close() then has nothing left to close, exactly as in 5.6. The messages
that channel could not restore stay in Redis's unacknowledged set when Redis persists them, and
come back after the visibility timeout; our inputs do not wait for that (channels_app hands them
back on reconnection). Settings: CELERY_WORKER_CONSUMER. The fault test is tests/faults.

It also reconnects at most RECONNECT_INTERVAL_MAX seconds apart, instead of kombu's 2, 4, 6 …
up to 30 s (Celery passes no intervals of its own): after a long outage the workers would
otherwise come back, and take what waited, up to 30 s after the broker did.
"""

from __future__ import annotations

from functools import partial

from celery.worker.consumer import Consumer as CeleryConsumer

# One connection attempt every 5 s while the broker is away costs nothing; waiting 30 s does.
RECONNECT_INTERVAL_MAX = 5


class Consumer(CeleryConsumer):
    def ensure_connected(self, conn):
        conn.ensure_connection = partial(
            conn.ensure_connection, interval_start=1, interval_step=1, interval_max=RECONNECT_INTERVAL_MAX
        )
        return super().ensure_connected(conn)

    def on_connection_error_after_connected(self, exc) -> None:
        connection = self.connection
        if connection is not None:
            collect = connection.collect

            def collect_and_drop_the_default_channel(*args, **kwargs):
                try:
                    return collect(*args, **kwargs)
                finally:
                    # Closed, or half-closed with its transport gone: closing it again cannot work.
                    connection._default_channel = None

            connection.collect = collect_and_drop_the_default_channel
        super().on_connection_error_after_connected(exc)
