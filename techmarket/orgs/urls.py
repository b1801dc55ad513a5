from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.organization_list, name="list"),
    path("<int:org_id>/", views.organization_detail, name="detail"),
    path("<int:org_id>/join/", views.join, name="join"),
    path("review/", views.review_queue, name="review_queue"),
    path("<int:org_id>/approve/", views.approve, name="approve"),
    path("<int:org_id>/reject/", views.reject, name="reject"),
    path("join-requests/<int:request_id>/decide/", views.decide_join_request, name="decide_join_request"),
    path(
        "join-requests/<int:request_id>/withdraw/", views.withdraw_join_request, name="withdraw_join_request"
    ),
    path("<int:org_id>/profile/edit/", views.enterprise_profile_edit, name="profile_edit"),
    path("<int:org_id>/members/<int:membership_id>/role/", views.membership_role, name="membership_role"),
    path(
        "<int:org_id>/members/<int:membership_id>/remove/", views.membership_remove, name="membership_remove"
    ),
]
