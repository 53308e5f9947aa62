"""Per-message cost of ingestion, phase by phase: SQL queries and CPU milliseconds in this process.

    DATABASE_URL=postgres://... .venv/bin/python scripts/profile_ingest.py [N] [--profile]

Meaningful on a loaded machine, unlike wall-clock rates: queries are counted and CPU time is
process time. Phases: store (what the webhook / IMAP poller does), ingest (the worker's task for one input,
acknowledgement included), the same in batches (the draining task, pipeline.ingest_pending) and send (a separate send task for acknowledgements the ingest task
left pending, if any). Needs DATABASE_URL (migrated) and CELERY_BROKER_URL=redis://… like the
workers (tasks the phases publish are purged afterwards); mail goes over SMTP to a local aiosmtpd and
WhatsApp to a local stub of the Graph API. Imported by scripts/bench_ingest.py.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("SPORTELLO_CORPUS", ROOT.parent / "shared" / "corpus"))
AUTOMATIC = ("sisimai", "bounce", "dsn", "complaints", "disposition", "report", "rfc3834")


def corpus_emails() -> list[bytes]:
    return [
        p.read_bytes()
        for p in sorted((CORPUS / "email").glob("*.eml"))
        if not any(word in p.name for word in AUTOMATIC) and p.stat().st_size < 200_000
    ]


def whatsapp_factory(run: str, numbers: int = 5000):
    """WhatsApp text webhooks; `numbers` distinct senders per run (more messages thread onto their tickets)."""
    base = int(time.time() * 10) % 10**9 * 10
    template = json.loads((CORPUS / "whatsapp" / "pywa-message-text.json").read_text())

    def body(i: int) -> bytes:
        data = json.loads(json.dumps(template))
        value = data["entry"][0]["changes"][0]["value"]
        message = value["messages"][0]
        message["id"] = f"wamid.{run}x{i}"
        message["from"] = f"39{(base + i % numbers) % 10**10:010d}"
        message["text"] = {"body": f"Richiesta numero {i}"}
        message["timestamp"] = str(int(time.time()))  # written now, as in a live campaign
        value["contacts"][0]["wa_id"] = message["from"]
        return json.dumps(data).encode()

    return body


class _GraphStub(BaseHTTPRequestHandler):
    """Answers every Graph API call like WhatsApp does when it accepts a message."""

    protocol_version = "HTTP/1.1"  # keeps connections alive, as graph.facebook.com does
    disable_nagle_algorithm = True  # headers and body leave in two writes: do not hold the second back

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"messages": [{"id": f"wamid.stub{time.monotonic_ns()}"}], "id": "media"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def start_graph_stub() -> str:
    """A local stand-in for graph.facebook.com in a child process (its CPU is not the pipeline's); returns its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GraphStub)
    stub = multiprocessing.Process(target=server.serve_forever, daemon=True)
    stub.start()
    GRAPH_STUBS.append(stub)
    server.socket.close()  # the child serves; this process only needed the port
    return f"http://127.0.0.1:{server.server_address[1]}/v21.0"


class _AcceptingMailServer:
    """aiosmtpd handler: every message is accepted, and dropped."""

    async def handle_DATA(self, server, session, envelope) -> str:
        return "250 Message accepted for delivery"


def _serve_mail(port: int) -> None:
    from aiosmtpd.controller import Controller

    Controller(_AcceptingMailServer(), hostname="127.0.0.1", port=port).start()
    threading.Event().wait()  # until the parent ends


MAIL_SERVERS: list = []  # the child processes start_mail_server started (their CPU is reported apart)
GRAPH_STUBS: list = []  # and those of start_graph_stub


def start_mail_server() -> str:
    """A real SMTP server on 127.0.0.1 (aiosmtpd, a dev dependency) in a child process; its EMAIL_URL.

    The acknowledgements then cost what an SMTP conversation costs, as with the office's relay
    (less its TLS handshake), not what handing a message to Django's dummy backend costs.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = multiprocessing.Process(target=_serve_mail, args=(port,), daemon=True)
    server.start()
    MAIL_SERVERS.append(server)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return f"smtp://127.0.0.1:{port}"
        time.sleep(0.05)
    raise RuntimeError("the local mail server did not start")


def measure(n: int = 20, run: str | None = None) -> dict[str, dict[str, float]]:
    """Per message and channel: queries and CPU ms of store, ingest (the worker task) and send."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from channels_app.adapters.email import store_email
    from channels_app.models import InboundMessage
    from channels_app.pipeline import BATCH_SIZE, content_key, ingest_inbound, ingest_pending, store_inbound
    from channels_app.tasks import send_outbound_message
    from contactcenter.celery import app
    from tickets.models import Message

    run = run or f"probe{int(time.time() * 1000)}"
    emails = corpus_emails()
    whatsapp_body = whatsapp_factory(run)

    def store(kind: str, i: int) -> InboundMessage:
        if kind == "email":
            raw = f"Message-ID: <{run}-{i}@probe.example>\r\n".encode() + emails[(i * 7) % len(emails)]
            return store_email(raw, channel="email", source="probe", enqueue=False)[0]
        raw = whatsapp_body(i)
        return store_inbound(channel="whatsapp", raw=raw, external_id=content_key(raw), source="probe", enqueue=False)[
            0
        ]

    figures: dict[str, dict[str, float]] = {}
    for kind in ("email", "whatsapp"):
        ingest_inbound(store(kind, 10_000).pk, send_here=True)  # warm-up: imports, templates, caches
        store_q = ingest_q = send_q = sends = 0
        store_cpu = ingest_cpu = send_cpu = 0.0
        for i in range(n):
            with CaptureQueriesContext(connection) as queries:
                started = time.process_time()
                inbound = store(kind, i)
                store_cpu += time.process_time() - started
            store_q += len(queries)
            with CaptureQueriesContext(connection) as queries:
                started = time.process_time()
                ingest_inbound(inbound.pk, send_here=True)  # as the worker task does
                ingest_cpu += time.process_time() - started
            ingest_q += len(queries)
            pending = Message.objects.filter(
                ticket__inbound_messages__pk=inbound.pk, direction=Message.Direction.OUTBOUND,
                delivery_status=Message.Delivery.PENDING,
            ).values_list("pk", flat=True)  # fmt: skip
            for message_id in list(pending):
                with CaptureQueriesContext(connection) as queries:
                    started = time.process_time()
                    send_outbound_message.apply(args=(message_id,), kwargs={"auto_submitted": "auto-replied"})
                    send_cpu += time.process_time() - started
                send_q += len(queries)
                sends += 1
        # The same inputs the way the draining task takes them: in batches (pipeline.ingest_pending).
        batch = [store(kind, 20_000 + i) for i in range(n)]
        batch_q, batch_cpu = 0, 0.0
        while InboundMessage.objects.filter(
            pk__in=[b.pk for b in batch], state=InboundMessage.State.RECEIVED
        ).exists():
            with CaptureQueriesContext(connection) as queries:
                started = time.process_time()
                ingest_pending(BATCH_SIZE)
                batch_cpu += time.process_time() - started
            batch_q += len(queries)
        figures[kind] = {
            "batch_q": batch_q / n,
            "batch_ms": 1000 * batch_cpu / n,
            "store_q": store_q / n,
            "store_ms": 1000 * store_cpu / n,
            "ingest_q": ingest_q / n,
            "ingest_ms": 1000 * ingest_cpu / n,
            "send_q": send_q / n,
            "send_ms": 1000 * send_cpu / n,
            "separate_sends": sends / n,
        }
    app.control.purge()  # what the probes published is not for the workers
    return figures


def describe(figures: dict[str, dict[str, float]]) -> list[str]:
    lines = []
    for kind, f in figures.items():
        total_q = f["store_q"] + f["ingest_q"] + f["send_q"]
        total_ms = f["store_ms"] + f["ingest_ms"] + f["send_ms"]
        lines.append(
            f"{kind:8s} per message: store {f['store_q']:.1f} q / {f['store_ms']:.1f} ms CPU; "
            f"ingest task {f['ingest_q']:.1f} q / {f['ingest_ms']:.1f} ms; "
            f"separate send task {f['send_q']:.1f} q / {f['send_ms']:.1f} ms ({f['separate_sends']:.0%} of messages); "
            f"total {total_q:.1f} queries, {total_ms:.1f} ms CPU"
        )
        lines.append(
            f"{kind:8s} in batches (drain task, acknowledgement sent): {f['batch_q']:.1f} q / {f['batch_ms']:.1f} ms "
            f"per message; with store {f['store_q'] + f['batch_q']:.1f} queries, {f['store_ms'] + f['batch_ms']:.1f} ms CPU"
        )
    return lines


def setup() -> None:
    os.environ.setdefault("EMAIL_URL", start_mail_server())
    os.environ["WHATSAPP_GRAPH_URL"] = start_graph_stub()
    os.environ.setdefault("WHATSAPP_ACCESS_TOKEN", "bench")
    os.environ.setdefault("WHATSAPP_PHONE_NUMBER_ID", "bench")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        sys.exit("profile_ingest needs CELERY_BROKER_URL=redis://... (tasks are published as in production)")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings")
    import django

    django.setup()


def main() -> None:
    setup()
    from tickets.models import Office, Queue, Tier

    office = Office.objects.filter(is_active=True).first() or Office.objects.create(name="Probe", code="probe")
    for tier in (Tier.FRONT, Tier.BACK):
        if not Queue.objects.filter(office=office, tier=tier, is_active=True).exists():
            Queue.objects.create(office=office, name=f"Probe {tier}", tier=tier, is_default=True)
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 20
    if "--profile" in sys.argv:
        from pyinstrument import Profiler  # local tool, not a project dependency

        profiler = Profiler(interval=0.0005)
        profiler.start()
        figures = measure(n)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    else:
        figures = measure(n)
    print(f"n={n} per channel, load average {os.getloadavg()[0]:.1f}")
    print("\n".join(describe(figures)))


if __name__ == "__main__":
    main()
