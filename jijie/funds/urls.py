from django.urls import path

from jijie.funds import views

app_name = "funds"
urlpatterns = [
    path("", views.index, name="index"),
    path("accounts/<int:pk>/", views.statement, name="statement"),
    path("accounts/<int:pk>/statement.xlsx", views.statement_xlsx, name="statement_xlsx"),
    path("accounts/<int:pk>/close/", views.close, name="close"),
    path("income/", views.income_new, name="income_new"),
    path("allocate/", views.allocate_new, name="allocate_new"),
    path("expense/", views.expense_new, name="expense_new"),
    path("purchase/", views.purchase_new, name="purchase_new"),
    path("expenditures/<int:pk>/refund/", views.refund_new, name="refund_new"),
    path("expenditures/<int:pk>/scan/", views.scan, name="scan"),
    path("donations/", views.donations, name="donations"),
    path("donations/new/", views.donation_new, name="donation_new"),
    path("donations/import/", views.contributions_import, name="import"),
    path("donations/<int:pk>/", views.donation, name="donation"),
    path("donations/<int:pk>/receipt.pdf", views.receipt, name="receipt"),
    path("donations/<int:pk>/cancel/", views.donation_cancel, name="donation_cancel"),
]

# The public disclosure: no sign-in (included at /public/donations/).
public = [
    path("<int:pk>/", views.disclosure, name="disclosure"),
    path("<int:pk>/notice.pdf", views.disclosure_pdf, name="disclosure_pdf"),
]
