from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from channels_app import views as channel_views
from contactcenter import health
from faq.views import portal as portal_views
from privacy.signin import SignInForm

# The citizen portal first: it takes most requests, and Django tries the patterns in order
# (no other route starts with a language code).
urlpatterns = i18n_patterns(
    path("", include("faq.urls")),
    prefix_default_language=True,
)

urlpatterns += [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/cti/<str:token>", channel_views.cti_event, name="cti-event"),
    path("api/v1/cti/<str:token>/", channel_views.cti_event),  # PBX connectors configured with a slash
    path("api/v1/", include("api.urls")),
    path("", include("privacy.urls")),
    path("webhooks/", include("channels_app.urls")),
    path("dashboard/", include("reports.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("desk/", include("operators.urls")),
    path("", include("faq.urls_ops")),
    path("", portal_views.root_redirect, name="root"),
]

# A database outage answers 503 (with the citizen's form again), anything else Django's 500.
handler500 = "contactcenter.outage.server_error"
