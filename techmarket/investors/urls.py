from django.urls import path

from . import views

app_name = "investors"
urlpatterns = [
    path("", views.fund_list, name="list"),
    path("funds/new/", views.fund_create, name="fund_create"),
    path("funds/<int:fund_id>/", views.fund_detail, name="fund_detail"),
    path("funds/<int:fund_id>/edit/", views.fund_edit, name="fund_edit"),
    path("funds/<int:fund_id>/interest/", views.interest_express, name="interest_express"),
    path("seekings/", views.seeking_list, name="seekings"),
    path("seekings/<int:seeking_id>/", views.seeking_detail, name="seeking_detail"),
    path("seekings/<int:seeking_id>/close/", views.seeking_close, name="seeking_close"),
    path("interests/", views.interest_list, name="interests"),
    path("interests/<int:interest_id>/", views.interest_detail, name="interest_detail"),
    path("interests/<int:interest_id>/investments/", views.investment_record, name="investment_record"),
    path("interests/<int:interest_id>/do/<slug:action>/", views.interest_action, name="interest_action"),
]
