from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("workspace/", views.workspace, name="workspace"),
    path("search/", views.search, name="search"),
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the admin): the site's icon.
    path("favicon.ico", views.favicon, name="favicon"),
]
