from django.contrib import admin

from .models import Campaign, PartnerBody, ProblemLink, RecurringProblem


@admin.register(PartnerBody)
class PartnerBodyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    search_fields = ("name",)


class ProblemLinkInline(admin.TabularInline):
    model = ProblemLink
    raw_id_fields = ("ticket", "linked_by")
    extra = 0


@admin.register(RecurringProblem)
class RecurringProblemAdmin(admin.ModelAdmin):
    list_display = ("title", "partner", "status", "created_at")
    list_filter = ("status", "partner")
    inlines = [ProblemLinkInline]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "office", "starts_on", "ends_on", "is_closed")
