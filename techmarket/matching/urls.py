from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("suggestions/<slug:kind>/<int:pk>/", views.suggestions_panel, name="suggestions"),
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/feedback/", views.workbench_feedback, name="feedback"),
    path("health/", views.health, name="health"),
    path("health/rebuild/", views.health_rebuild, name="rebuild"),
]
