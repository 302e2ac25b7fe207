from django.urls import path

from jijie.care import views

app_name = "care"
urlpatterns = [
    path("", views.day, name="day"),
    path("board/<str:code>/", views.board, name="board"),
    path("board/<str:code>/cases/new/", views.case_new, name="case_new"),
    path("board/<str:code>/errands/", views.errands, name="errands"),
    path("board/<str:code>/hardship/", views.hardship, name="hardship"),
    path("board/<str:code>/plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/visit/", views.plan_visit, name="plan_visit"),
    path("plans/<int:pk>/close/", views.plan_close, name="plan_close"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("cases/<int:pk>/extend/", views.case_extend, name="extend"),
    path("cases/<int:pk>/end/", views.case_end, name="end"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="resolve"),
    path("errands/new/", views.errand_new, name="errand_new"),
    path("errands/mine/", views.mine, name="mine"),
    path("errands/<int:pk>/", views.errand_detail, name="errand"),
    path("errands/<int:pk>/<str:act>/", views.errand_act, name="errand_act"),
]
