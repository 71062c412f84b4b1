"""Platform administration of filières (operator only; GHT users work in the portal's pages)."""

from django.contrib import admin

from filieres.models import Filiere, Pilot, WorkingGroupMember
from ght_portal.admin import HistoryActorAdmin


class PilotInline(admin.TabularInline):
    model = Pilot
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "pilot_role", "establishment"]


class WorkingGroupMemberInline(admin.TabularInline):
    model = WorkingGroupMember
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "establishment"]


@admin.register(Filiere)
class FiliereAdmin(HistoryActorAdmin):
    list_display = ["code", "name", "ght", "kind", "is_active"]
    list_filter = ["ght", "kind", "is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["ght"]
    filter_horizontal = ["establishments"]
    inlines = [PilotInline, WorkingGroupMemberInline]

    def get_readonly_fields(self, request, obj=None):
        # A filière never moves to another GHT: its pilots, objectives and actions would stay behind.
        return ["ght"] if obj else []
