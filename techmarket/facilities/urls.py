from django.urls import path

from . import recognition_views, views

app_name = "facilities"

urlpatterns = [
    path("", views.facility_list, name="list"),
    path("new/", views.facility_create, name="create"),
    path("bookings/", views.bookings_mine, name="bookings"),
    path("services/", views.service_list, name="services"),
    path("recognitions/", recognition_views.recognition_list, name="recognitions"),
    path("recognitions/<int:recognition_id>/", recognition_views.recognition_detail, name="recognition"),
    path(
        "recognitions/<int:recognition_id>/<slug:action>/",
        recognition_views.recognition_action,
        name="recognition_action",
    ),
    path(
        "<int:facility_id>/recognition/apply/", recognition_views.recognition_apply, name="recognition_apply"
    ),
    path(
        "<int:facility_id>/recognition/evaluate/",
        recognition_views.recognition_evaluate,
        name="recognition_evaluate",
    ),
    path("export.xlsx", views.facilities_export, name="export"),
    path("bookings/<int:booking_id>/", views.booking_detail, name="booking"),
    path("<int:facility_id>/services/new/", views.service_edit, name="service_new"),
    path("<int:facility_id>/services/<int:service_id>/edit/", views.service_edit, name="service_edit"),
    path("<int:facility_id>/", views.facility_detail, name="detail"),
    path("<int:facility_id>/edit/", views.facility_edit, name="edit"),
    path("<int:facility_id>/do/<slug:action>/", views.facility_action, name="action"),
    path("<int:facility_id>/book/", views.book, name="book"),
    path("<int:facility_id>/projects/new/", views.project_new, name="project_new"),
    path("bookings/<int:booking_id>/<slug:action>/", views.booking_action, name="booking_action"),
    path("projects/<int:project_id>/<slug:action>/", views.project_action, name="project_action"),
]
