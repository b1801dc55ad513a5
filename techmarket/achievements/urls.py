from django.urls import path

from techmarket.catalog.listing_views import listing_patterns

from . import views

app_name = "achievements"
urlpatterns = [
    # list, mine, review, <id>/actions/<action>, <id>/access[/<grant>]: shared by every catalogue type
    *listing_patterns("achievements", "achievement_id"),
    path("new/", views.achievement_create, name="create"),
    path("<int:achievement_id>/", views.achievement_detail, name="detail"),
    path("<int:achievement_id>/edit/", views.achievement_edit, name="edit"),
]
