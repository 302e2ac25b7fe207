from django.urls import path

from jijie.recognition import views

app_name = "recognition"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("units/<int:pk>/", views.unit, name="unit"),
    path("units/<int:pk>/approve/", views.approve, name="approve"),
    path("approvals/<int:pk>/", views.approval, name="approval"),
    path("approvals/<int:pk>/list.xlsx", views.approval_xlsx, name="approval_xlsx"),
    path("records/<int:pk>/certificate/", views.certificate_issue, name="certificate_issue"),
    path("certificates/<int:pk>.pdf", views.certificate, name="certificate"),
    path("members/<int:pk>/nominate/", views.nominate, name="nominate"),
]
