from django.contrib import admin

from .models import Operator


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    list_display = ("display_name", "role", "office", "presence", "extension")
    list_filter = ("role", "office", "presence")
    search_fields = ("user__username", "user__first_name", "user__last_name", "extension")
    filter_horizontal = ("queues", "topics")
    raw_id_fields = ("user",)
