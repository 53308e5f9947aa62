"""make bench-portal: FAQ search and status lookup of the citizen portal, on the 1,000,000-ticket database.

1. Migrates BENCH_DATABASE_URL (default: the seeded sportello_bench) and fills it up to
   BENCH_FAQ_ENTRIES published FAQ entries (default 5,000), each written in it/en/fr/es, so
   5,000 entries per language; the PostgreSQL trigger indexes them as they are inserted.
2. Starts gunicorn on 127.0.0.1 (DEBUG off, Redis cache), checks one request of each scenario
   with `requests`, then drives them with wrk (scripts/benchlib.py) at concurrency 1 and 16,
   on loopback only:
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
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import requests
from benchlib import Gunicorn, Request, cookie_header, machine_note, print_header, print_row, run_wrk, server_env

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sportello_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "1,16").split(",")]
FAQ_ENTRIES = int(os.environ.get("BENCH_FAQ_ENTRIES", "5000"))
TICKETS = int(os.environ.get("BENCH_TICKETS", "2000"))  # distinct tickets looked up
HOT_TICKETS = int(os.environ.get("BENCH_HOT_TICKETS", "20"))  # status pages reloaded (cached)
ENV = server_env(DATABASE_URL, REDIS_URL, "bench-portal")

SEARCH_WORDS = {
    "it": ["permessi", "rinnovo", "cittadinanza", "ricongiungimento", "matrimonio", "studenti", "lavoro perso"],
    "en": ["permits", "renewal", "citizenship", "family reunification", "marriage", "students", "lost job"],
    "fr": ["titres", "renouvellement", "citoyenneté", "regroupement", "mariage", "étudiants", "emploi"],
    "es": ["permisos", "renovación", "ciudadanía", "reagrupación", "matrimonio", "estudiantes", "trabajo"],
}


def setup_django() -> None:
    os.environ.update({k: v for k, v in ENV.items() if k in ("DATABASE_URL", "SECRET_KEY", "DEBUG")})
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


def expect(response: requests.Response, status: int, marker: str) -> None:
    if response.status_code != status or marker not in (response.text + response.headers.get("Location", "")):
        raise SystemExit(f"{response.request.method} {response.url}: {response.status_code}, {marker!r} missing")


def main() -> None:
    setup_django()
    samples, total = prepare()
    print(f"FAQ entries published: {total} (each in it/en/fr/es); tickets sampled: {len(samples)}", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tickets_ticket")
        print(f"tickets in the database: {cursor.fetchone()[0]:,}", flush=True)
    connection.close()
    from faq.services import bump_search_generation

    queries = [(code, word) for code, words in SEARCH_WORDS.items() for word in words]
    pairs = [
        (code, f"{first} {second}")
        for code, words in SEARCH_WORDS.items()
        for first in words
        for second in words
        if first != second
    ]
    random.Random(3).shuffle(pairs)
    with Gunicorn(ENV, workers=WORKERS, threads=THREADS, ready_path="/it/") as server:
        base = server.base
        client = requests.Session()
        for language, word in queries:
            expect(client.get(f"{base}/{language}/search/", params={"q": word}, timeout=10), 200, "portal-result")
        for language, token, reference, _email in samples[:20]:
            expect(client.get(f"{base}/{language}/status/{token}/", timeout=10), 200, reference)
        page = client.get(f"{base}/it/status/", timeout=10).text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form_headers = (("Content-Type", "application/x-www-form-urlencoded"), ("Referer", f"{base}/it/status/"))

        def status_post(language: str, reference: str, email: str) -> Request:
            body = urlencode({"csrfmiddlewaretoken": csrf, "reference": reference, "contact": email})
            return Request(f"/{language}/status/", method="POST", body=body, headers=form_headers)

        for language, token, reference, email in samples[:5]:
            req = status_post(language, reference, email)
            response = client.post(
                base + req.path, data=req.body, headers=dict(req.headers), allow_redirects=False, timeout=10
            )
            expect(response, 302, token)
        cookies = {"Cookie": cookie_header(client)}
        search = [Request(f"/{code}/search/?{urlencode({'q': word})}") for code, word in queries]
        hot = samples[:HOT_TICKETS]
        cold = samples[HOT_TICKETS:]
        hot_status = [Request(f"/{language}/status/{token}/") for language, token, _r, _e in hot]
        status_form = [status_post(language, reference, email) for language, _t, reference, email in samples]
        run_wrk(base, search + hot_status, concurrency=2, seconds=2)  # warm every worker
        print(f"gunicorn: {WORKERS} workers x {THREADS} threads; {machine_note()}; load from wrk (1 thread)")
        print_header()
        for round_index, concurrency in enumerate(CONCURRENCY):
            # Cold: every query and every status page seen for the first time (nothing cached):
            # a new FAQ generation (the web processes re-read it within 2 s) and tickets never shown.
            bump_search_generation()
            time.sleep(2.5)
            first_pairs = [Request(f"/{code}/search/?{urlencode({'q': words})}") for code, words in pairs]
            share = len(cold) // len(CONCURRENCY)
            first_views = cold[round_index * share : (round_index + 1) * share]
            seconds = min(SECONDS, len(first_pairs) / (40.0 * concurrency))  # stop before the words repeat
            print_row(
                "FAQ search, first time (2 words)",
                concurrency,
                run_wrk(base, first_pairs, concurrency=concurrency, seconds=seconds, headers=cookies),
            )
            first = [Request(f"/{language}/status/{token}/") for language, token, _r, _e in first_views]
            seconds = min(SECONDS, len(first) / (60.0 * concurrency))
            print_row(
                "status by link, first view",
                concurrency,
                run_wrk(base, first, concurrency=concurrency, seconds=seconds, headers=cookies),
            )
            # Warm: the popular words and pages again, as in real traffic (citizens reload).
            run_wrk(base, hot_status, concurrency=2, seconds=1)
            print_row(
                "FAQ search, popular words",
                concurrency,
                run_wrk(base, search, concurrency=concurrency, seconds=SECONDS, headers=cookies),
            )
            print_row(
                f"status by link, {HOT_TICKETS} reloaded",
                concurrency,
                run_wrk(base, hot_status, concurrency=concurrency, seconds=SECONDS, headers=cookies),
            )
            print_row(
                "status by reference + email",
                concurrency,
                run_wrk(base, status_form, concurrency=concurrency, seconds=SECONDS, headers=cookies, expect=302),
            )
        print(f"after the runs: {machine_note()}")
    print("targets: search p95 < 30 ms; status lookup >= 930 req/s at concurrency 16 (client and server on 2 cores)")


if __name__ == "__main__":
    main()
