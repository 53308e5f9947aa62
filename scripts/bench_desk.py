"""make bench-desk: latency and throughput of the operator desk on the 1,000,000-ticket database.

Starts gunicorn on 127.0.0.1 against BENCH_DATABASE_URL (default: the seeded sportello_bench),
signs in as demo operators through the real login form, and drives the queue list, the search
and the ticket view with a small thread pool (one requests.Session per thread) at concurrency
8 and 16, bounded by a request count and a time limit.  Loopback only.  Prints p50/p95 and
requests/s; asserts nothing (timings are not tests).

    make bench-desk                          # defaults below
    BENCH_SECONDS=10 BENCH_WORKERS=4 make bench-desk
"""

from __future__ import annotations

import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sportello_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "20000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "8,16").split(",")]
PASSWORD = "sportello-demo"  # the demo accounts' password (tickets/demo/base.py)  # noqa: S105


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": REDIS_URL,
            "CELERY_BROKER_URL": "",
            "DEBUG": "False",
            "SECRET_KEY": "bench-desk-not-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on loopback: no HTTPS redirect, cookies without the Secure flag.
            "SECURE_SSL_REDIRECT": "False",
            "SESSION_COOKIE_SECURE": "False",
            "CSRF_COOKIE_SECURE": "False",
            "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "LOG_LEVEL": "WARNING",
            "CONN_MAX_AGE": "600",
        }
    )
    env.pop("TEST_DATABASE_NAME", None)
    return env


def start_gunicorn(port: int) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "contactcenter.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--threads",
        str(THREADS),
        "--worker-class",
        "gthread" if THREADS > 1 else "sync",
        "--backlog",
        "256",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=server_env(), start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=10)
            return process
        except requests.RequestException:
            time.sleep(0.5)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not start")


def _totp_for(username: str) -> str:
    """The code the demo user's authenticator would show (supervisors must pass the second factor)."""
    os.environ.update({k: v for k, v in server_env().items() if k in ("DATABASE_URL", "SECRET_KEY", "DEBUG")})
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


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0


def hammer(sessions_cookies, urls: list[str], concurrency: int) -> Result:
    result = Result()
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS
    counter = iter(range(MAX_REQUESTS))

    def worker(index: int) -> None:
        session = requests.Session()
        session.cookies.update(sessions_cookies)
        mine, errors = [], 0
        position = index
        while time.monotonic() < stop_at:
            try:
                next(counter)
            except StopIteration:
                break
            url = urls[position % len(urls)]
            position += concurrency
            started = time.perf_counter()
            response = session.get(url, timeout=30)
            mine.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors += 1
        with lock:
            result.latencies.extend(mine)
            result.errors += errors

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - started
    return result


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    log = Path(os.environ.get("BENCH_SEED_LOG", "/tmp/seed1m.log"))  # noqa: S108 - written by the seeding run
    if "sportello_bench" in DATABASE_URL and log.exists() and "exit=0" not in log.read_text():
        raise SystemExit("the 1M-ticket database is not seeded yet (/tmp/seed1m.log has no exit=0)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(port)
    print(f"gunicorn up on {base}", flush=True)
    try:
        front = login(base, "front1")
        home = front.get(f"{base}/desk/", timeout=30).text
        queue_id = re.search(r'href="/desk/queues/(\d+)/"', home).group(1)
        queue_page = front.get(f"{base}/desk/queues/{queue_id}/", timeout=30).text
        ticket_ids = re.findall(r'data-ticket-id="(\d+)"', queue_page)[:20]
        count_label = re.search(r'data-count="([^"]+)"', queue_page).group(1)
        scenarios = [
            ("queue list (front1, 1st page)", [f"{base}/desk/queues/{queue_id}/"], front),
            (
                "queue list (polled partial)",
                [f"{base}/desk/queues/{queue_id}/"],
                front,
            ),
            (
                "queue list, cache miss (unique URLs)",
                [f"{base}/desk/queues/{queue_id}/?_={n}" for n in range(4000)],
                front,
            ),
            ("my tickets (front1)", [f"{base}/desk/"], front),
            (
                "search (name / text / phone / ref)",
                [
                    f"{base}/desk/search/?q=rossi",
                    f"{base}/desk/search/?q=permesso+soggiorno",
                    f"{base}/desk/search/?q=%2B39+333+1234567",
                    f"{base}/desk/search/?q=IST-2026-0000100",
                ],
                front,
            ),
            ("ticket view", [f"{base}/desk/tickets/{pk}/" for pk in ticket_ids], front),
        ]
        try:
            supervisor = login(base, "supervisore")
            scenarios.insert(3, ("all active (supervisore)", [f"{base}/desk/all/"], supervisor))
        except (SystemExit, AttributeError) as error:
            print(f"(supervisor list skipped: {error})")
        print(f"gunicorn: {WORKERS} workers x {THREADS} threads on {base}; database {DATABASE_URL.rsplit('/', 1)[-1]}")
        print(f"load average before the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (shared machine)")
        print(
            f"queue {queue_id}: {count_label} active requests shown; {SECONDS:.0f} s per run, ≤{MAX_REQUESTS} requests"
        )
        print(f"{'scenario':38} {'c':>3} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")
        for name, urls, session in scenarios:
            cookies = session.cookies.get_dict()
            headers_note = name.endswith("(polled partial)")
            if headers_note:
                urls = [u + ("&" if "?" in u else "?") + "_poll=1" for u in urls]
            hammer(cookies, urls[:1], 2)  # warm the workers' connections and caches
            for concurrency in CONCURRENCY:
                result = (
                    hammer_htmx(cookies, urls, concurrency) if headers_note else hammer(cookies, urls, concurrency)
                )
                latencies = result.latencies or [0.0]
                print(
                    f"{name:38} {concurrency:>3} {len(result.latencies):>8} "
                    f"{len(result.latencies) / result.elapsed:>8.1f} "
                    f"{statistics.median(latencies) * 1000:>8.1f} {percentile(latencies, 0.95) * 1000:>8.1f} "
                    f"{result.errors:>6}"
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def hammer_htmx(cookies, urls, concurrency):
    """The 5-second poll: the same list as an htmx request (the partial, without the page around it)."""
    original = requests.Session.request

    def request(self, method, url, **kwargs):
        kwargs.setdefault("headers", {})["HX-Request"] = "true"
        return original(self, method, url, **kwargs)

    requests.Session.request = request
    try:
        return hammer(cookies, urls, concurrency)
    finally:
        requests.Session.request = original


if __name__ == "__main__":
    main()
