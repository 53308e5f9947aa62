"""make bench-portal: FAQ search and status lookup of the citizen portal, on the 1,000,000-ticket database.

1. Migrates BENCH_DATABASE_URL (default: the seeded sportello_bench) and fills it up to
   BENCH_FAQ_ENTRIES published FAQ entries (default 5,000), each written in it/en/fr/es, so
   5,000 entries per language; the PostgreSQL trigger indexes them as they are inserted.
2. Starts gunicorn on 127.0.0.1 (DEBUG off, Redis cache) and drives, with a bounded pool of
   threads (one requests.Session each) at concurrency 1 and 16, on loopback only:
     - search:  GET /<lang>/search/?q=<word>, words rotating over the four languages;
     - status:  GET /<lang>/status/<access_token>/ (the link in the acknowledgement) and
                POST /<lang>/status/ with the right reference + email (a 302 to the same page),
                over tickets of the big database. Valid lookups are not rate-limited.
3. Prints p50/p95 and requests/s for each. Asserts nothing: timings are not tests.

    make bench-portal
    BENCH_SECONDS=10 BENCH_WORKERS=3 make bench-portal
"""

from __future__ import annotations

import os
import random
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
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "30000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "1,16").split(",")]
FAQ_ENTRIES = int(os.environ.get("BENCH_FAQ_ENTRIES", "5000"))
TICKETS = int(os.environ.get("BENCH_TICKETS", "2000"))  # distinct tickets looked up
HOT_TICKETS = int(os.environ.get("BENCH_HOT_TICKETS", "20"))  # status pages reloaded (cached)

SEARCH_WORDS = {
    "it": ["permessi", "rinnovo", "cittadinanza", "ricongiungimento", "matrimonio", "studenti", "lavoro perso"],
    "en": ["permits", "renewal", "citizenship", "family reunification", "marriage", "students", "lost job"],
    "fr": ["titres", "renouvellement", "citoyenneté", "regroupement", "mariage", "étudiants", "emploi"],
    "es": ["permisos", "renovación", "ciudadanía", "reagrupación", "matrimonio", "estudiantes", "trabajo"],
}


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": REDIS_URL,
            "CELERY_BROKER_URL": "",
            "DEBUG": "False",
            "SECRET_KEY": "bench-portal-not-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
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


