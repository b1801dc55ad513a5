from django.urls import path

from . import views

app_name = "needs"
urlpatterns = [
    path("", views.need_list, name="list"),
    path("mine/", views.my_needs, name="mine"),
    path("review/", views.review_queue, name="review"),
    path("new/", views.need_create, name="create"),
    path("<int:need_id>/", views.need_detail, name="detail"),
    path("<int:need_id>/edit/", views.need_edit, name="edit"),
    path("<int:need_id>/actions/<slug:action>/", views.need_action, name="action"),
    path("<int:need_id>/access/", views.need_request_access, name="request_access"),
    path("<int:need_id>/access/<int:grant_id>/", views.need_decide_access, name="decide_access"),
    path("<int:need_id>/refine/", views.need_refine, name="refine"),
    path("<int:need_id>/refinements/<int:revision_id>/", views.refinement_decide, name="refinement_decide"),
    path("<int:need_id>/versions/", views.need_versions, name="versions"),
]
