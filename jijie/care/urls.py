from django.urls import path

from jijie.care.views import board, building, cases, errands, follow_ups, plans

app_name = "care"
urlpatterns = [
    path("", follow_ups.day, name="day"),
    path("board/<str:code>/", board.board, name="board"),
    path("buildings/", building.building, name="building"),
    path("board/<str:code>/cases/new/", cases.case_new, name="case_new"),
    path("board/<str:code>/errands/", errands.errands, name="errands"),
    path("board/<str:code>/hardship/", plans.hardship, name="hardship"),
    path("board/<str:code>/plans/new/", plans.plan_new, name="plan_new"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("plans/<int:pk>/visit/", plans.plan_visit, name="plan_visit"),
    path("plans/<int:pk>/close/", plans.plan_close, name="plan_close"),
    path("cases/<int:pk>/", cases.case_detail, name="case"),
    path("cases/<int:pk>/follow-up/", follow_ups.follow_up, name="follow_up"),
    path("cases/<int:pk>/extend/", cases.case_extend, name="extend"),
    path("cases/<int:pk>/end/", cases.case_end, name="end"),
    path("alerts/<int:pk>/resolve/", board.alert_resolve, name="resolve"),
    path("errands/new/", errands.errand_new, name="errand_new"),
    path("errands/mine/", errands.mine, name="mine"),
    path("errands/<int:pk>/", errands.errand_detail, name="errand"),
    path("errands/<int:pk>/<str:act>/", errands.errand_act, name="errand_act"),
]
