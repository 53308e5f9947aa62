"""Back-office experts and supervisors edit the FAQ and procedures in the admin (issue 6)."""

from django.db import migrations

EDITORS = ("back_office", "supervisor")
PERMISSIONS = [
    *(f"{action}_{model}" for model in ("faqtopic", "faqentry", "procedure") for action in ("view", "add", "change")),
    "view_faqfeedback",
    "change_faqfeedback",
    "view_faqdeflection",
    "view_appointment",
    "change_appointment",
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; the groups need them now.
    app_config = apps.get_app_config("faq")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(Permission.objects.filter(content_type__app_label="faq", codename__in=PERMISSIONS))
    for name in EDITORS:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms)
    administrators = Group.objects.filter(name="administrator").first()
    if administrators is not None:
        administrators.permissions.add(*Permission.objects.filter(content_type__app_label="faq"))


class Migration(migrations.Migration):
    dependencies = [
        ("faq", "0003_search_documents"),
        ("operators", "0002_role_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
