from django.urls import path

from jijie.accounts import views
from jijie.core.views import healthz

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("badges/", views.menu_badges, name="badges"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("people/", views.people, name="people"),
    path("people/roles/<int:assignment_id>/revoke/", views.role_revoke, name="role_revoke"),
    path("people/<int:user_id>/mfa-reset/", views.mfa_reset, name="mfa_reset"),
    path("account/", views.profile, name="profile"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("account/mfa/", views.mfa_settings, name="mfa"),
    path("account/mfa/start/", views.mfa_start, name="mfa_start"),
    path("account/mfa/confirm/", views.mfa_confirm, name="mfa_confirm"),
    path("account/mfa/recovery/", views.mfa_recovery, name="mfa_recovery"),
    path("account/mfa/disable/", views.mfa_disable, name="mfa_disable"),
    path("account/mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("healthz", healthz, name="healthz"),
]
