from django.urls import path

from jijie.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.index, name="index"),
    path("teams/new/", views.team_new, name="team_new"),
    path("teams/<int:pk>/plan/", views.plan_new, name="plan_new"),
    path("checklists/<str:kind>/", views.checklist, name="checklist"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("visits/<int:pk>/", views.visit, name="visit"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:pk>/", views.order, name="order"),
    path("orders/<int:pk>/fix/", views.order_fix, name="order_fix"),
    path("orders/<int:pk>/recheck/", views.order_recheck, name="order_recheck"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("scores/", views.scores, name="scores"),
]
