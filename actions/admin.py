"""Platform administration of plans and actions (operator only; GHT users work in the portal's pages)."""

from django.contrib import admin

from actions.models import Action, ActionUpdate, Axis, Indicator, Measurement, Milestone, Objective, Plan
from ght_portal.admin import HistoryActorAdmin


class ReadOnlyGHTMixin:
    """``ght`` is copied from the parent row on save: never typed, never changed."""

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "ght"]


class AxisInline(admin.TabularInline):
    model = Axis
    extra = 0
    fields = ["position", "title"]


@admin.register(Plan)
class PlanAdmin(HistoryActorAdmin):
    list_display = ["title", "ght", "start_year", "end_year", "status"]
    list_filter = ["ght", "status"]
    search_fields = ["title"]
    list_select_related = ["ght"]
    inlines = [AxisInline]

    def get_readonly_fields(self, request, obj=None):
        return ["ght"] if obj else []


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0
    fields = ["position", "code", "title", "filiere"]
    raw_id_fields = ["filiere"]


@admin.register(Axis)
class AxisAdmin(ReadOnlyGHTMixin, HistoryActorAdmin):
    list_display = ["position", "title", "plan", "ght"]
    list_filter = ["ght"]
    search_fields = ["title"]
    list_select_related = ["plan", "ght"]
    inlines = [ObjectiveInline]


@admin.register(Objective)
class ObjectiveAdmin(ReadOnlyGHTMixin, HistoryActorAdmin):
    list_display = ["code", "title", "axis", "filiere", "ght"]
    list_filter = ["ght"]
    search_fields = ["title", "code"]
    list_select_related = ["axis", "filiere", "ght"]
    raw_id_fields = ["axis", "filiere"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["title", "due_date", "done_on"]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["name", "unit", "baseline", "target", "target_date"]


@admin.register(Action)
class ActionAdmin(ReadOnlyGHTMixin, HistoryActorAdmin):
    list_display = ["code", "title", "plan", "status", "health", "progress", "due_date", "ght"]
    list_filter = ["ght", "status", "health", "priority"]
    search_fields = ["code", "title"]
    list_select_related = ["plan", "ght"]
    raw_id_fields = ["plan", "objective", "lead_establishment", "owner", "filieres", "establishments", "contributors"]
    inlines = [MilestoneInline, IndicatorInline]


class MeasurementInline(admin.TabularInline):
    model = Measurement
    extra = 0
    fields = ["measured_on", "value", "comment"]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyGHTMixin, HistoryActorAdmin):
    list_display = ["name", "action", "unit", "target", "ght"]
    list_filter = ["ght"]
    search_fields = ["name"]
    list_select_related = ["action", "ght"]
    raw_id_fields = ["action"]
    inlines = [MeasurementInline]


@admin.register(ActionUpdate)
class ActionUpdateAdmin(ReadOnlyGHTMixin, admin.ModelAdmin):
    list_display = ["action", "kind", "author", "created_at", "status", "progress", "health", "ght"]
    list_filter = ["ght", "kind"]
    list_select_related = ["action", "author", "ght"]
    raw_id_fields = ["action", "author"]
