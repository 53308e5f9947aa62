"""The public portal, mounted inside i18n_patterns: /it/, /en/, /fr/, /es/."""

from django.urls import path

from .views import portal

app_name = "portal"

urlpatterns = [
    path("", portal.home, name="home"),
    path("faq/", portal.faq, name="faq"),
    path("faq/<slug:topic_slug>/", portal.faq_topic, name="faq_topic"),
    path("faq/<slug:topic_slug>/<slug:slug>/", portal.faq_entry, name="faq_entry"),
    path("feedback/<int:entry_id>/", portal.faq_feedback, name="faq_feedback"),
    path("search/", portal.search, name="search"),
    path("procedures/", portal.procedures, name="procedures"),
    path("procedures/<slug:slug>/", portal.procedure, name="procedure"),
    path("offices/", portal.offices, name="offices"),
    path("privacy/", portal.privacy, name="privacy"),
    path("request/", portal.request_new, name="request_new"),
    path("request/suggestions/", portal.request_suggestions, name="request_suggestions"),
    path("request/helped/<int:entry_id>/", portal.request_deflected, name="request_deflected"),
    path("request/sent/", portal.request_thanks_spam, name="request_thanks_spam"),
    path("request/sent/<str:token>/", portal.request_thanks, name="request_thanks"),
    path("status/", portal.status, name="status"),
    path("status/<str:token>/", portal.status_token, name="status_token"),
    path("status/<str:token>/message/", portal.status_message, name="status_message"),
]
