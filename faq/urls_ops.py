"""Staff pages of the portal (desk area, no language prefix)."""

from django.urls import path

from .views import ops, portal

app_name = "portal_ops"

urlpatterns = [
    path("i18n/switch/", portal.switch_language, name="switch_language"),
    path("desk/faq/checklist/<int:ticket_id>/", ops.send_checklist, name="send_checklist"),
    path("desk/feedback/", ops.feedback_inbox, name="feedback"),
    path("desk/feedback/<int:feedback_id>/handled/", ops.feedback_handled, name="feedback_handled"),
    path("desk/appointments/", ops.appointments, name="appointments"),
    path("desk/appointments/<int:appointment_id>/schedule/", ops.appointment_schedule, name="appointment_schedule"),
    path("desk/appointments/<int:appointment_id>/cancel/", ops.appointment_cancel, name="appointment_cancel"),
]
