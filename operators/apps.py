from django.apps import AppConfig


class OperatorsConfig(AppConfig):
    name = "operators"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tickets.models import Ticket
        from tickets.services import ticket_changed

        from .selectors import bump_desk_generation

        # Any change to any ticket invalidates the cached desk lists (sent after commit).
        ticket_changed.connect(bump_desk_generation, sender=Ticket, dispatch_uid="desk-lists-generation")
