from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import views
from .docs import DocsView

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("citizens", views.CitizenViewSet, basename="citizen")
router.register("attachments", views.AttachmentViewSet, basename="attachment")
router.register("queues", views.QueueViewSet, basename="queue")
router.register("faq", views.FaqViewSet, basename="faq")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("", include(router.urls)),
    # Last: JSON 404 for the rest — except cti/, the PBX endpoint of channels_app mounted beside us.
    re_path(r"^(?!cti/)[\s\S]*$", views.api_not_found),
]
