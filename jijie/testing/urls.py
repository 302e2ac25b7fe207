from django.urls import path

from jijie.testing import views

app_name = "testing"
urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/results/", views.results_import, name="results_import"),
    path("rounds/<int:pk>/sites/new/", views.site_new, name="site_new"),
    path("rounds/<int:pk>/untested/", views.untested, name="untested"),
    path("tubes/<int:pk>/", views.tube_detail, name="tube"),
    path("sites/<int:pk>/sample/", views.sample, name="sample"),
    path("sites/<int:pk>/household/", views.pass_members, name="pass_members"),
    path("sites/<int:pk>/appointments/", views.appointments, name="appointments"),
    path("sites/<int:pk>/seal/", views.seal, name="seal"),
    path("sites/<int:pk>/batches/", views.batch_send, name="batch_send"),
    path("batches/<int:pk>/receive/", views.batch_receive, name="batch_receive"),
]
