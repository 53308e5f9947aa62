"""Inbound messages in the admin: find what was quarantined, read why, retry it after a fix."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tickets.admin import TicketBoundAdminMixin

from .models import Call, InboundMessage
from .pipeline import retry_quarantined

PREVIEW_BYTES = 4000


@admin.register(InboundMessage)
class InboundMessageAdmin(TicketBoundAdminMixin, admin.ModelAdmin):
    list_display = ("id", "received_at", "channel", "state", "short_external_id", "ticket", "short_error", "attempts")
    list_filter = ("state", "channel", "received_at")
    search_fields = ("external_id", "source", "error", "ticket__reference")
    date_hierarchy = "received_at"
    ordering = ("-received_at", "-id")
    list_select_related = ("ticket",)
    list_per_page = 50
    actions = ["retry"]
    exclude = ("raw",)
    readonly_fields = (
        "channel",
        "external_id",
        "source",
        "content_type",
        "state",
        "error",
        "attempts",
        "ticket",
        "received_at",
        "processed_at",
        "metadata",
        "raw_size",
        "raw_preview",
    )

    def has_add_permission(self, request) -> bool:
        return False  # inputs arrive through the channels, never typed in

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # nothing received is ever deleted (retention anonymises instead)

    @admin.display(description=_("external id"))
    def short_external_id(self, obj: InboundMessage) -> str:
        return obj.external_id[:60]

    @admin.display(description=_("error"))
    def short_error(self, obj: InboundMessage) -> str:
        return obj.error[:100]

    @admin.display(description=_("size"))
    def raw_size(self, obj: InboundMessage) -> str:
        return f"{len(obj.raw or b''):,} bytes"

    @admin.display(description=_("raw input (beginning)"))
    def raw_preview(self, obj: InboundMessage) -> str:
        head = bytes(obj.raw or b"")[:PREVIEW_BYTES].decode("utf-8", errors="replace")
        return format_html('<pre style="white-space:pre-wrap;max-height:30em;overflow:auto">{}</pre>', head)

    @admin.action(description=_("Retry the selected quarantined inputs"))
    def retry(self, request, queryset) -> None:
        retried = 0
        for inbound_id in queryset.filter(state=InboundMessage.State.QUARANTINED).values_list("pk", flat=True):
            retry_quarantined(inbound_id)
            retried += 1
        skipped = queryset.count() - retried
        self.message_user(
            request,
            ngettext(
                "%(count)d input put back in the pipeline.", "%(count)d inputs put back in the pipeline.", retried
            )
            % {"count": retried},
            messages.SUCCESS if retried else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d input was not quarantined and was left as it is.",
                    "%(count)d inputs were not quarantined and were left as they are.",
                    skipped,
                )
                % {"count": skipped},
                messages.INFO,
            )


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    """The call log from the PBX (read-only: calls are facts reported by the CTI connector)."""

    list_display = ("started_at", "direction", "from_number", "to_number", "status", "cause", "answered_by", "citizen")
    list_filter = ("status", "direction", "queue")
    search_fields = ("call_id", "from_number", "to_number", "raw_from", "answered_by")
    date_hierarchy = "started_at"
    list_select_related = ("citizen",)
    raw_id_fields = ("citizen", "callback_ticket")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
