"""Webhook and CTI figures: how fast a provider gets its 200, and how fast the caller pop-up reads.

Runs in-process through Django's test client against the configured DATABASE_URL (use your own
database: it writes InboundMessage and Call rows). Prints p50/p95 and requests per second for:
- POST /webhooks/whatsapp/ (signature check + raw store + enqueue; the worker is not measured here),
- POST /api/v1/cti/<token> (newCall + hangup applied synchronously to the call log),
- channels_app.selectors.ringing_calls_for(operator) with calls ringing.
Enqueued tasks are purged from the broker at the end (nothing is left for a worker to find).

    make bench-webhooks            # N=500 by default; BENCH_N=2000 make bench-webhooks
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings")
os.environ.setdefault("WHATSAPP_APP_SECRET", "bench-secret")
os.environ.setdefault("CTI_TOKEN", "bench-token")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

N = int(os.environ.get("BENCH_N", "500"))


def figures(name: str, durations: list[float]) -> None:
    durations = sorted(durations)
    p50 = statistics.median(durations) * 1000
    p95 = durations[int(len(durations) * 0.95) - 1] * 1000
    rate = len(durations) / sum(durations)
    print(f"{name:<42} n={len(durations):<6} p50={p50:7.2f} ms  p95={p95:7.2f} ms  {rate:8.1f} req/s (1 client)")


def main() -> None:
    call_command("migrate", verbosity=0)
    from channels_app.models import Call
    from channels_app.selectors import ringing_calls_for
    from operators.models import Operator, Role
    from tests.factories import CitizenFactory, OfficeFactory, QueueFactory, make_operator

    run = uuid.uuid4().hex[:8]
    office = OfficeFactory(code=f"bench-webhooks-{run}", name="Bench webhooks")
    queue = QueueFactory(office=office, name=f"bench-{uuid.uuid4().hex[:6]}")
    user = make_operator(
        role=Role.FRONT_OFFICE, queues=[queue], name="Bench Operator", username=f"bench-{uuid.uuid4().hex[:6]}"
    )
    Operator.objects.filter(user=user).update(extension="bench-ext", presence=Operator.Presence.AVAILABLE)
    user = type(user).objects.select_related("operator").get(pk=user.pk)
    client = Client()
    template = json.loads((Path("/work/shared/corpus/whatsapp/pywa-message-text.json")).read_text())
    secret = settings.WHATSAPP_APP_SECRET.encode()

    durations = []
    for i in range(N):
        body = json.loads(json.dumps(template))
        message = body["entry"][0]["changes"][0]["value"]["messages"][0]
        message["id"] = f"wamid.bench-{run}-{i}"
        message["text"]["body"] = f"Messaggio di prova {i}"
        raw = json.dumps(body).encode()
        signature = "sha256=" + hmac.new(secret, raw, hashlib.sha256).hexdigest()
        start = time.perf_counter()
        response = client.post(
            "/webhooks/whatsapp/", data=raw, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature
        )
        durations.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    figures("WhatsApp webhook (verify + store + enqueue)", durations)

    base = int(run[:4], 16) % 1000
    citizens = [CitizenFactory(phone=f"+39333{base:03d}{i:04d}") for i in range(50)]
    durations = []
    url = f"/api/v1/cti/{settings.CTI_TOKEN}"
    for i in range(N):
        number = str(citizens[i % len(citizens)].phone).lstrip("+")
        call_id = f"bench-{run}-{i}"
        for event in ("newCall", "hangup"):
            data = {"event": event, "from": number, "to": "390612345678", "direction": "in", "callId": call_id}
            data["user[]"] = ["bench-ext"] if event == "newCall" else []
            if event == "hangup":
                data["cause"] = "normalClearing"
            start = time.perf_counter()
            response = client.post(url, data=data)
            durations.append(time.perf_counter() - start)
            assert response.status_code == 200, response.content
    figures("CTI event (store + call log, synchronous)", durations)

    for i in range(20):  # calls ringing now for the operator
        client.post(
            url,
            data={
                "event": "newCall",
                "from": str(citizens[i].phone).lstrip("+"),
                "direction": "in",
                "callId": f"ring-{run}-{i}",
                "user[]": ["bench-ext"],
            },
        )
    durations = []
    for _ in range(N):
        start = time.perf_counter()
        calls = ringing_calls_for(user)
        durations.append(time.perf_counter() - start)
    assert len(calls) >= 20
    figures("ringing_calls_for (20 ringing calls)", durations)
    Call.objects.filter(call_id__startswith=f"ring-{run}").update(status=Call.Status.ENDED)

    if settings.CELERY_BROKER_URL:
        from contactcenter.celery import app

        app.control.purge()


if __name__ == "__main__":
    main()
