"""Indexes for the desk's lists and search at a million tickets (PostgreSQL only; SQLite scans).

- Partial (queue|assignee|nothing, due_at, id) indexes on active tickets: every desk list reads
  the first rows in due-date order straight from an index, without sorting the queue.
- Trigram GIN indexes on UPPER(name/email): Django's icontains is UPPER(col::text) LIKE UPPER(%q%).
- Full-text GIN index on message text, with the exact expression Django's SearchVector("text",
  config="simple") compiles to, so the planner uses it.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

ACTIVE = "('new', 'open', 'escalated', 'in_progress', 'waiting_citizen', 'reopened')"

INDEXES = {
    "ticket_active_queue_due_idx": f"ON tickets_ticket (queue_id, due_at, id) WHERE status IN {ACTIVE}",
    "ticket_active_assignee_due_idx": f"ON tickets_ticket (assignee_id, due_at, id) WHERE status IN {ACTIVE}",
    "ticket_active_due_idx": f"ON tickets_ticket (due_at, id) WHERE status IN {ACTIVE}",
    "citizen_first_name_trgm_idx": "ON tickets_citizen USING gin ((UPPER(first_name::text)) gin_trgm_ops)",
    "citizen_last_name_trgm_idx": "ON tickets_citizen USING gin ((UPPER(last_name::text)) gin_trgm_ops)",
    "citizen_email_trgm_idx": "ON tickets_citizen USING gin ((UPPER(email::text)) gin_trgm_ops)",
    "citizen_phone_alt_idx": "ON tickets_citizen (phone_alt)",
    "message_text_fts_idx": "ON tickets_message USING gin (to_tsvector('simple'::regconfig, COALESCE(text, '')))",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("operators", "0003_desk"),
        ("tickets", "0002_topics_and_database_rules"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
