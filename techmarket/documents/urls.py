from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("download/<int:version_id>/", views.document_download, name="download"),
    path("<str:label>/<int:object_id>/", views.document_list, name="list"),
    path("<str:label>/<int:object_id>/upload/", views.document_upload, name="upload"),
]
