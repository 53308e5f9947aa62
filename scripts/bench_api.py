"""make bench-api: latency of the REST API on the 1,000,000-ticket database.

Migrates BENCH_DATABASE_URL (default: the seeded sportello_bench; only the api/privacy/axes/otp
tables are new), issues a read-scoped token acting as a demo supervisor, starts gunicorn on
127.0.0.1 (DEBUG off) and drives, with a small thread pool for BENCH_SECONDS each:
  - list:    GET /api/v1/tickets/?page_size=50 and the next pages by cursor (each page logs 50 accesses);
  - filter:  GET /api/v1/tickets/?status=new&channel=email;
  - detail:  GET /api/v1/tickets/<id>/ on random tickets (one access-log insert each);
  - citizen: GET /api/v1/citizens/?phone=<E.164> of known citizens.
Prints p50/p95 and requests/s. Asserts nothing: timings are not tests.
"""

from __future__ import annotations

import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sportello_bench")
SECONDS = float(os.environ.get("BENCH_SECONDS", "6"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
PY = str(ROOT / ".venv" / "bin" / "python")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env() -> dict[str, str]:
    values = dict(os.environ)
    values.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "CELERY_BROKER_URL": "",
            "REDIS_URL": "",
            "DEBUG": "False",
            "SECRET_KEY": "bench-api-not-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "False",
            "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "API_THROTTLE_TOKEN": "1000000/minute",
            "API_THROTTLE_IP": "1000000/minute",
        }
    )
    return values


SETUP = """
import random
from django.contrib.auth import get_user_model
from api.models import ApiToken
from operators.models import Operator
from tickets.models import Ticket, Citizen
op = Operator.objects.filter(role__in=["supervisor", "administrator"]).select_related("user").first()
_t, key = ApiToken.issue(name="bench", user=op.user, scope="read")
last = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first()
phones = [str(p) for p in Citizen.objects.exclude(phone="").values_list("phone", flat=True)[:200]]
print("BENCH", key, last, ",".join(phones))
"""


def run(name: str, base: str, key: str, make_url, results: dict) -> None:
    timings: list[float] = []
    stop = time.monotonic() + SECONDS

    def worker():
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        while time.monotonic() < stop:
            url = make_url(session)
            started = time.perf_counter()
            response = session.get(base + url, timeout=30)
            timings.append(time.perf_counter() - started)
            if response.status_code != 200:
                print(f"  {name}: {response.status_code} on {url}", file=sys.stderr)

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1] if timings else 0
    results[name] = (len(timings), statistics.median(timings) * 1000, p95 * 1000, len(timings) / SECONDS)


def main() -> None:
    # Our own interpreter and manage.py, fixed arguments: nothing untrusted reaches these calls.
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env(), check=True)  # noqa: S603
    out = subprocess.run(  # noqa: S603
        [PY, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env(), check=True, capture_output=True, text=True
    ).stdout
    out = next(line for line in out.splitlines() if line.startswith("BENCH ")).split()[1:]
    key, last, phones = out[0], int(out[1]), (out[2].split(",") if len(out) > 2 else [])
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "contactcenter.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env(),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(base + "/api/v1/faq/", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        cursors: list[str] = []

        def list_page(session):
            if cursors and random.random() < 0.8:
                return cursors.pop()
            body = session.get(base + "/api/v1/tickets/?page_size=50", timeout=30).json()
            if body.get("next"):
                cursors.append(body["next"].replace(base, "").replace("http://testserver", ""))
            return "/api/v1/tickets/?page_size=50"

        results: dict = {}
        run("list (50/page, cursor)", base, key, list_page, results)
        run("filter status+channel", base, key, lambda s: "/api/v1/tickets/?status=new&channel=email", results)
        run("detail", base, key, lambda s: f"/api/v1/tickets/{random.randint(1, last)}/", results)
        if phones:
            run("citizen by phone", base, key, lambda s: f"/api/v1/citizens/?phone={random.choice(phones)}", results)
        print(f"REST API on {DATABASE_URL.rsplit('/', 1)[1]} ({last:,} tickets), concurrency {CONCURRENCY}:")
        for name, (count, p50, p95, rate) in results.items():
            print(f"  {name:26} n={count:5}  p50={p50:7.1f} ms  p95={p95:7.1f} ms  {rate:6.1f} req/s")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
