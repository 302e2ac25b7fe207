from django.urls import path

from jijie.areas import views

app_name = "areas"
urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("pick/", views.pick, name="pick"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/add/", views.add_child, name="add_child"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/compounds/add/", views.add_compound, name="add_compound"),
]
