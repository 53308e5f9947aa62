"""Demo content of the portal (called by `manage.py seed_demo`): idempotent, safe to run twice."""

from __future__ import annotations

from django.db import transaction

from tickets.models import Office, Topic

from .demo_content import ENTRIES, PROCEDURES, RELATED, TOPICS
from .models import FaqEntry, FaqTopic, Procedure, TranslationState
from .sanitize import sanitize_answer
from .services import bump_search_generation

LANGUAGES = ("it", "en", "fr", "es")
# FAQ topic -> request topic of tickets (migration tickets 0002), for suggestions by topic.
TICKET_TOPICS = {"studio": "studio-e-lavoro", "lavoro": "studio-e-lavoro"}


def _paragraphs(text: str) -> str:
    return sanitize_answer("".join(f"<p>{part.strip()}</p>" for part in text.split("\n\n") if part.strip()))


@transaction.atomic
def seed_faq(stdout=None) -> None:
    ticket_topics = {t.slug: t for t in Topic.objects.filter(parent__isnull=True)}
    topics = {}
    for slug, (position, names) in TOPICS.items():
        values = {"position": position, "ticket_topic": ticket_topics.get(TICKET_TOPICS.get(slug, slug))}
        for code in LANGUAGES:
            values[f"name_{code}"], values[f"description_{code}"] = names[code]
            if code != "it":
                values[f"translation_{code}"] = TranslationState.READY
        topics[slug], _created = FaqTopic.objects.update_or_create(slug=slug, defaults=values)
    entries = {}
    for position, (topic, slug, texts) in enumerate(ENTRIES):
        values = {"topic": topics[topic], "position": position, "status": FaqEntry.Status.PUBLISHED}
        for code in LANGUAGES:
            question, answer = texts[code]
            values[f"question_{code}"] = question
            values[f"answer_{code}"] = _paragraphs(answer)
            if code != "it":
                values[f"translation_{code}"] = TranslationState.READY
        entries[slug], _created = FaqEntry.objects.update_or_create(slug=slug, defaults=values)
    for first, second in RELATED:
        entries[first].related.add(entries[second])
    office = Office.objects.filter(is_active=True).order_by("pk").first()
    for slug, (position, topic, texts) in PROCEDURES.items():
        values = {"position": position, "topic": topics[topic], "office": office, "is_published": True}
        for code in LANGUAGES:
            for name, value in texts[code].items():
                values[f"{name}_{code}"] = value
            if code != "it":
                values[f"translation_{code}"] = TranslationState.READY
        Procedure.objects.update_or_create(slug=slug, defaults=values)
    transaction.on_commit(bump_search_generation)
    if stdout is not None:
        stdout.write(
            f"{len(ENTRIES)} FAQ entries in {len(TOPICS)} topics and {len(PROCEDURES)} procedures in it/en/fr/es."
        )
