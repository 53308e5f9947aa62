"""Ingestion benchmark: N inputs through the real pipeline on PostgreSQL + Redis with real Celery workers.

    make bench-ingest                      # 3000 inputs, 2 workers x concurrency 2
    BENCH_N=6000 BENCH_WORKERS=2 BENCH_CONCURRENCY=2 make bench-ingest

What is measured: the inputs are stored the way the IMAP poller and the webhook store them
(store_email / store_inbound, one commit each, task published on commit) by this process,
while the worker processes parse them, find or create the citizen, open the ticket, store the
attachments and queue the acknowledgement (sent to a dummy mail backend). Throughput is
inputs / (last processed_at - first received_at); latency is processed_at - received_at of
each input (the ticket is visible when that transaction commits).

Needs DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://...; the benchmark database
(BENCH_DATABASE_URL, default <DATABASE_URL>_bench) is created and migrated if missing, and
its inputs, tickets and citizens are deleted before each run.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("SPORTELLO_CORPUS", ROOT.parent / "shared" / "corpus"))


def bench_database_url() -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("bench-ingest needs DATABASE_URL=postgres://... (and CELERY_BROKER_URL=redis://...)")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_bench"))


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    n = int(os.environ.get("BENCH_N", "3000"))
    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", "2"))
    whatsapp_share = float(os.environ.get("BENCH_WHATSAPP_SHARE", "0.3"))
    producers = int(os.environ.get("BENCH_PRODUCERS", "4"))
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        sys.exit("bench-ingest needs CELERY_BROKER_URL=redis://...")
    url = bench_database_url()
    ensure_database(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + "x" * 40),
        # Acknowledgements of WhatsApp citizens go to a Graph API that refuses at once (retried later).
        "WHATSAPP_GRAPH_URL": "http://127.0.0.1:9",
        "WHATSAPP_ACCESS_TOKEN": "bench",
        "WHATSAPP_PHONE_NUMBER_ID": "bench",
    }
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from channels_app.adapters.email import store_email
    from channels_app.models import InboundMessage
    from channels_app.pipeline import content_key, ingest_inbound, store_inbound
    from contactcenter.celery import app
    from tickets.models import Attachment, Citizen, Message, Office, Queue, Ticket, TicketEvent, Tier

    # A clean slate: previous runs' inputs and tickets, and any task left in the broker.
    app.control.purge()
    with transaction.atomic():
        with connection.cursor() as cursor:  # the timeline is append-only except for this switch
            cursor.execute("SET LOCAL sportello.allow_event_rewrite = on")
        for model in (InboundMessage, TicketEvent, Attachment, Message, Ticket, Citizen):
            model.objects.all().delete()
    office = Office.objects.filter(is_active=True).first() or Office.objects.create(name="Bench", code="bench")
    for tier in (Tier.FRONT, Tier.BACK):
        if not Queue.objects.filter(office=office, tier=tier, is_active=True).exists():
            Queue.objects.create(office=office, name=f"Bench {tier}", tier=tier, is_default=True)

    # Inputs: human e-mail from the corpus (unique Message-IDs), WhatsApp text webhooks.
    automatic = ("sisimai", "bounce", "dsn", "complaints", "disposition", "report", "rfc3834")
    emails = [
        p.read_bytes()
        for p in sorted((CORPUS / "email").glob("*.eml"))
        if not any(word in p.name for word in automatic) and p.stat().st_size < 200_000
    ]
    template = json.loads((CORPUS / "whatsapp" / "pywa-message-text.json").read_text())
    run = int(time.time())

    def whatsapp_body(i: int) -> bytes:
        body = json.loads(json.dumps(template))
        value = body["entry"][0]["changes"][0]["value"]
        message = value["messages"][0]
        message["id"] = f"wamid.bench{run}x{i}"
        message["from"] = f"39333{i % 5000:07d}"
        message["text"] = {"body": f"Richiesta numero {i}"}
        value["contacts"][0]["wa_id"] = message["from"]
        return json.dumps(body).encode()

    def store(i: int) -> None:
        if i % 100 < whatsapp_share * 100:
            raw = whatsapp_body(i)
            store_inbound(channel="whatsapp", raw=raw, external_id=content_key(raw), source="bench",
                          content_type="application/json")  # fmt: skip
        else:
            raw = f"Message-ID: <bench-{run}-{i}@bench.example>\r\n".encode() + emails[i % len(emails)]
            store_email(raw, channel="email", source="bench")

    # Queries per input, measured in this process on a handful of e-mails before the run: the
    # worker's ingest transaction plus the acknowledgement it writes (its sending is another task).
    samples = []
    for i in range(5):
        raw = f"Message-ID: <probe-{run}-{i}@bench.example>\r\n".encode() + emails[(i * 7) % len(emails)]
        inbound, _ = store_email(raw, channel="email", source="probe", enqueue=False)
        with CaptureQueriesContext(connection) as queries:
            ingest_inbound(inbound.pk)
        samples.append(len(queries))
    app.control.purge()  # the probes' acknowledgements are not part of the run
    InboundMessage.objects.filter(source="probe").delete()

    procs = []
    for index in range(workers):
        procs.append(
            subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [sys.executable, "-m", "celery", "-A", "contactcenter", "worker", "--pool=prefork",
                 f"--concurrency={concurrency}", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "-n", f"bench{index}@%h", "-O", "fair"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )  # fmt: skip
    try:
        time.sleep(4)  # let the workers connect before the clock starts
        started = time.monotonic()
        # Inputs arrive concurrently (webhooks on several web processes, several mailboxes).
        with ThreadPoolExecutor(max_workers=producers) as pool:
            list(pool.map(store, range(n)))  # one DB connection per thread
        stored = time.monotonic() - started
        deadline = time.monotonic() + 300
        pending = n
        while time.monotonic() < deadline:
            pending = InboundMessage.objects.filter(source="bench", state=InboundMessage.State.RECEIVED).count()
            if not pending:
                break
            time.sleep(0.5)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()

    rows = list(
        InboundMessage.objects.filter(source="bench")
        .exclude(processed_at=None)
        .values_list("received_at", "processed_at", "state", "channel")
    )
    if not rows:
        sys.exit("nothing was processed: are Redis and the workers reachable?")
    first = min(r[0] for r in rows)
    last = max(r[1] for r in rows)
    elapsed = (last - first).total_seconds()
    latencies = sorted((r[1] - r[0]).total_seconds() for r in rows)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    states: dict[str, int] = {}
    for r in rows:
        states[f"{r[3]}:{r[2]}"] = states.get(f"{r[3]}:{r[2]}", 0) + 1
    acks = Message.objects.filter(direction=Message.Direction.OUTBOUND, author__isnull=True).count()
    print(f"inputs: {n} ({len(rows)} processed, {pending} still pending) — {states}")
    print(
        f"workers: {workers} x prefork concurrency {concurrency}; {producers} producer threads stored "
        f"{n / stored:.0f} inputs/s"
    )
    print(f"throughput end to end: {len(rows) / elapsed:.1f} inputs/s over {elapsed:.1f} s")
    print(f"receipt -> ticket visible: p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s")
    print(f"queries per e-mail ingested, acknowledgement included (sampled): {samples}")
    print(f"tickets: {Ticket.objects.count()}, acknowledgements queued: {acks}")


if __name__ == "__main__":
    main()
