"""URLs of governance (instances, meetings, decisions), mounted under /<ght_slug>/.

URL names start with instance_, meeting_, agenda_, decision_ or governance_ (the menu highlights them)."""

from django.urls import path

from governance import views

urlpatterns = [
    path("instances/", views.InstanceListView.as_view(), name="instance_list"),
    path("instances/nouvelle/", views.InstanceFormView.as_view(), name="instance_create"),
    path("instances/<int:instance_id>/", views.InstanceDetailView.as_view(), name="instance_detail"),
    path("instances/<int:instance_id>/modifier/", views.InstanceFormView.as_view(), name="instance_update"),
    path("instances/<int:instance_id>/sieges/ajouter/", views.SeatAddView.as_view(), name="instance_seat_add"),
    path("instances/sieges/<int:instance_member_id>/", views.SeatEditView.as_view(), name="instance_seat_edit"),
    path("instances/<int:instance_id>/seances/nouvelle/", views.MeetingFormView.as_view(), name="meeting_create"),
    path("seances/<int:meeting_id>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("seances/<int:meeting_id>/modifier/", views.MeetingFormView.as_view(), name="meeting_update"),
    path("seances/<int:meeting_id>/ordre-du-jour/", views.AgendaItemAddView.as_view(), name="meeting_agenda_add"),
    path("seances/<int:meeting_id>/presences/", views.AttendanceView.as_view(), name="meeting_attendance"),
    path("ordre-du-jour/<int:agenda_item_id>/", views.AgendaItemEditView.as_view(), name="agenda_item_edit"),
    path("decisions/", views.DecisionListView.as_view(), name="decision_list"),
    path("decisions/nouvelle/", views.DecisionCreateView.as_view(), name="decision_create"),
    path("actions/<int:action_id>/proposer/", views.ProposeActionView.as_view(), name="governance_propose"),
]
