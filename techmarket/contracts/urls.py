from django.urls import path

from . import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list, name="list"),
    path("new/", views.contract_create, name="create"),
    path("figures/", views.contract_figures, name="figures"),
    path("registered.xlsx", views.registered_export, name="export_registered"),
    path("<int:contract_id>/", views.contract_detail, name="detail"),
    path("<int:contract_id>/edit/", views.contract_edit, name="edit"),
    path("<int:contract_id>/move/", views.contract_action, name="move"),
    path("<int:contract_id>/payments/", views.payment_add, name="payment_add"),
    path("<int:contract_id>/payments/<int:payment_id>/edit/", views.payment_edit, name="payment_edit"),
    path("<int:contract_id>/payments/<int:payment_id>/delete/", views.payment_delete, name="payment_delete"),
]
