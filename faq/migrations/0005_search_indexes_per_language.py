"""One GIN index per language for the search documents, without a pending list; trigram indexes
for the typo fallback on the question each language shows.

- A search reads one language's published documents: a partial index per language answers it
  alone. The (language, published) b-tree goes: the planner, misjudging how many documents
  match, preferred it and re-checked the query on all 5,000 documents of the language.
- fastupdate = off: with the default pending list every search scanned, row by row, the
  documents written since the last vacuum (10 ms with the 5,000 entries of a bulk import).
  FAQ entries are written rarely, by hand: updating the index at once costs nothing there.
- The trigram fallback compared the query with every question (a sequential scan, 150 ms on
  5,000 entries); the expression indexes let `%>` find the candidates.
PostgreSQL only, like 0002 and 0003.
"""

from django.db import migrations

LANGUAGES = ("it", "en", "fr", "es")


def question_expression(code: str) -> str:
    # Must stay identical to faq.selectors._trigram_question(): the planner matches it textually.
    return "question_it" if code == "it" else f"COALESCE(NULLIF(question_{code}, ''), question_it)"


FORWARD = [
    "DROP INDEX IF EXISTS faqsearch_document_gin;",
    *[
        f"CREATE INDEX IF NOT EXISTS faqsearch_{code}_gin ON faq_faqsearchdocument USING gin (document) "
        f"WITH (fastupdate = off) WHERE language = '{code}' AND published;"
        for code in LANGUAGES
    ],
    *[
        f"CREATE INDEX IF NOT EXISTS faq_published_question_{code}_trgm ON faq_faqentry "
        f"USING gin (({question_expression(code)}) gin_trgm_ops) WITH (fastupdate = off) "
        "WHERE status = 'published';"
        for code in LANGUAGES
    ],
    "ANALYZE faq_faqsearchdocument;",
    "ANALYZE faq_faqentry;",
]
BACKWARD = [
    *[f"DROP INDEX IF EXISTS faq_published_question_{code}_trgm;" for code in LANGUAGES],
    *[f"DROP INDEX IF EXISTS faqsearch_{code}_gin;" for code in LANGUAGES],
    "CREATE INDEX IF NOT EXISTS faqsearch_document_gin ON faq_faqsearchdocument USING gin (document);",
]


def _run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("faq", "0004_faq_permissions")]

    operations = [
        migrations.RemoveIndex(model_name="faqsearchdocument", name="faqsearch_language_idx"),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
