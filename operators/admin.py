from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import CannedReply, Operator
from .roles import apply_role


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    list_display = ("display_name", "role", "office", "presence", "ui_language", "extension")
    list_filter = ("role", "office", "presence")
    search_fields = ("user__username", "user__first_name", "user__last_name", "extension")
    filter_horizontal = ("queues", "topics")
    raw_id_fields = ("user",)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        apply_role(form.instance)  # staff flag and group follow the role chosen here


@admin.register(CannedReply)
class CannedReplyAdmin(TranslationAdmin):
    list_display = ("title", "topic", "position", "is_active")
    list_filter = ("is_active", "topic")
    search_fields = ("title", "text")
