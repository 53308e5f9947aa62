"""The admin is for supervisors and administrators; operators work in the desk.

Front- and back-office operators were staff with admin permissions on tickets, citizens,
messages and attachments, and the admin applied none of the desk's rules. Their groups now carry
no permission and their accounts are not staff. Supervisors keep reading the records in the
admin, but tickets, messages, attachments, the timeline and citizens change only through the
services (the desk, the API), so no group holds a change, add or delete permission on them.
"""

from django.db import migrations

DESK_ROLES = ("front_office", "back_office")
ADMIN_ROLES = ("supervisor", "administrator")
SERVICE_ONLY = ("ticket", "message", "attachment", "ticketevent", "citizen")
SUPERVISOR_VIEWS = [("tickets", f"view_{model}") for model in SERVICE_ONLY]
# What else supervisors run from the admin: ready answers, partner bodies, campaigns, and reading
# the raw inputs and the call log.
SUPERVISOR_MANAGES = [
    *(("operators", f"{action}_cannedreply") for action in ("view", "add", "change")),
    *(
        ("reports", f"{action}_{model}")
        for model in ("partnerbody", "recurringproblem", "campaign")
        for action in ("view", "add", "change")
    ),
    ("channels_app", "view_inboundmessage"),
    ("channels_app", "view_call"),
]


def restrict(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    User = apps.get_model("auth", "User")
    for name in DESK_ROLES:
        Group.objects.get_or_create(name=name)[0].permissions.clear()
    written = Permission.objects.filter(
        content_type__app_label="tickets",
        codename__in=[f"{action}_{model}" for model in SERVICE_ONLY for action in ("add", "change", "delete")],
    )
    for name in ADMIN_ROLES:
        group = Group.objects.get_or_create(name=name)[0]
        group.permissions.remove(*written)
    # Permissions are normally created after migrate; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    supervisors = Group.objects.get(name="supervisor")
    for app_label, codename in [*SUPERVISOR_VIEWS, *SUPERVISOR_MANAGES]:
        supervisors.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))
    User.objects.filter(operator__role__in=DESK_ROLES, is_superuser=False).update(is_staff=False)
    User.objects.filter(operator__role__in=ADMIN_ROLES).update(is_staff=True)


class Migration(migrations.Migration):
    dependencies = [
        ("operators", "0005_starter_canned_replies"),
        ("faq", "0004_faq_permissions"),
        ("tickets", "0005_ticket_indexes_without_random_inserts"),
        ("channels_app", "0004_inbound_waiting_idx"),
        ("reports", "0001_initial"),
    ]

    operations = [migrations.RunPython(restrict, migrations.RunPython.noop)]
