from django.urls import path

from . import views

app_name = "engagements"

urlpatterns = [
    path("", views.engagement_board, name="board"),
    path("board/", views.engagement_board, name="list"),
    path("new/", views.engagement_create, name="create"),
    path("caseload/", views.caseload, name="caseload"),
    path("caseload/<int:need_id>/claim/", views.need_claim, name="claim"),
    path("caseload/<int:need_id>/assign/", views.need_assign, name="assign"),
    path("answers/", views.answer_list, name="answers"),
    path("answers/<int:answer_id>/", views.answer_decide, name="answer"),
    path("performance/", views.performance, name="performance"),
    path("<int:pk>/", views.engagement_detail, name="detail"),
    path("<int:pk>/edit/", views.engagement_update, name="update"),
    path("<int:pk>/move/<str:action>/", views.engagement_move, name="move"),
    path("<int:pk>/checklist/<int:check_id>/", views.engagement_tick, name="tick"),
    path("<int:pk>/activities/", views.activity_create, name="activity"),
    path("<int:pk>/assistants/", views.assistants_set, name="assistants"),
    path("<int:pk>/providers/", views.provider_add, name="provider_add"),
]
