from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.board, name="board"),
    path("board/live/", views.board_live, name="board_live"),
    path("reports/", views.reports_index, name="reports"),
    path("reports/<slug:key>/", views.report, name="report"),
    path("reports/<slug:key>/export.csv", views.report_export, {"fmt": "csv"}, name="report_csv"),
    path("reports/<slug:key>/export.xlsx", views.report_export, {"fmt": "xlsx"}, name="report_xlsx"),
    path("problems/", views.problems, name="problems"),
    path("problems/<int:problem_id>/status/", views.problem_status, name="problem_status"),
    path("partners/<int:partner_id>/report/", views.partner_report, name="partner_report"),
    path("partners/<int:partner_id>/report.csv", views.partner_report, {"fmt": "csv"}, name="partner_report_csv"),
    path("tickets/<int:ticket_id>/problems/", views.ticket_problems, name="ticket_problems"),
    path("tickets/<int:ticket_id>/problems/link/", views.ticket_problem_link, name="ticket_problem_link"),
    path("tickets/<int:ticket_id>/problems/create/", views.ticket_problem_create, name="ticket_problem_create"),
    path(
        "tickets/<int:ticket_id>/problems/<int:problem_id>/unlink/",
        views.ticket_problem_unlink,
        name="ticket_problem_unlink",
    ),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<int:campaign_id>/", views.campaign, name="campaign"),
    path("campaigns/<int:campaign_id>/close/", views.campaign_close, name="campaign_close"),
]
