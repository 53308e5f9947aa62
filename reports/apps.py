from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Statistics and reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tickets.services import ticket_changed

        from .tasks import schedule_stats_refresh

        # Ticket services announce changes after commit; statistics follow, debounced.
        ticket_changed.connect(schedule_stats_refresh, dispatch_uid="reports.stats_refresh")
