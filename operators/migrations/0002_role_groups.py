from django.db import migrations

# Django permissions each role's group carries (the admin uses them; the desk checks roles in access.py).
ROLE_PERMISSIONS = {
    "front_office": [
        ("tickets", "view_ticket"), ("tickets", "change_ticket"), ("tickets", "add_ticket"),
        ("tickets", "view_citizen"), ("tickets", "change_citizen"), ("tickets", "add_citizen"),
        ("tickets", "view_message"), ("tickets", "view_attachment"), ("tickets", "view_topic"),
    ],
    "back_office": [
        ("tickets", "view_ticket"), ("tickets", "change_ticket"), ("tickets", "view_citizen"),
        ("tickets", "change_citizen"), ("tickets", "view_message"), ("tickets", "view_attachment"),
        ("tickets", "view_topic"),
    ],
    "supervisor": [
        ("tickets", "view_ticket"), ("tickets", "change_ticket"), ("tickets", "view_citizen"),
        ("tickets", "view_message"), ("tickets", "view_attachment"), ("tickets", "view_ticketevent"),
        ("tickets", "view_queue"), ("tickets", "change_queue"), ("tickets", "add_queue"),
        ("tickets", "view_office"), ("tickets", "change_office"), ("tickets", "view_topic"),
        ("tickets", "change_topic"), ("tickets", "add_topic"), ("operators", "view_operator"),
        ("operators", "change_operator"),
    ],
    "administrator": "__all__",
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        if wanted == "__all__":
            perms = Permission.objects.filter(content_type__app_label__in=["tickets", "operators", "faq", "channels_app"])
        else:
            perms = [
                Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in wanted
            ]
        group.permissions.set(perms)


class Migration(migrations.Migration):
    dependencies = [
        ("operators", "0001_initial"),
        ("tickets", "0002_topics_and_database_rules"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