def setup_django() -> None:
    os.environ.update({k: v for k, v in server_env().items() if k in ("DATABASE_URL", "SECRET_KEY", "DEBUG")})
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare() -> tuple[list[tuple[str, str, str, str]], int]:
    """Migrate, top up the FAQ to FAQ_ENTRIES rows, return (language, token, reference, email) samples."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.db import transaction

    from faq.demo import seed_faq
    from faq.demo_content import ENTRIES
    from faq.models import FaqEntry, TranslationState
    from tickets.models import Ticket

    seed_faq()
    existing = FaqEntry.objects.count()
    missing = max(0, FAQ_ENTRIES - existing)
    if missing:
        print(f"creating {missing} FAQ entries in four languages…", flush=True)
        rng = random.Random(7)
        sentences = {
            code: [s.strip() + "." for _t, _s, texts in ENTRIES for s in texts[code][1].split(". ") if s.strip()]
            for code in ("it", "en", "fr", "es")
        }
        topics = {slug: entry.topic_id for slug, entry in ((e.slug, e) for e in FaqEntry.objects.all())}
        rows = []
        for index in range(missing):
            topic, slug, texts = ENTRIES[index % len(ENTRIES)]
            values = {"status": "published", "topic_id": topics[slug], "slug": f"bench-{existing + index}"}
            for code in ("it", "en", "fr", "es"):
                question, answer = texts[code]
                extra = rng.sample(sentences[code], 3)
                values[f"question_{code}"] = f"{question} ({index})"
                values[f"answer_{code}"] = "".join(f"<p>{p}</p>" for p in [answer, *extra])
                if code != "it":
                    values[f"translation_{code}"] = TranslationState.READY
            rows.append(FaqEntry(**values))
            if len(rows) == 1000:
                with transaction.atomic():
                    FaqEntry.objects.bulk_create(rows)
                rows = []
        if rows:
            with transaction.atomic():
                FaqEntry.objects.bulk_create(rows)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE faq_faqentry")
            cursor.execute("ANALYZE faq_faqsearchdocument")
    total = FaqEntry.objects.filter(status="published").count()
    # Tickets spread over the whole table, whose citizen has an email to look them up with.
    max_id = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rng = random.Random(11)
    ids = [rng.randint(1, max_id) for _ in range(TICKETS * 2)]
    samples = [
        (language, token, reference, email)
        for language, token, reference, email in Ticket.objects.filter(pk__in=ids)
        .exclude(citizen__email="")
        .values_list("language", "access_token", "reference", "citizen__email")[:TICKETS]
    ]
    return samples, total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{port}/it/", timeout=2)
            return process
        except requests.RequestException:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not start")


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def drive(name: str, concurrency: int, make_request, limit: int = MAX_REQUESTS) -> None:
    """Run make_request(session, i) from `concurrency` threads for SECONDS or `limit` requests, print figures."""
    result = Result()
    counter = iter(range(min(limit, MAX_REQUESTS)))
    counter_lock = threading.Lock()
    deadline = time.perf_counter() + SECONDS

    def worker() -> None:
        session = requests.Session()
        setup = getattr(make_request, "setup", None)
        state = setup(session) if setup else None
        local: list[float] = []
        errors = 0
        while time.perf_counter() < deadline:
            with counter_lock:
                index = next(counter, None)
            if index is None:
                break
            start = time.perf_counter()
            ok = make_request(session, index, state)
            local.append(time.perf_counter() - start)
            errors += 0 if ok else 1
        with result.lock:
            result.latencies += local
            result.errors += errors

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies = sorted(result.latencies)
    if not latencies:
        print(f"{name:<34} c={concurrency:<3} no requests")
        return
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000
    print(
        f"{name:<34} c={concurrency:<3} n={len(latencies):<6} p50={p50:6.1f} ms  p95={p95:6.1f} ms  "
        f"{len(latencies) / elapsed:7.1f} req/s  errors={result.errors}",
        flush=True,
    )


def main() -> None:
    setup_django()
    samples, total = prepare()
    print(f"FAQ entries published: {total} (each in it/en/fr/es); tickets sampled: {len(samples)}", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tickets_ticket")
        print(f"tickets in the database: {cursor.fetchone()[0]:,}", flush=True)
    connection.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(port)
    queries = [(code, word) for code, words in SEARCH_WORDS.items() for word in words]
    try:

        def search(session, index, _state):
            language, word = queries[index % len(queries)]
            response = session.get(f"{base}/{language}/search/", params={"q": word}, timeout=10)
            return response.status_code == 200 and "portal-result" in response.text

        pairs = [
            (code, f"{first} {second}")
            for code, words in SEARCH_WORDS.items()
            for first in words
            for second in words
            if first != second
        ]
        random.Random(3).shuffle(pairs)

        def search_pairs(session, index, _state):
            language, words = pairs[index % len(pairs)]
            response = session.get(f"{base}/{language}/search/", params={"q": words}, timeout=10)
            return response.status_code == 200

        def status_token(session, index, _state):
            language, token, reference, _email = samples[index % len(samples)]
            response = session.get(f"{base}/{language}/status/{token}/", timeout=10)
            return response.status_code == 200 and reference in response.text

        def status_token_hot(session, index, _state):
            return status_token(session, index % HOT_TICKETS, _state)

        def status_form(session, index, csrf):
            language, token, reference, email = samples[index % len(samples)]
            response = session.post(
                f"{base}/{language}/status/",
                data={"csrfmiddlewaretoken": csrf, "reference": reference, "contact": email},
                headers={"Referer": f"{base}/{language}/status/"},
                allow_redirects=False,
                timeout=10,
            )
            return response.status_code == 302 and token in response.headers.get("Location", "")

        def csrf_setup(session):
            page = session.get(f"{base}/it/status/", timeout=10).text
            return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

        status_form.setup = csrf_setup

        for _ in range(2):  # warm up every worker: templates, connections, caches
            for language, word in queries:
                requests.get(f"{base}/{language}/search/", params={"q": word}, timeout=10)
        from faq.services import bump_search_generation

        hot = samples[:HOT_TICKETS]
        cold = samples[HOT_TICKETS:]
        for round_index, concurrency in enumerate(CONCURRENCY):
            # Cold: every query and every status page seen for the first time (nothing cached):
            # a new FAQ generation (the web processes re-read it within 2 s) and tickets never shown.
            bump_search_generation()
            time.sleep(2.5)
            drive("FAQ search, first time (2 words)", concurrency, search_pairs, limit=len(pairs))
            share = len(cold) // len(CONCURRENCY)
            first_views = cold[round_index * share : (round_index + 1) * share]

            def status_first(session, index, state, first_views=first_views):
                language, token, reference, _email = first_views[index % len(first_views)]
                response = session.get(f"{base}/{language}/status/{token}/", timeout=10)
                return response.status_code == 200 and reference in response.text

            drive("status by link, first view", concurrency, status_first, limit=len(first_views))
            # Warm: the popular words and pages again, as in real traffic (citizens reload).
            for _ in range(2 * WORKERS):  # each web process keeps its own copies
                for language, token, _reference, _email in hot:
                    requests.get(f"{base}/{language}/status/{token}/", timeout=10)
            drive("FAQ search, popular words", concurrency, search)
            drive(f"status by link, {HOT_TICKETS} reloaded", concurrency, status_token_hot)
            drive("status by reference + email", concurrency, status_form)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    print(
        f"targets: search p95 < 30 ms; status lookup >= 930 req/s at concurrency 16 "
        f"(gunicorn {WORKERS} workers x {THREADS} threads, client and server on the same 2 cores)"
    )


if __name__ == "__main__":
    main()
