from django.db import migrations

TOPICS = [
    # slug, it, en, fr, es
    ("permessi-di-soggiorno", "Permessi di soggiorno", "Residence permits", "Titres de séjour", "Permisos de residencia"),
    ("cittadinanza", "Cittadinanza", "Citizenship", "Citoyenneté", "Ciudadanía"),
    ("ricongiungimento-familiare", "Ricongiungimento familiare", "Family reunification", "Regroupement familial",
     "Reagrupación familiar"),
    ("matrimonio", "Matrimonio", "Marriage", "Mariage", "Matrimonio"),
    ("studio-e-lavoro", "Studio e lavoro in Italia", "Studying and working in Italy", "Études et travail en Italie",
     "Estudiar y trabajar en Italia"),
    ("altro", "Altro", "Other", "Autre", "Otro"),
]


def seed_topics(apps, schema_editor):
    Topic = apps.get_model("tickets", "Topic")
    for position, (slug, it, en, fr, es) in enumerate(TOPICS):
        Topic.objects.update_or_create(
            slug=slug,
            defaults={"name": it, "name_it": it, "name_en": en, "name_fr": fr, "name_es": es, "position": position},
        )


APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION tickets_event_append_only() RETURNS trigger AS $$
BEGIN
    -- Retention anonymisation is the one writer allowed to rewrite history.
    IF current_setting('sportello.allow_event_rewrite', true) = 'on' THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    RAISE EXCEPTION 'ticket events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER tickets_event_append_only
    BEFORE UPDATE OR DELETE ON tickets_ticketevent
    FOR EACH ROW EXECUTE FUNCTION tickets_event_append_only();
"""
DROP_APPEND_ONLY_SQL = """
DROP TRIGGER IF EXISTS tickets_event_append_only ON tickets_ticketevent;
DROP FUNCTION IF EXISTS tickets_event_append_only();
"""


def database_rules(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(APPEND_ONLY_SQL)
    for year in range(2024, 2041):
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS tickets_reference_{year}_seq")


def drop_database_rules(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY_SQL)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [
        migrations.RunPython(seed_topics, migrations.RunPython.noop),
        migrations.RunPython(database_rules, drop_database_rules),
    ]
