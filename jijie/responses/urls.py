from django.urls import path

from jijie.responses import views

app_name = "responses"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/close/", views.close, name="close"),
]
