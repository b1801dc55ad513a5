from django.urls import path

from . import views

app_name = "experts"
urlpatterns = [
    path("", views.expert_list, name="list"),
    path("new/", views.expert_create, name="create"),
    path("requests/", views.my_requests, name="my_requests"),
    path("requests/<int:request_id>/decide/", views.contact_decide, name="contact_decide"),
    path("<int:expert_id>/", views.expert_detail, name="detail"),
    path("<int:expert_id>/edit/", views.expert_edit, name="edit"),
    path("<int:expert_id>/contact/", views.contact_request, name="contact_request"),
]
