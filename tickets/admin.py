from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from privacy.admin import AccessLoggedAdminMixin, erase_citizens_action, export_citizen_action

from . import access
from .calendar import clear_calendar_cache
from .models import Attachment, Citizen, Message, Office, OfficeClosure, OfficeHours, Queue, Ticket, TicketEvent, Topic


class TicketBoundAdminMixin:
    """Show only the rows the desk would show this user: one rule, ``tickets.access``.

    ``ticket_path`` leads from the row to its ticket ("" for a ticket itself).
    """

    ticket_path = "ticket"

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if self.ticket_path:
            return rows.filter(access.visible_through(request.user, self.ticket_path))
        return rows.filter(access.visible_tickets_filter(request.user))


class ServiceOnlyAdminMixin:
    """Rows that change only through the services (status machine, timeline, audit): read here, never written."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OfficeHoursInline(admin.TabularInline):
    model = OfficeHours
    extra = 0


class OfficeClosureInline(admin.TabularInline):
    model = OfficeClosure
    extra = 0


@admin.register(Office)
class OfficeAdmin(TranslationAdmin):
    list_display = ("name", "code", "city", "holiday_country", "holiday_subdivision", "retention_months", "is_active")
    list_filter = ("is_active", "holiday_country")
    search_fields = ("name", "code", "city", "email")
    inlines = [OfficeHoursInline, OfficeClosureInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        clear_calendar_cache()  # due dates must follow the new hours at once


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "office",
        "tier",
        "first_response_hours",
        "resolution_hours",
        "alarm_minutes",
        "is_default",
        "is_active",
    )
    list_filter = ("tier", "office", "is_active")
    search_fields = ("name",)


@admin.register(Topic)
class TopicAdmin(TranslationAdmin):
    list_display = ("__str__", "slug", "position", "is_active")
    list_filter = ("is_active", "parent")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Citizen)
class CitizenAdmin(AccessLoggedAdminMixin, ServiceOnlyAdminMixin, admin.ModelAdmin):
    actions = [export_citizen_action, erase_citizens_action]
    list_display = (
        "display_name",
        "email",
        "phone",
        "whatsapp_id",
        "nationality",
        "kind",
        "preferred_language",
        "created_at",
    )
    list_filter = ("kind", "preferred_language", "consent_given", "legal_basis")
    search_fields = ("first_name", "last_name", "email", "phone", "whatsapp_id")
    readonly_fields = ("created_at", "updated_at", "anonymized_at")
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(access.visible_citizens_filter(request.user))


class MessageInline(ServiceOnlyAdminMixin, admin.StackedInline):
    model = Message
    extra = 0
    fields = ("direction", "channel", "author", "sender", "text", "delivery_status", "delivery_error", "created_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True


class EventInline(ServiceOnlyAdminMixin, admin.TabularInline):
    model = TicketEvent
    extra = 0
    fields = ("created_at", "kind", "actor", "from_status", "to_status", "public", "data")
    readonly_fields = fields
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(AccessLoggedAdminMixin, TicketBoundAdminMixin, ServiceOnlyAdminMixin, admin.ModelAdmin):
    ticket_path = ""
    list_display = (
        "reference",
        "subject",
        "citizen",
        "channel",
        "status",
        "tier",
        "queue",
        "assignee",
        "due_at",
        "created_at",
    )
    list_filter = ("status", "tier", "channel", "language", "priority", "office", "topic")
    search_fields = ("=reference", "subject", "citizen__last_name", "citizen__email", "case_file_ref")
    raw_id_fields = ("citizen", "assignee", "merged_into")
    readonly_fields = ("reference", "access_token", "version", "created_at", "updated_at")
    list_select_related = ("citizen", "queue", "assignee")
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [MessageInline, EventInline]


@admin.register(Message)
class MessageAdmin(AccessLoggedAdminMixin, TicketBoundAdminMixin, ServiceOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("ticket", "direction", "channel", "sender", "delivery_status", "created_at")
    list_filter = ("direction", "channel", "delivery_status")
    search_fields = ("ticket__reference", "sender", "external_id")
    raw_id_fields = ("ticket", "author")
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(AccessLoggedAdminMixin, TicketBoundAdminMixin, ServiceOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("filename", "ticket", "content_type", "size", "created_at")
    list_filter = ("content_type",)
    search_fields = ("filename", "ticket__reference", "sha256")
    raw_id_fields = ("ticket", "message")
    show_full_result_count = False


@admin.register(TicketEvent)
class TicketEventAdmin(TicketBoundAdminMixin, ServiceOnlyAdminMixin, admin.ModelAdmin):
    # The timeline is append-only: the admin shows it, never edits it.
    list_display = ("ticket", "kind", "actor", "from_status", "to_status", "public", "created_at")
    list_filter = ("kind", "public")
    search_fields = ("ticket__reference",)
    raw_id_fields = ("ticket", "actor")
    show_full_result_count = False


admin.site.site_header = _("Sportello — administration")
admin.site.site_title = _("Sportello")
