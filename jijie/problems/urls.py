from django.urls import path

from jijie.problems import views

app_name = "problems"
urlpatterns = [
    path("", views.board, name="board"),
    path("rates/", views.rates, name="rates"),
    path("new/", views.problem_new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/photo/", views.photo, name="photo"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
]
