from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import stamp_login

        # Stamped at login, the idle clock needs no session write on the first page after it.
        user_logged_in.connect(stamp_login, dispatch_uid="privacy-stamp-login")
