"""URLs of this app, mounted under /<ght_slug>/ (see ght_portal/urls.py)."""

from django.urls import path

from filieres import views

urlpatterns: list = [
    path("filieres/", views.FiliereListView.as_view(), name="filiere_list"),
    path("filieres/nouvelle/", views.FiliereCreateView.as_view(), name="filiere_create"),
    path("filieres/<int:filiere_id>/", views.FiliereDetailView.as_view(), name="filiere_detail"),
    path("filieres/<int:filiere_id>/modifier/", views.FiliereUpdateView.as_view(), name="filiere_update"),
    path("filieres/<int:filiere_id>/analyse/", views.FiliereTextUpdateView.as_view(), name="filiere_text_update"),
    path("filieres/<int:filiere_id>/pilotes/", views.FilierePeopleView.as_view(), name="filiere_people"),
    path(
        "filieres/<int:filiere_id>/pilotes/ajouter/",
        views.PeopleAddView.as_view(kind="pilot"),
        name="pilot_add",
    ),
    path(
        "filieres/<int:filiere_id>/pilotes/<int:pilot_id>/retirer/",
        views.PeopleRemoveView.as_view(kind="pilot"),
        name="pilot_remove",
    ),
    path(
        "filieres/<int:filiere_id>/groupe/ajouter/",
        views.PeopleAddView.as_view(kind="group"),
        name="working_group_add",
    ),
    path(
        "filieres/<int:filiere_id>/groupe/<int:working_group_member_id>/retirer/",
        views.PeopleRemoveView.as_view(kind="group"),
        name="working_group_remove",
    ),
]
