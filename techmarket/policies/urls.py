from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("", views.policy_list, name="list"),
    path("new/", views.policy_create, name="create"),
    path("export/", views.export, name="export"),
    path("qualify/", views.qualify, name="qualify"),
    path("applications/", views.applications, name="applications"),
    path("applications/export.xlsx", views.applications_export, name="applications_export"),
    path("applications/<int:application_id>/", views.application_detail, name="application"),
    path(
        "applications/<int:application_id>/<slug:action>/",
        views.application_action,
        name="application_action",
    ),
    path("<int:policy_id>/", views.policy_detail, name="detail"),
    path("<int:policy_id>/edit/", views.policy_edit, name="edit"),
    path("<int:policy_id>/apply/", views.apply, name="apply"),
    path("<int:policy_id>/do/<slug:action>/", views.policy_action, name="action"),
]
