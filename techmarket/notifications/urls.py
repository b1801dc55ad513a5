from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:notification_id>/read/", views.notification_read, name="read"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("searches/", views.saved_search_list, name="searches"),
    path("searches/new/", views.saved_search_create, name="search_create"),
    path("searches/<int:search_id>/edit/", views.saved_search_edit, name="search_edit"),
    path("searches/<int:search_id>/delete/", views.saved_search_delete, name="search_delete"),
]
