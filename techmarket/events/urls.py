from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("calendar/", views.event_calendar, name="calendar"),
    path("feed.ics", views.event_feed, name="feed"),
    path("figures/", views.figures, name="figures"),
    path("mine/", views.mine, name="mine"),
    path("organised/", views.organised, name="organised"),
    path("new/", views.event_create, name="create"),
    path("<int:event_id>/", views.event_detail, name="detail"),
    path("<int:event_id>/edit/", views.event_edit, name="edit"),
    path("<int:event_id>/do/<slug:action>/", views.event_action, name="action"),
    path("<int:event_id>/register/", views.register, name="register"),
    path("<int:event_id>/manage/", views.manage, name="manage"),
    path("<int:event_id>/export.xlsx", views.export, name="export"),
    path("<int:event_id>/participants/", views.participants, name="participants"),
    path("<int:event_id>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("<int:event_id>/timetable/", views.timetable, name="timetable"),
    path("<int:event_id>/timetable.ics", views.timetable_ics, name="timetable_ics"),
    path(
        "registrations/<int:registration_id>/<slug:action>/",
        views.registration_action,
        name="registration_action",
    ),
    path("meetings/<int:meeting_id>/<slug:action>/", views.meeting_action, name="meeting_action"),
    path("projects/<int:registration_id>/interest/", views.project_interest, name="project_interest"),
]
