from django.urls import path

from . import views

app_name = "finance"

urlpatterns = [
    path("", views.product_list, name="list"),
    path("new/", views.product_create, name="create"),
    path("<int:product_id>/", views.product_detail, name="detail"),
    path("<int:product_id>/edit/", views.product_edit, name="edit"),
    path("<int:product_id>/status/", views.product_status, name="product_status"),
    path("<int:product_id>/apply/", views.apply, name="apply"),
    path("applications/", views.application_list, name="applications"),
    path("applications/export.xlsx", views.application_export, name="applications_export"),
    path("applications/<int:application_id>/", views.application_detail, name="application"),
    path(
        "applications/<int:application_id>/points.xlsx", views.application_points_export, name="points_export"
    ),
    path("applications/<int:application_id>/decide/", views.application_decide, name="decide"),
    path("applications/<int:application_id>/grant/", views.application_grant, name="grant"),
    path("applications/<int:application_id>/withdraw/", views.application_withdraw, name="withdraw"),
    path("points/<int:org_id>/", views.points_page, name="points"),
    path("points/<int:org_id>/declare/", views.declare, name="declare"),
    path("points/ranking/", views.ranking, name="ranking"),
    path("declarations/", views.declaration_list, name="declarations"),
    path("declarations/<int:declaration_id>/", views.declaration_detail, name="declaration"),
    path(
        "declarations/<int:declaration_id>/<slug:action>/",
        views.declaration_action,
        name="declaration_action",
    ),
    path("figures/", views.figures, name="figures"),
]
