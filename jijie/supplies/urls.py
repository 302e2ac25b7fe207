from django.urls import path

from jijie.supplies import views

app_name = "supplies"
urlpatterns = [
    path("", views.index, name="index"),
    path("stores/<int:pk>/", views.store, name="store"),
    path("stores/<int:pk>/receive/", views.receive, name="receive"),
    path("stores/<int:pk>/issue/", views.issue, name="issue"),
    path("stores/<int:pk>/request/", views.request_new, name="request_new"),
    path("stores/<int:pk>/transfer/", views.transfer_new, name="transfer_new"),
    path("stores/<int:pk>/count/", views.count, name="count"),
    path("stores/<int:pk>/ledger.xlsx", views.ledger, name="ledger"),
    path("stores/<int:pk>/scan/", views.scan, name="scan"),
    path("stores/<int:pk>/labels.pdf", views.labels_pdf, name="labels"),
    path("stores/<int:pk>/write-off/<int:batch>/", views.write_off, name="write_off"),
    path("transfers/<int:pk>/receive/", views.transfer_receive, name="transfer_receive"),
    path("requests/", views.requests_board, name="requests"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("requests/<int:pk>/fulfil/", views.request_fulfil, name="request_fulfil"),
]
