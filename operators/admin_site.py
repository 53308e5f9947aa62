"""The admin site: for supervisors and administrators only; operators work in the desk."""

from __future__ import annotations

from django.contrib import admin

from tickets.access import is_supervisor


class SportelloAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        # Staff alone is not enough: a desk role that is staff by mistake (an old account, a
        # hand-edited flag) still stays out, and its records are judged by tickets.access anyway.
        return super().has_permission(request) and is_supervisor(request.user)
