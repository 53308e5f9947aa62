"""Full-text search on PostgreSQL: one tsvector per language, kept current by a trigger.

The vectors are computed when a row is written, never per query. SQLite has no tsvector:
there the columns stay null and faq.selectors falls back to a simple LIKE search.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

CONFIGS = {"it": "italian", "en": "english", "fr": "french", "es": "spanish"}


def _vector(code: str, config: str) -> str:
    # A language without its own text is indexed with the Italian one, so it is still found.
    question = f"coalesce(nullif(NEW.question_{code}, ''), NEW.question_it, NEW.question, '')"
    answer = f"coalesce(nullif(NEW.answer_{code}, ''), NEW.answer_it, NEW.answer, '')"
    return (
        f"NEW.search_{code} := setweight(to_tsvector('{config}', {question}), 'A') || "
        f"setweight(to_tsvector('{config}', regexp_replace({answer}, '<[^>]+>', ' ', 'g')), 'B');"
    )


FORWARD = [
    "CREATE OR REPLACE FUNCTION faq_entry_search_update() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
    + "\n".join(_vector(code, config) for code, config in CONFIGS.items())
    + "\nRETURN NEW;\nEND\n$$;",
    "DROP TRIGGER IF EXISTS faq_entry_search_trg ON faq_faqentry;",
    "CREATE TRIGGER faq_entry_search_trg BEFORE INSERT OR UPDATE ON faq_faqentry "
    "FOR EACH ROW EXECUTE FUNCTION faq_entry_search_update();",
    # Fill the vectors of rows that existed before the trigger.
    "UPDATE faq_faqentry SET id = id;",
    *[f"CREATE INDEX IF NOT EXISTS faq_search_{code}_gin ON faq_faqentry USING gin (search_{code});" for code in CONFIGS],
    *[
        f"CREATE INDEX IF NOT EXISTS faq_question_{code}_trgm ON faq_faqentry USING gin (question_{code} gin_trgm_ops);"
        for code in CONFIGS
    ],
]
BACKWARD = [
    *[f"DROP INDEX IF EXISTS faq_question_{code}_trgm;" for code in CONFIGS],
    *[f"DROP INDEX IF EXISTS faq_search_{code}_gin;" for code in CONFIGS],
    "DROP TRIGGER IF EXISTS faq_entry_search_trg ON faq_faqentry;",
    "DROP FUNCTION IF EXISTS faq_entry_search_update();",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("faq", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(forwards, backwards),
    ]
