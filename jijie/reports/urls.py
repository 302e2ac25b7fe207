from django.urls import path

from jijie.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("submit/", views.submit, name="submit"),
    path("correct/", views.correct, name="correct"),
    path("report.xlsx", views.workbook, name="workbook"),
    path("report.pdf", views.printable, name="print"),
]
