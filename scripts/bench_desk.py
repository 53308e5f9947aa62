"""make bench-desk: latency and throughput of the operator desk on the 1,000,000-ticket database.

Starts gunicorn on 127.0.0.1 against BENCH_DATABASE_URL (default: the seeded sportello_bench),
signs in as demo operators through the real login form (second factor included), checks every
scenario's pages once, then drives the queue list, the search and the ticket view with wrk
(scripts/benchlib.py) at concurrency 8 and 16 for BENCH_SECONDS each: each page both replayed
for the same session and, with unique URLs, rendered every time.  Loopback only.  Prints
p50/p95 and requests/s; asserts nothing (timings are not tests).

    make bench-desk                          # defaults below
    BENCH_SECONDS=10 BENCH_WORKERS=4 make bench-desk
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import requests
from benchlib import Gunicorn, Request, cookie_header, machine_note, print_header, print_row, run_wrk, server_env

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sportello_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "8,16").split(",")]
PASSWORD = "sportello-demo"  # the demo accounts' password (tickets/demo/base.py)  # noqa: S105
ENV = server_env(DATABASE_URL, REDIS_URL, "bench-desk")
SEARCH_TERMS = ["rossi", "permesso+soggiorno", "%2B39+333+1234567", "IST-2026-0000100"]  # name, text, phone, ref


def _totp_for(username: str) -> str:
    """The code the demo user's authenticator would show (supervisors must pass the second factor)."""
    os.environ.update({k: v for k, v in ENV.items() if k in ("DATABASE_URL", "SECRET_KEY", "DEBUG")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=username).order_by("-confirmed", "-pk").first()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/desk/"},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=10,
    )
    if "/2fa/" in response.url:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)
        response = session.post(
            response.url,
            data={"token": _totp_for(username), "csrfmiddlewaretoken": token},
            headers={"Referer": response.url},
            timeout=10,
        )
    if not response.url.rstrip("/").endswith("/desk") or response.status_code != 200:
        raise SystemExit(f"login as {username} failed: {response.status_code} {response.url}")
    return session


def check(session: requests.Session, base: str, requests_: list[Request], marker: str) -> None:
    """Every page of a scenario answers 200 with what an operator expects on it, before it is timed."""
    for req in requests_[:50]:
        headers = dict(req.headers)
        response = session.get(base + req.path, headers=headers, timeout=30)
        if response.status_code != 200 or marker not in response.text:
            raise SystemExit(f"{req.path}: {response.status_code}, {marker!r} not in the page")


def uncached(pages: list[Request], copies: int) -> Callable[[str], list[Request]]:
    """The same pages under URLs no run has asked for yet (`run` tells the runs apart): every one is rendered."""

    def build(run: str) -> list[Request]:
        return [
            Request(f"{page.path}{'&' if '?' in page.path else '?'}_={run}-{n}", headers=page.headers)
            for n in range(copies)
            for page in pages
        ]

    return build


def main() -> None:
    log = Path(os.environ.get("BENCH_SEED_LOG", "/tmp/seed1m.log"))  # noqa: S108 - written by the seeding run
    if "sportello_bench" in DATABASE_URL and log.exists() and "exit=0" not in log.read_text():
        raise SystemExit("the 1M-ticket database is not seeded yet (/tmp/seed1m.log has no exit=0)")
    with Gunicorn(ENV, workers=WORKERS, threads=THREADS, ready_path="/accounts/login/") as server:
        base = server.base
        front = login(base, "front1")
        home = front.get(f"{base}/desk/", timeout=30).text
        queue_id = re.search(r'href="/desk/queues/(\d+)/"', home).group(1)
        queue_page = front.get(f"{base}/desk/queues/{queue_id}/", timeout=30).text
        ticket_ids = re.findall(r'data-ticket-id="(\d+)"', queue_page)[:20]
        count_label = re.search(r'data-count="([^"]+)"', queue_page).group(1)
        htmx = (("HX-Request", "true"),)
        queue = f"/desk/queues/{queue_id}/"
        queue_page = [Request(queue)]
        searches = [Request(f"/desk/search/?q={q}") for q in SEARCH_TERMS]
        tickets = [Request(f"/desk/tickets/{pk}/") for pk in ticket_ids]
        scenarios = [
            ("queue list (front1, 1st page)", front, queue_page, "data-ticket-id"),
            ("queue list (polled partial)", front, [Request(queue + "?_poll=1", headers=htmx)], "data-ticket-id"),
            ("queue list, cache miss (unique URLs)", front, uncached(queue_page, 20000), "data-ticket-id"),
            ("my tickets (front1)", front, [Request("/desk/")], "desk"),
            ("search (name / text / phone / ref)", front, searches, "search"),
            ("search, cache miss (unique URLs)", front, uncached(searches, 5000), "search"),
            ("ticket view (20 tickets, revisited)", front, tickets, "timeline"),
            ("ticket view, cache miss (unique URLs)", front, uncached(tickets, 2000), "timeline"),
        ]
        try:
            supervisor = login(base, "supervisore")
            scenarios.insert(3, ("all active (supervisore)", supervisor, [Request("/desk/all/")], "data-ticket-id"))
        except (SystemExit, AttributeError) as error:
            print(f"(supervisor list skipped: {error})")
        print(f"gunicorn: {WORKERS} workers x {THREADS} threads on {base}; database {DATABASE_URL.rsplit('/', 1)[-1]}")
        print(f"before the runs: {machine_note()}; load from wrk (1 thread)")
        print(f"queue {queue_id}: {count_label} active requests shown; {SECONDS:.0f} s per run")
        print_header()
        for name, session, requests_, marker in scenarios:
            # A cache-miss scenario builds its unique URLs per run: a later run must not replay an earlier one's.
            urls = requests_ if callable(requests_) else lambda _run, fixed=requests_: fixed
            check(session, base, urls("check"), marker)
            cookies = {"Cookie": cookie_header(session)}
            run_wrk(base, urls("warm")[:4], concurrency=2, seconds=1, headers=cookies)  # warm the workers
            for concurrency in CONCURRENCY:
                figures = run_wrk(
                    base, urls(f"c{concurrency}"), concurrency=concurrency, seconds=SECONDS, headers=cookies
                )
                print_row(name, concurrency, figures)
        print(f"after the runs: {machine_note()}")
        print("targets: queue list p95 < 50 ms at c8 and >= 760 req/s at c16; ticket view p95 < 80 ms")


if __name__ == "__main__":
    main()
