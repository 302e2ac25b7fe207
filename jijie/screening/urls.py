from django.urls import path

from jijie.screening import views

app_name = "screening"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.campaign_new, name="campaign_new"),
    path("<int:pk>/", views.coverage, name="coverage"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/revisits/", views.revisits, name="revisits"),
    path("<int:pk>/ledger/", views.ledger, name="ledger"),
    path("<int:pk>/today/", views.today, name="today"),
    path("<int:pk>/doors/<str:code>/", views.doors, name="doors"),
    path("<int:pk>/households/<int:household>/", views.visit, name="visit"),
]
