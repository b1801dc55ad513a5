from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("leaders/<slug:subject>/", views.leaders_panel, name="leaders_panel"),
    path("chains/", views.chain_map, name="chain_map"),
    path("export.xlsx", views.export, name="export"),
    path("targets/", views.targets, name="targets"),
    path("evaluations/", views.evaluation, name="evaluation"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:report_id>/<str:fmt>/", views.report_file, name="report_file"),
]
