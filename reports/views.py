"""Supervisor dashboards: thin views over reports.selectors and reports.services."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from contactcenter.ids import parse_id
from operators.decorators import operator_required
from tickets.access import access_ticket
from tickets.models import Office

from . import selectors, services
from .exports import report_csv, report_xlsx, rows_csv
from .forms import CampaignForm, FaqImportForm, ProblemForm, ReportFilterForm
from .models import Campaign, PartnerBody, RecurringProblem

REPORT_MENU = [
    ("topics", gettext_lazy("Requests by topic")),
    ("profile", gettext_lazy("Users by profile")),
    ("continents", gettext_lazy("Foreign nationals by continent")),
    ("countries", gettext_lazy("Foreign nationals by country")),
    ("kinds", gettext_lazy("Users by kind")),
    ("volume", gettext_lazy("Volume per day and channel")),
    ("heatmap", gettext_lazy("Requests by weekday and hour")),
    ("resolution", gettext_lazy("First-contact resolution")),
    ("times", gettext_lazy("Handling and resolution times")),
    ("voicemail", gettext_lazy("Voicemails by next working day")),
    ("sla", gettext_lazy("SLA compliance per queue")),
    ("productivity", gettext_lazy("Operator productivity")),
]


# The desk's gate: login, role, and the operator's UI language (operators.decorators).
supervisor_required = operator_required(supervisor=True)
staff_required = operator_required


def _office_id(request: HttpRequest) -> int | None:
    return parse_id(request.GET.get("office"))


# ----------------------------------------------------------------------------- board


@require_GET
@supervisor_required
def board(request: HttpRequest) -> HttpResponse:
    office_id = _office_id(request)
    context = {
        "board": selectors.get_board(office_id=office_id),
        "offices": Office.objects.order_by("name"),
        "office_id": office_id,
    }
    return render(request, "dashboard/board.html", context)


@require_GET
@supervisor_required
def board_live(request: HttpRequest) -> HttpResponse:
    office_id = _office_id(request)
    return render(
        request, "dashboard/_board.html", {"board": selectors.get_board(office_id=office_id), "office_id": office_id}
    )


# ----------------------------------------------------------------------------- reports


@require_GET
@supervisor_required
def report(request: HttpRequest, key: str) -> HttpResponse:
    if key not in selectors.REPORTS:
        raise Http404
    form = ReportFilterForm.from_request(request.GET)
    result = selectors.REPORTS[key](form.to_filter()) if form.is_valid() else None
    return render(
        request,
        "dashboard/report.html",
        {"form": form, "report": result, "key": key, "menu": REPORT_MENU, "query": request.GET.urlencode()},
    )


@require_GET
@supervisor_required
def report_export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    if key not in selectors.REPORTS:
        raise Http404
    form = ReportFilterForm.from_request(request.GET)
    if not form.is_valid():
        return HttpResponse(" ".join(str(e) for e in form.errors.values()), status=400, content_type="text/plain")
    f = form.to_filter()
    result = selectors.REPORTS[key](f)
    filename = f"{key}-{f.date_from.isoformat()}-{f.date_to.isoformat()}"
    return report_csv(result, filename) if fmt == "csv" else report_xlsx(result, filename)


@require_GET
@supervisor_required
def reports_index(request: HttpRequest) -> HttpResponse:
    return redirect("dashboard:report", key="topics")


# ----------------------------------------------------------------------------- recurring problems


@supervisor_required
def problems(request: HttpRequest) -> HttpResponse:
    form = ProblemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.create_problem(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Recurring problem created."))
        return redirect("dashboard:problems")
    return render(
        request,
        "dashboard/problems.html",
        {"rows": selectors.list_problems(), "form": form, "partners": PartnerBody.objects.order_by("name")},
    )


@require_POST
@supervisor_required
def problem_status(request: HttpRequest, problem_id: int) -> HttpResponse:
    status = request.POST.get("status", "")
    if status not in RecurringProblem.Status.values:
        return HttpResponse(status=400)
    services.set_problem_status(actor=request.user, problem_id=problem_id, status=status)
    return redirect("dashboard:problems")


@require_GET
@supervisor_required
def partner_report(request: HttpRequest, partner_id: int, fmt: str = "html") -> HttpResponse:
    get_object_or_404(PartnerBody, pk=partner_id)
    data = selectors.get_partner_report(partner_id)
    if fmt == "csv":
        rows = []
        for section in data["sections"]:
            problem = section["problem"]
            if not section["examples"]:
                rows.append([problem.title, problem.get_status_display(), section["count"], "", "", "", ""])
            for example in section["examples"]:
                rows.append(
                    [
                        problem.title,
                        problem.get_status_display(),
                        section["count"],
                        example["day"].isoformat(),
                        example["channel"],
                        example["topic"],
                        example["text"],
                    ]
                )
        columns = [
            _("Problem"),
            _("Status"),
            _("Requests"),
            _("Example day"),
            _("Channel"),
            _("Topic"),
            _("Example (anonymized)"),
        ]
        return rows_csv(columns, rows, f"partner-{partner_id}")
    return render(request, "reports/partner_report.html", data)


# ----------------------------------------------------------------------------- ticket partial


def _ticket_problems(request: HttpRequest, ticket_id: int, status: int = 200) -> HttpResponse:
    ticket = access_ticket(request.user, ticket_id)
    return render(
        request,
        "reports/_ticket_problems.html",
        {"ticket": ticket},
        status=status,
    )


@require_GET
@staff_required
def ticket_problems(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _ticket_problems(request, ticket_id)


@require_POST
@staff_required
def ticket_problem_link(request: HttpRequest, ticket_id: int) -> HttpResponse:
    problem_id = parse_id(request.POST.get("problem"))
    if problem_id is not None:
        services.link_ticket_to_problem(actor=request.user, ticket_id=ticket_id, problem_id=problem_id)
    return _ticket_problems(request, ticket_id)


@require_POST
@staff_required
def ticket_problem_unlink(request: HttpRequest, ticket_id: int, problem_id: int) -> HttpResponse:
    services.unlink_ticket_from_problem(actor=request.user, ticket_id=ticket_id, problem_id=problem_id)
    return _ticket_problems(request, ticket_id)


@require_POST
@staff_required
def ticket_problem_create(request: HttpRequest, ticket_id: int) -> HttpResponse:
    form = ProblemForm(request.POST, prefix=ProblemForm.PREFIX)
    if not form.is_valid():
        ticket = access_ticket(request.user, ticket_id)
        return render(request, "reports/_ticket_problems.html", {"ticket": ticket, "problem_form": form}, status=422)
    services.create_problem_and_link(actor=request.user, ticket_id=ticket_id, **form.cleaned_data)
    return _ticket_problems(request, ticket_id)


# ----------------------------------------------------------------------------- campaigns


@supervisor_required
def campaigns(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        setup = services.CampaignSetup(
            name=data["name"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            opens=data["opens"],
            closes=data["closes"],
            weekdays=tuple(data["weekdays"]),
            topics=tuple(data["topics"].splitlines()),
            toll_free_number=data["toll_free_number"],
            phone_number=data["phone_number"],
            whatsapp_number=data["whatsapp_number"],
            email=data["email"],
            front_alarm_minutes=data["alarm_minutes"],
        )
        upload = data.get("faq_file")
        payload = upload.read() if upload else b""
        if upload:
            services.read_faq_rows(upload.name, payload)  # refuse a bad file before creating anything
        with transaction.atomic():  # the service and its FAQ, or nothing
            campaign = services.create_campaign(actor=request.user, setup=setup)
            if upload:
                count = services.import_campaign_faq(
                    actor=request.user, campaign_id=campaign.pk, filename=upload.name, payload=payload
                )
        if upload:
            messages.success(request, _("%(n)d FAQ entries imported.") % {"n": count})
        messages.success(request, _("Campaign “%(name)s” is open.") % {"name": campaign.name})
        return redirect("dashboard:campaign", campaign_id=campaign.pk)
    listing = Campaign.objects.select_related("office").order_by("is_closed", "-starts_on")
    return render(request, "dashboard/campaigns.html", {"form": form, "campaigns": listing})


@supervisor_required
def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    item = get_object_or_404(Campaign.objects.select_related("office"), pk=campaign_id)
    form = FaqImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["faq_file"]
        count = services.import_campaign_faq(
            actor=request.user, campaign_id=item.pk, filename=upload.name, payload=upload.read()
        )
        messages.success(request, _("%(n)d FAQ entries imported.") % {"n": count})
        return redirect("dashboard:campaign", campaign_id=item.pk)
    context = {
        "campaign": item,
        "form": form,
        "queues": item.office.queues.order_by("tier"),
        "hours": item.office.hours.all(),
        "topics": item.topics.all(),
    }
    return render(request, "dashboard/campaign.html", context)


@require_POST
@supervisor_required
def campaign_close(request: HttpRequest, campaign_id: int) -> HttpResponse:
    item = services.close_campaign(actor=request.user, campaign_id=campaign_id)
    messages.success(request, _("Campaign “%(name)s” is closed; its statistics remain.") % {"name": item.name})
    return redirect("dashboard:campaign", campaign_id=campaign_id)
