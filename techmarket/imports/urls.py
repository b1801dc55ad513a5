from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("jobs/<int:job_id>/", views.job_detail, name="job"),
    path("jobs/<int:job_id>/confirm/", views.job_confirm, name="job_confirm"),
    path("jobs/<int:job_id>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:job_id>/rerun/", views.job_rerun, name="job_rerun"),
    path("jobs/<int:job_id>/errors.xlsx", views.job_file, {"which": "errors"}, name="job_errors"),
    path("jobs/<int:job_id>/upload.xlsx", views.job_file, {"which": "upload"}, name="job_upload"),
    path("<slug:spec_key>/", views.upload, name="upload"),
    path("<slug:spec_key>/submit-drafts/", views.drafts_submit, name="drafts_submit"),
    path("<slug:spec_key>/template.xlsx", views.template_download, name="template"),
    path("<slug:spec_key>/export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("<slug:spec_key>/export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
]
