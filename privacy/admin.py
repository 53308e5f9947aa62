"""Supervisors query the access log here (filters + CSV export); the log is never edited."""

import csv

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.access import is_supervisor

from .models import AccessLog, ConsentRecord, DataSubjectRequest
from .services import record_access


class AccessLoggedAdminMixin:
    """Log every admin change view of a ticket, citizen, message or attachment (via=admin)."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", 0) == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                self._log_access(request, obj)
        return response

    def _log_access(self, request, obj) -> None:
        from tickets.models import Citizen, Ticket

        if isinstance(obj, Citizen):
            record_access(request.user, citizen=obj, via=AccessLog.Via.ADMIN)
        elif isinstance(obj, Ticket):
            record_access(request.user, ticket=obj, via=AccessLog.Via.ADMIN)
        elif getattr(obj, "ticket", None) is not None:
            record_access(request.user, ticket=obj.ticket, via=AccessLog.Via.ADMIN)


class ReadOnlyAdmin(admin.ModelAdmin):
    # Supervisors query these records; nobody edits them.
    def has_view_permission(self, request, obj=None):
        return (request.user.is_staff and is_supervisor(request.user)) or super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return (request.user.is_staff and is_supervisor(request.user)) or super().has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "username", "action", "via", "ticket", "citizen", "reason")
    list_filter = ("via", "action", ("created_at", admin.DateFieldListFilter))
    search_fields = ("username", "ticket__reference", "=citizen__id", "reason")
    raw_id_fields = ("user", "ticket", "citizen")
    list_select_related = ("ticket", "citizen")
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["export_csv"]

    @admin.action(description=_("Export the selected entries as CSV"))
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="access-log-{timezone.now():%Y%m%d-%H%M}.csv"'
        writer = csv.writer(response)
        writer.writerow(["when", "user", "action", "via", "ticket", "citizen_id", "reason"])
        for entry in queryset.select_related("ticket").order_by("created_at", "pk").iterator():
            writer.writerow(
                [
                    entry.created_at.isoformat(),
                    entry.username,
                    entry.action,
                    entry.via,
                    entry.ticket.reference if entry.ticket else "",
                    entry.citizen_id or "",
                    entry.reason,
                ]
            )
        return response


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ("recorded_at", "citizen", "legal_basis", "consent_given", "channel", "notice_version")
    list_filter = ("legal_basis", "consent_given", "channel")
    raw_id_fields = ("citizen", "recorded_by")


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "citizen", "requested_by", "reason")
    list_filter = ("kind",)
    raw_id_fields = ("citizen", "requested_by")


def _confirm(request, queryset, *, action: str, title, explanation, submit):
    """Ask for the reason first: exports and erasures of personal data are never one click."""
    from django.template.response import TemplateResponse

    return TemplateResponse(
        request,
        "admin/privacy/confirm_subject_request.html",
        {
            "title": title,
            "explanation": explanation,
            "submit": submit,
            "action": action,
            "citizens": list(queryset[:50]),
        },
    )


@admin.action(description=_("Export all data held on the selected citizen (ZIP)"))
def export_citizen_action(modeladmin, request, queryset):
    from .services import export_citizen_data

    if not is_supervisor(request.user):
        modeladmin.message_user(request, _("Only supervisors may export personal data."), level="error")
        return None
    citizens = list(queryset[:2])
    if len(citizens) != 1:
        modeladmin.message_user(request, _("Select exactly one citizen to export."), level="warning")
        return None
    reason = request.POST.get("reason", "").strip()
    if request.POST.get("confirmed") != "yes" or not reason:
        return _confirm(
            request,
            queryset,
            action="export_citizen_action",
            title=_("Export personal data"),
            explanation=_("A ZIP with everything held on this citizen will be downloaded."),
            submit=_("Export"),
        )
    citizen = citizens[0]
    payload = export_citizen_data(citizen, actor=request.user, via=AccessLog.Via.ADMIN, reason=reason)
    response = HttpResponse(payload, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="citizen-{citizen.pk}.zip"'
    return response


@admin.action(description=_("Erase (anonymize) the selected citizens on their request"))
def erase_citizens_action(modeladmin, request, queryset):
    from .services import erase_citizen

    if not is_supervisor(request.user):
        modeladmin.message_user(request, _("Only supervisors may erase personal data."), level="error")
        return None
    reason = request.POST.get("reason", "").strip()
    if request.POST.get("confirmed") != "yes" or not reason:
        return _confirm(
            request,
            queryset,
            action="erase_citizens_action",
            title=_("Erase personal data"),
            explanation=_(
                "Names, contacts, texts and attachments of these citizens will be removed for good; "
                "the statistics keep their requests."
            ),
            submit=_("Erase"),
        )
    count = 0
    for citizen in queryset.filter(anonymized_at__isnull=True):
        erase_citizen(citizen, actor=request.user, via=AccessLog.Via.ADMIN, reason=reason)
        count += 1
    modeladmin.message_user(request, _("%(count)d citizen(s) anonymized.") % {"count": count})
    return None
