from django.urls import path

from jijie.mobilization import views

app_name = "mobilization"
urlpatterns = [
    path("", views.index, name="index"),
    path("call-ups/new/", views.call_up_new, name="call_up_new"),
    path("call-ups/<int:pk>/", views.call_up_detail, name="call_up"),
    path("call-ups/<int:pk>/sign-ups/", views.sign_up_list, name="sign_ups"),
    path("call-ups/<int:pk>/proposal/", views.proposal_view, name="proposal"),
    path("sign-ups/<int:pk>/decide/", views.sign_up_decide, name="sign_up_decide"),
    path("sign-ups/<int:pk>/deploy/", views.sign_up_deploy, name="sign_up_deploy"),
    path("proposals/<int:pk>/lines/<int:line>/", views.proposal_line, name="proposal_line"),
    path("proposals/<int:pk>/accept/", views.proposal_accept, name="proposal_accept"),
    path("join/<str:token>/", views.join, name="join"),
    path("communities/<str:code>/", views.community, name="community"),
    path("communities/<str:code>/teams/new/", views.team_new, name="team_new"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("me/", views.me, name="me"),
    path("me/sign-ups/<int:pk>/withdraw/", views.my_withdraw, name="my_withdraw"),
    path("members/", views.member_list, name="members"),
    path("members/import/", views.member_import, name="member_import"),
    path("members/claims/<int:pk>/decide/", views.claim_decide, name="claim_decide"),
    path("me/notices/read/", views.my_notices_read, name="my_notices_read"),
]
