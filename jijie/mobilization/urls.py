from django.urls import path

from jijie.mobilization.views import call_ups, deployments, members, organisations, sign_ups

app_name = "mobilization"
urlpatterns = [
    path("", call_ups.index, name="index"),
    path("call-ups/new/", call_ups.call_up_new, name="call_up_new"),
    path("call-ups/<int:pk>/", call_ups.call_up_detail, name="call_up"),
    path("call-ups/<int:pk>/sign-ups/", call_ups.sign_up_list, name="sign_ups"),
    path("call-ups/<int:pk>/proposal/", deployments.proposal_view, name="proposal"),
    path("sign-ups/<int:pk>/decide/", call_ups.sign_up_decide, name="sign_up_decide"),
    path("sign-ups/<int:pk>/deploy/", deployments.sign_up_deploy, name="sign_up_deploy"),
    path("proposals/<int:pk>/lines/<int:line>/", deployments.proposal_line, name="proposal_line"),
    path("proposals/<int:pk>/accept/", deployments.proposal_accept, name="proposal_accept"),
    path("join/<str:token>/", sign_ups.join, name="join"),
    path("communities/<str:code>/", deployments.community, name="community"),
    path("communities/<str:code>/teams/new/", deployments.team_new, name="team_new"),
    path("organisations/", organisations.organisation_list, name="organisations"),
    path("organisations/<int:pk>/", organisations.organisation_detail, name="organisation"),
    path("me/", members.me, name="me"),
    path("me/sign-ups/<int:pk>/withdraw/", members.my_withdraw, name="my_withdraw"),
    path("members/", members.member_list, name="members"),
    path("members/import/", members.member_import, name="member_import"),
    path("members/claims/<int:pk>/decide/", members.claim_decide, name="claim_decide"),
    path("me/notices/read/", members.my_notices_read, name="my_notices_read"),
]
