from django.urls import path

from . import views

app_name = "achievements"
urlpatterns = [
    path("", views.achievement_list, name="list"),
    path("mine/", views.my_achievements, name="mine"),
    path("review/", views.review_queue, name="review"),
    path("new/", views.achievement_create, name="create"),
    path("<int:achievement_id>/", views.achievement_detail, name="detail"),
    path("<int:achievement_id>/edit/", views.achievement_edit, name="edit"),
    path("<int:achievement_id>/actions/<slug:action>/", views.achievement_action, name="action"),
    path("<int:achievement_id>/access/", views.achievement_request_access, name="request_access"),
    path("<int:achievement_id>/access/<int:grant_id>/", views.achievement_decide_access, name="decide_access"),
]
