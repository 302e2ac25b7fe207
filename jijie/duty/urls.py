from django.urls import path

from jijie.duty import views

app_name = "duty"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.demand_new, name="demand_new"),
    path("mine/", views.mine, name="mine"),
    path("mine/notices/read/", views.notices_read, name="notices_read"),
    path("board/<str:code>/", views.board, name="board"),
    path("propose/<str:code>/", views.propose, name="propose"),
    path("demands/<int:pk>/", views.demand_detail, name="demand"),
    path("demands/<int:pk>/roster/", views.roster_print, name="roster"),
    path("shifts/<int:pk>/", views.shift_detail, name="shift"),
    path("shifts/<int:pk>/claim/", views.claim, name="claim"),
    path("shifts/<int:pk>/leader/", views.shift_leader, name="leader"),
    path("participations/<int:pk>/cancel/", views.my_cancel, name="my_cancel"),
    path("participations/<int:pk>/<str:act>/", views.participation_act, name="act"),
    path("attend/<str:token>/", views.attend, name="attend"),
]
