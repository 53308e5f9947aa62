from django.urls import path

from . import views

app_name = "channels"

urlpatterns = [
    path("whatsapp/", views.whatsapp_webhook, name="whatsapp-webhook"),
    path("voicemail/", views.twilio_voicemail_webhook, name="voicemail-webhook"),
]
