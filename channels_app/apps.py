from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels_app"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contactcenter.celery import app

        from .tasks import HandBackWaitingInputs

        # Before the worker builds its consumer: Django is set up (and this runs) when the worker
        # imports its task modules, which it does first.
        app.steps["consumer"].add(HandBackWaitingInputs)
