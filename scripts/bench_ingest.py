"""Ingestion benchmark: N inputs through the real pipeline on PostgreSQL + Redis with real Celery workers.

    make bench-ingest                      # 3000 inputs, 2 workers x concurrency 2
    BENCH_N=6000 BENCH_WORKERS=2 BENCH_CONCURRENCY=2 make bench-ingest
    BENCH_POOL=solo BENCH_WORKERS=4 make bench-ingest    # one process per worker
    BENCH_RATE=400 make bench-ingest                     # inputs arrive at 400/s, not as fast as stored
    BENCH_WHATSAPP_SENDERS=300 make bench-ingest         # WhatsApp conversations: several messages per number
    BENCH_EMAIL_URL=dummymail:// make bench-ingest       # acknowledgements not mailed (default: a local SMTP server)
    BENCH_DATABASE_URL=postgres://.../seeded BENCH_KEEP=1 make bench-ingest   # into a database kept as it is

What is measured: the inputs are stored the way the IMAP poller and the webhook store them
(store_email / store_inbound, one commit each, task published on commit) by this process,
while the worker processes parse them, find or create the citizen, open the ticket, store the
attachments and send the acknowledgement (over SMTP to a local aiosmtpd server, and to a local stub of the
WhatsApp Graph API). Throughput is inputs / (last processed_at - first received_at); latency
is processed_at - received_at of each input (the ticket is visible when that transaction
commits). Because the machine is shared, it also prints what does not depend on the load:
queries and CPU ms per message (scripts/profile_ingest.py, in this process, before the run),
the workers' and the PostgreSQL backends' CPU per message during the run, and the load
average at start and end.

Needs DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://...; the benchmark database
(BENCH_DATABASE_URL, default <DATABASE_URL>_bench) is created and migrated if missing, and
its inputs, tickets and citizens are emptied (TRUNCATE) before each run unless BENCH_KEEP=1.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
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


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its live descendants (the prefork children), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            stack += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    return total


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, idle) CPU seconds of the whole machine so far, every core, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / ticks, idle / ticks


def database_cpu_seconds() -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to this database (pid -> seconds)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        pids = [row[0] for row in cursor.fetchall()]
    return {pid: tree_cpu_seconds(pid) for pid in pids}


def main() -> None:
    n = int(os.environ.get("BENCH_N", "3000"))
    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", "2"))
    pool = os.environ.get("BENCH_POOL", "prefork")  # solo: one process per worker, no pool IPC
    whatsapp_share = float(os.environ.get("BENCH_WHATSAPP_SHARE", "0.3"))
    producers = int(os.environ.get("BENCH_PRODUCERS", "4"))
    rate = float(os.environ.get("BENCH_RATE", "0"))  # inputs a second arriving; 0: as fast as they are stored
    senders = int(os.environ.get("BENCH_WHATSAPP_SENDERS", "0")) or n  # distinct numbers; fewer: conversations
    keep = os.environ.get("BENCH_KEEP") == "1"
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        sys.exit("bench-ingest needs CELERY_BROKER_URL=redis://...")
    load_start = os.getloadavg()
    url = bench_database_url()
    ensure_database(url)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "scripts"))
    import profile_ingest

    graph_url = profile_ingest.start_graph_stub()  # WhatsApp acknowledgements are accepted at once
    env = {
        **os.environ,
        "DATABASE_URL": url,
        # Acknowledgements over real SMTP; BENCH_EMAIL_URL=dummymail:// leaves the mail out, to compare.
        "EMAIL_URL": os.environ.get("BENCH_EMAIL_URL") or profile_ingest.start_mail_server(),
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + "x" * 40),
        "WHATSAPP_GRAPH_URL": graph_url,
        "WHATSAPP_ACCESS_TOKEN": "bench",
        "WHATSAPP_PHONE_NUMBER_ID": "bench",
    }
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings")
    import django

    django.setup()
    from django.db import connection

    from channels_app.adapters.email import store_email
    from channels_app.models import InboundMessage
    from channels_app.pipeline import content_key, store_inbound
    from contactcenter.celery import app
    from tickets.models import Attachment, Citizen, Message, Office, Queue, Ticket, TicketEvent, Tier

    # A clean slate: previous runs' inputs and tickets, and any task left in the broker. TRUNCATE,
    # not DELETE: run after run, dead rows would otherwise pile up in the tables and their indexes
    # and make every run slower than the one before (the CASCADE takes their access logs along).
    # BENCH_KEEP=1 keeps what the database holds (a seeded million tickets, to ingest into a full one).
    app.control.purge()
    if not keep:
        tables = [m._meta.db_table for m in (InboundMessage, TicketEvent, Attachment, Message, Ticket, Citizen)]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    office = Office.objects.filter(is_active=True).first() or Office.objects.create(name="Bench", code="bench")
    for tier in (Tier.FRONT, Tier.BACK):
        if not Queue.objects.filter(office=office, tier=tier, is_active=True).exists():
            Queue.objects.create(office=office, name=f"Bench {tier}", tier=tier, is_default=True)

    # Inputs: human e-mail from the corpus (unique Message-IDs), WhatsApp text webhooks.
    emails = profile_ingest.corpus_emails()
    run = int(time.time())
    source = f"bench-{run}"  # this run's inputs, whatever earlier runs left
    whatsapp_body = profile_ingest.whatsapp_factory(f"bench{run}", numbers=senders)
    clock = {"start": 0.0}

    def store(i: int) -> None:
        if rate:  # the i-th input arrives at i / rate seconds
            time.sleep(max(0.0, clock["start"] + i / rate - time.monotonic()))
        if i % 100 < whatsapp_share * 100:
            raw = whatsapp_body(i)
            store_inbound(channel="whatsapp", raw=raw, external_id=content_key(raw), source=source,
                          content_type="application/json")  # fmt: skip
        else:
            raw = f"Message-ID: <bench-{run}-{i}@bench.example>\r\n".encode() + emails[i % len(emails)]
            # As the IMAP poller stores it: received now (INTERNALDATE), whatever its Date header says.
            store_email(raw, channel="email", source=source, metadata={"received_at": datetime.now(UTC).isoformat()})

    # Per-message cost in this process, before the run (queries, CPU): independent of the load.
    figures = profile_ingest.measure(20)
    InboundMessage.objects.filter(source="probe").delete()

    procs = []
    for index in range(workers):
        procs.append(
            subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [sys.executable, "-m", "celery", "-A", "contactcenter", "worker", f"--pool={pool}",
                 f"--concurrency={concurrency}", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "-n", f"bench{index}@%h", "-O", "fair"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )  # fmt: skip
    try:
        time.sleep(4)  # let the workers connect before the clock starts
        cpu_before = sum(tree_cpu_seconds(proc.pid) for proc in procs)
        mail_before = sum(tree_cpu_seconds(server.pid) for server in profile_ingest.MAIL_SERVERS)
        graph_before = sum(tree_cpu_seconds(stub.pid) for stub in profile_ingest.GRAPH_STUBS)
        own_before = os.times().user + os.times().system  # this process alone: the producer threads
        machine_before = machine_cpu_seconds()
        database_before = database_cpu_seconds()
        database_seen = dict(database_before)  # pid -> latest CPU seen: a backend may exit before the end

        def sample_database() -> None:
            database_seen.update(database_cpu_seconds())

        started = clock["start"] = time.monotonic()
        # Inputs arrive concurrently (webhooks on several web processes, several mailboxes).
        executor = ThreadPoolExecutor(max_workers=producers)
        list(executor.map(store, range(n)))  # one DB connection per thread
        stored = time.monotonic() - started
        sample_database()  # while the producers' connections (their backends) are still open
        executor.shutdown()
        deadline = time.monotonic() + 300
        pending = n
        while time.monotonic() < deadline:
            pending = InboundMessage.objects.filter(source=source, state=InboundMessage.State.RECEIVED).count()
            if not pending:
                break
            sample_database()
            time.sleep(0.5)
        machine_after = machine_cpu_seconds()
        worker_cpu = sum(tree_cpu_seconds(proc.pid) for proc in procs) - cpu_before
        mail_cpu = sum(tree_cpu_seconds(server.pid) for server in profile_ingest.MAIL_SERVERS) - mail_before
        graph_cpu = sum(tree_cpu_seconds(stub.pid) for stub in profile_ingest.GRAPH_STUBS) - graph_before
        own_cpu = os.times().user + os.times().system - own_before
        sample_database()
        database_cpu = sum(seconds - database_before.get(pid, 0.0) for pid, seconds in database_seen.items())
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()

    rows = list(
        InboundMessage.objects.filter(source=source)
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
    ours = Message.objects.filter(
        direction=Message.Direction.OUTBOUND, author__isnull=True, ticket__inbound_messages__source=source
    ).distinct()
    acks = ours.count()
    print(f"inputs: {n} ({len(rows)} processed, {pending} still pending) — {states}")
    print(
        f"workers: {workers} x {pool} concurrency {concurrency if pool == 'prefork' else 1}; {producers} producer threads stored "
        f"{n / stored:.0f} inputs/s"
        + (f" (paced at {rate:.0f}/s)" if rate else "")
        + (f"; WhatsApp from at most {senders} numbers" if senders < n else "")
    )
    print(f"N = {n}; throughput end to end: {len(rows) / elapsed:.1f} inputs/s over {elapsed:.1f} s")
    print(f"receipt -> ticket visible: p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s")
    busy, idle = (after - before for after, before in zip(machine_after, machine_before, strict=True))
    print("CPU during the run, ms per input:")
    print(f"  workers {1000 * worker_cpu / len(rows):.2f} (Celery included)")
    print(f"  PostgreSQL backends {1000 * database_cpu / len(rows):.2f} (store included)")
    print(
        f"  producers (this process: stores the inputs, as the webhooks and the IMAP poller do) {1000 * own_cpu / len(rows):.2f}"
    )
    print(
        f"  local SMTP server {1000 * mail_cpu / len(rows):.2f}, local Graph API stub {1000 * graph_cpu / len(rows):.2f} "
        "(an office's relay and Meta's servers run elsewhere; here they share the 2 cores)"
    )
    print(f"  the whole machine {1000 * busy / len(rows):.2f}, and {100 * idle / (busy + idle):.0f} % idle")
    print("per message, measured in one process before the run (store, ingest task, send):")
    for line in profile_ingest.describe(figures):
        print("  " + line)
    sent = ours.filter(delivery_status="sent").count()
    # This run's tickets through its inputs: counting the table would read a million rows twice with BENCH_KEEP.
    tickets = Ticket.objects.filter(inbound_messages__source=source).distinct().count()
    print(f"tickets written to: {tickets}, acknowledgements: {acks} ({sent} sent)")
    load_end = os.getloadavg()
    print(
        f"load average at start {load_start[0]:.1f} / {load_start[1]:.1f} / {load_start[2]:.1f}, "
        f"at end {load_end[0]:.1f} / {load_end[1]:.1f} / {load_end[2]:.1f} (2 cores)"
    )


if __name__ == "__main__":
    main()
