from django.urls import path

from . import views

app_name = "vouchers"
urlpatterns = [
    path("", views.voucher_list, name="list"),
    path("export.xlsx", views.voucher_export, name="export"),
    path("batches/", views.batch_list, name="batches"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch_detail"),
    path("uses/", views.use_list, name="uses"),
    path("uses/<int:use_id>/", views.use_detail, name="use_detail"),
    path("uses/<int:use_id>/do/<slug:action>/", views.use_action, name="use_action"),
    path("<int:voucher_id>/", views.voucher_detail, name="detail"),
    path("<int:voucher_id>/spend/", views.voucher_spend, name="spend"),
    path("<int:voucher_id>/revoke/", views.voucher_revoke, name="revoke"),
]
