from django.urls import path

from .twofactor import two_factor

urlpatterns = [path("accounts/2fa/", two_factor, name="two_factor")]
