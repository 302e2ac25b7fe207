from django.urls import path

from jijie.gates import views

app_name = "gates"
urlpatterns = [
    path("", views.gate_list, name="index"),
    path("<int:pk>/", views.gate_detail, name="detail"),
    path("<int:pk>/scan/", views.gate_scan, name="scan"),
    path("<int:pk>/proof/", views.gate_proof, name="proof"),
    path("passes/", views.pass_list, name="passes"),
    path("passes/cards.pdf", views.pass_cards, name="cards"),
    path("passes/<int:pk>/revoke/", views.pass_revoke, name="revoke"),
]
