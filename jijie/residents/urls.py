from django.urls import path

from jijie.residents import views

app_name = "residents"
urlpatterns = [
    path("", views.household_list, name="list"),
    path("export/", views.ledger_export, name="export"),
    path("exports/", views.export_request_list, name="export_requests"),
    path("exports/new/", views.export_request_new, name="export_request_new"),
    path("exports/<int:pk>/", views.export_request_detail, name="export_request"),
    path("exports/<int:pk>/decide/", views.export_request_decide, name="export_request_decide"),
    path(
        "exports/<int:pk>/download/", views.export_request_download, name="export_request_download"
    ),
    path("import/", views.import_new, name="import_new"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/columns/", views.import_columns, name="import_columns"),
    path("households/pick/", views.pick_household, name="pick_household"),
    path("households/new/", views.household_new, name="household_new"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("people/<int:pk>/move/", views.person_move, name="person_move"),
    path("people/<int:pk>/key-groups/", views.person_key_groups, name="person_key_groups"),
]
