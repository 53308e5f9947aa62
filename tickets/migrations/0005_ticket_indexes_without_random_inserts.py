"""Two fewer indexes written at a random place for every new ticket.

- access_token: unique through a constraint instead of unique=True, which on PostgreSQL also
  built a varchar_pattern_ops index for LIKE that no query uses.
- citizen: no index of its own; ticket_citizen_idx (citizen_id, created_at DESC) leads with it.

Into a million tickets, each cost a B-tree page at a random place (most likely outside shared
buffers, and a full-page WAL image after each checkpoint): the tickets' INSERT took 0.26 ms a row
with them, 0.13 ms without (pg_stat_statements over make bench-ingest with BENCH_KEEP=1).
"""

import django.db.models.deletion
import tickets.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0004_message_text_lz4"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="ticket",
            name="access_token",
            field=models.CharField(
                default=tickets.models.generate_access_token,
                editable=False,
                max_length=64,
                verbose_name="access token",
            ),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="citizen",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tickets",
                to="tickets.citizen",
                verbose_name="citizen",
            ),
        ),
        migrations.AddConstraint(
            model_name="ticket",
            constraint=models.UniqueConstraint(fields=("access_token",), name="ticket_unique_access_token"),
        ),
    ]
