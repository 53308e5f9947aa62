from django.db import migrations

from contactcenter.db import compress_with_lz4


class Migration(migrations.Migration):
    dependencies = [("channels_app", "0002_call")]

    operations = [migrations.RunPython(*compress_with_lz4("channels_app_inboundmessage", "raw"))]
