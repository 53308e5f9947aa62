from django.urls import path

from .views import ops

app_name = "portal_ops"

urlpatterns = [
    path("desk/faq/checklist/<int:ticket_id>/", ops.send_checklist, name="send_checklist"),
]
