from django.urls import path

from . import views

app_name = "challenges"
urlpatterns = [
    path("", views.challenge_list, name="list"),
    path("new/", views.challenge_create, name="create"),
    path("export/", views.challenge_export, name="export"),
    path("reviews/", views.my_reviews, name="reviews"),
    path("applications/", views.my_applications, name="applications"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch"),
    path("<int:challenge_id>/", views.challenge_detail, name="detail"),
    path("<int:challenge_id>/edit/", views.challenge_edit, name="edit"),
    path("<int:challenge_id>/actions/<slug:action>/", views.challenge_action, name="action"),
    path("<int:challenge_id>/engagement/", views.challenge_engagement, name="engagement"),
    path("<int:challenge_id>/team/", views.team_manage, name="team"),
    path("invitations/<int:invitation_id>/answer/", views.invitation_answer, name="invitation_answer"),
    path("<int:challenge_id>/apply/", views.challenge_apply, name="apply"),
    path("<int:challenge_id>/panel/", views.panel_manage, name="panel"),
    path("<int:challenge_id>/questions/", views.question_ask, name="question"),
    path(
        "<int:challenge_id>/questions/<int:question_id>/answer/",
        views.question_answer,
        name="question_answer",
    ),
    path("<int:challenge_id>/objections/", views.objection_raise, name="objection"),
    path("objections/<int:objection_id>/answer/", views.objection_answer, name="objection_answer"),
    path("applications/<int:application_id>/", views.application_detail, name="application"),
    path("applications/<int:application_id>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:application_id>/withdraw/", views.application_withdraw, name="withdraw"),
    path("applications/<int:application_id>/review/", views.review_entry, name="review"),
    path("milestones/<int:milestone_id>/payments/", views.payment_record, name="payment"),
    path("milestones/<int:milestone_id>/<slug:action>/", views.milestone_action, name="milestone"),
]
