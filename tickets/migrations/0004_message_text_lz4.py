from django.db import migrations

from contactcenter.db import compress_with_lz4


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_citizen_email_upper_idx")]

    operations = [migrations.RunPython(*compress_with_lz4("tickets_message", "text", "html"))]
