"""make bench-api: latency of the REST API on the 1,000,000-ticket database.

Migrates BENCH_DATABASE_URL (default: the seeded sportello_bench; only the api/privacy/axes/otp
tables are new), issues a read-scoped token acting as a demo supervisor, starts gunicorn on
127.0.0.1 (DEBUG off), checks one request of each kind and drives them with wrk
(scripts/benchlib.py) for BENCH_SECONDS each:
  - list:    GET /api/v1/tickets/?page_size=50 and the next pages by cursor (each page logs 50 accesses);
  - filter:  GET /api/v1/tickets/?status=new&channel=email;
  - detail:  GET /api/v1/tickets/<id>/ on random tickets (one access-log insert each);
  - citizen: GET /api/v1/citizens/?phone=<E.164> of known citizens.
Prints p50/p95 and requests/s. Asserts nothing: timings are not tests.
"""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import requests
from benchlib import Gunicorn, Request, machine_note, print_header, print_row, run_wrk, server_env

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sportello_bench")
SECONDS = float(os.environ.get("BENCH_SECONDS", "6"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
PY = str(ROOT / ".venv" / "bin" / "python")


def env() -> dict[str, str]:
    values = server_env(DATABASE_URL, "", "bench-api")
    values.update({"API_THROTTLE_TOKEN": "1000000/minute", "API_THROTTLE_IP": "1000000/minute"})
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


def main() -> None:
    # Our own interpreter and manage.py, fixed arguments: nothing untrusted reaches these calls.
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env(), check=True)  # noqa: S603
    out = subprocess.run(  # noqa: S603
        [PY, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env(), check=True, capture_output=True, text=True
    ).stdout
    out = next(line for line in out.splitlines() if line.startswith("BENCH ")).split()[1:]
    key, last, phones = out[0], int(out[1]), (out[2].split(",") if len(out) > 2 else [])
    rng = random.Random(5)
    with Gunicorn(env(), workers=WORKERS, ready_path="/api/v1/faq/") as server:
        base = server.base
        client = requests.Session()
        client.headers["Authorization"] = f"Bearer {key}"
        # The list's pages, followed by cursor as a client would (each page logs 50 accesses).
        pages, url = [], "/api/v1/tickets/?page_size=50"
        while url and len(pages) < 100:
            pages.append(url)
            response = client.get(base + url, timeout=30)
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
            url = (response.json().get("next") or "").replace(base, "").replace("http://testserver", "")
        scenarios = [
            ("list (50/page, cursor)", [Request(u) for u in pages]),
            ("filter status+channel", [Request("/api/v1/tickets/?status=new&channel=email")]),
            ("detail", [Request(f"/api/v1/tickets/{rng.randint(1, last)}/") for _ in range(2000)]),
        ]
        if phones:
            scenarios.append(("citizen by phone", [Request(f"/api/v1/citizens/?phone={p}") for p in phones]))
        headers = {"Authorization": f"Bearer {key}"}
        for name, requests_ in scenarios:
            for req in requests_[:3]:
                if client.get(base + req.path, timeout=30).status_code != 200:
                    raise SystemExit(f"{name}: {req.path} does not answer 200")
        print(f"REST API on {DATABASE_URL.rsplit('/', 1)[1]} ({last:,} tickets); {machine_note()}; load from wrk")
        print_header(28)
        for name, requests_ in scenarios:
            print_row(
                name,
                CONCURRENCY,
                run_wrk(base, requests_, concurrency=CONCURRENCY, seconds=SECONDS, headers=headers),
                28,
            )


if __name__ == "__main__":
    main()
