"""Editing the FAQ in the admin (supervisors): draft → published, translation status per language."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from tickets.admin import ServiceOnlyAdminMixin, TicketBoundAdminMixin

from .forms import FaqEntryAdminForm
from .models import Appointment, FaqDeflection, FaqEntry, FaqFeedback, FaqTopic, Procedure, PublicationStatus
from .services import bump_search_generation

TRANSLATION_FIELDS = (("translation_en", "translation_fr", "translation_es"),)


class SearchCacheMixin:
    """Every FAQ edit in the admin makes the portal's cached search results obsolete."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        bump_search_generation()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        bump_search_generation()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        bump_search_generation()


@admin.register(FaqTopic)
class FaqTopicAdmin(SearchCacheMixin, TabbedTranslationAdmin):
    list_display = ("name", "slug", "position", "ticket_topic", "translation_en", "translation_fr", "translation_es")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name_it",)}


@admin.action(description=_("Publish the selected entries"))
def publish(modeladmin, request, queryset):
    queryset.update(status=PublicationStatus.PUBLISHED)
    bump_search_generation()


@admin.action(description=_("Move the selected entries back to draft"))
def unpublish(modeladmin, request, queryset):
    queryset.update(status=PublicationStatus.DRAFT)
    bump_search_generation()


@admin.register(FaqEntry)
class FaqEntryAdmin(SearchCacheMixin, TabbedTranslationAdmin):
    form = FaqEntryAdminForm
    list_display = (
        "question",
        "topic",
        "status",
        "translation_en",
        "translation_fr",
        "translation_es",
        "useful_count",
        "not_useful_count",
        "updated_at",
    )
    list_filter = ("status", "topic", "translation_en", "translation_fr", "translation_es")
    search_fields = ("question_it", "question_en", "question_fr", "question_es", "slug")
    prepopulated_fields = {"slug": ("question_it",)}
    filter_horizontal = ("related",)
    actions = [publish, unpublish]
    fieldsets = (
        (None, {"fields": ("topic", "slug", "question", "answer", "status", "position", "related")}),
        (_("Translation status"), {"fields": TRANSLATION_FIELDS}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("topic")
            .annotate(
                useful=Count("feedback", filter=Q(feedback__useful=True)),
                not_useful=Count("feedback", filter=Q(feedback__useful=False)),
            )
        )

    @admin.display(description=_("useful"), ordering="useful")
    def useful_count(self, entry):
        return entry.useful

    @admin.display(description=_("not useful"), ordering="not_useful")
    def not_useful_count(self, entry):
        return entry.not_useful


@admin.register(Procedure)
class ProcedureAdmin(TabbedTranslationAdmin):
    list_display = ("title", "slug", "office", "is_published", "translation_en", "translation_fr", "translation_es")
    list_filter = ("is_published", "office")
    prepopulated_fields = {"slug": ("title_it",)}


@admin.register(FaqFeedback)
class FaqFeedbackAdmin(admin.ModelAdmin):
    list_display = ("entry", "useful", "comment", "language", "created_at", "handled")
    list_filter = ("handled", "useful", "language")
    list_editable = ("handled",)
    list_select_related = ("entry",)
    readonly_fields = ("entry", "useful", "comment", "language", "created_at")


@admin.register(FaqDeflection)
class FaqDeflectionAdmin(admin.ModelAdmin):
    list_display = ("entry", "language", "query", "created_at")
    list_filter = ("language",)
    list_select_related = ("entry",)


@admin.register(Appointment)
class AppointmentAdmin(TicketBoundAdminMixin, ServiceOnlyAdminMixin, admin.ModelAdmin):
    # Proposed and confirmed on the desk's appointments page, which tells the citizen and the timeline.
    list_display = ("ticket", "procedure", "office", "status", "slot_start", "requested_at")
    list_filter = ("status", "office")
    list_select_related = ("ticket", "procedure", "office")
    raw_id_fields = ("ticket",)
