from django.urls import path

from techmarket.catalog.listing_views import listing_patterns

from . import views

app_name = "needs"
urlpatterns = [
    # list, mine, review, <id>/actions/<action>, <id>/access[/<grant>]: shared by every catalogue type
    *listing_patterns("needs", "need_id"),
    path("new/", views.need_create, name="create"),
    path("<int:need_id>/", views.need_detail, name="detail"),
    path("<int:need_id>/edit/", views.need_edit, name="edit"),
    path("<int:need_id>/refine/", views.need_refine, name="refine"),
    path("<int:need_id>/refinements/<int:revision_id>/", views.refinement_decide, name="refinement_decide"),
    path("<int:need_id>/versions/", views.need_versions, name="versions"),
]
