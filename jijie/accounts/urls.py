from django.urls import path

from jijie.accounts import views
from jijie.core.views import healthz

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("people/", views.people, name="people"),
    path("people/roles/<int:assignment_id>/revoke/", views.role_revoke, name="role_revoke"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("healthz", healthz, name="healthz"),
]
