from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SportelloAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with a site that lets in only supervisors and administrators."""

    default = False  # "operators" in INSTALLED_APPS means OperatorsConfig
    default_site = "operators.admin_site.SportelloAdminSite"


class OperatorsConfig(AppConfig):
    default = True
    name = "operators"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from tickets.models import Queue, Ticket
        from tickets.services import ticket_changed

        from .models import Operator
        from .selectors import bump_desk_generation, bump_now_and_on_commit

        # Any change to any ticket invalidates the cached desk lists and pages (sent after commit).
        ticket_changed.connect(bump_desk_generation, sender=Ticket, dispatch_uid="desk-lists-generation")
        # So does any change to who may see which list: a replayed page skips the permission checks.
        User = get_user_model()
        for model in (Operator, User, Group, Queue):
            post_save.connect(bump_now_and_on_commit, sender=model, dispatch_uid=f"desk-gen-save-{model.__name__}")
            post_delete.connect(bump_now_and_on_commit, sender=model, dispatch_uid=f"desk-gen-delete-{model.__name__}")
        for through in (Operator.queues.through, User.groups.through, User.user_permissions.through):
            m2m_changed.connect(bump_now_and_on_commit, sender=through, dispatch_uid=f"desk-gen-m2m-{through}")

        from django.apps import apps

        from tickets import refdata
        from tickets.models import Office, Topic

        from .models import CannedReply

        # And any change to the reference rows a replayed ticket view shows in its forms (topics,
        # offices, canned replies, procedures: tracked below) or to the recurring problems it lists.
        refdata.changed.connect(bump_desk_generation, dispatch_uid="desk-gen-reference-rows")
        if apps.is_installed("reports"):
            from reports.models import RecurringProblem

            post_save.connect(bump_now_and_on_commit, sender=RecurringProblem, dispatch_uid="desk-gen-save-problem")
            post_delete.connect(
                bump_now_and_on_commit, sender=RecurringProblem, dispatch_uid="desk-gen-delete-problem"
            )

        refdata.track("desk-topics", Topic)
        refdata.track("desk-filter-form", Topic, Office)
        refdata.track("desk-queues", Queue, Office)
        refdata.track("desk-canned-replies", CannedReply, Topic)
        if apps.is_installed("faq"):
            from faq.models import Procedure

            refdata.track("published-procedures", Procedure, Office)
