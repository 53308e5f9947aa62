from django.urls import path

from .session_views import session_extend, session_state
from .twofactor import two_factor

urlpatterns = [
    path("accounts/2fa/", two_factor, name="two_factor"),
    path("accounts/session/", session_state, name="session_state"),
    path("accounts/session/extend/", session_extend, name="session_extend"),
]
