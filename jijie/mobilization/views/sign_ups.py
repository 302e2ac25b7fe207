"""The shareable sign-up page, open to whoever has a call-up's link: nobody needs to
sign in, so the page resolves the call-up by its token, checks it takes sign-ups and
throttles the posts itself, then calls the write as the signed-in user or `NOBODY`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.debug import sensitive_post_parameters

from jijie.accounts.requests import actor
from jijie.audit.actors import NOBODY, NobodyActor
from jijie.audit.services import client_ip
from jijie.core.forms import apply_errors
from jijie.mobilization import selectors, services
from jijie.mobilization.forms import QuickSignUpForm, SignUpForm
from jijie.mobilization.models import CallUp, Member, Organisation
from jijie.mobilization.views.base import communities_under, member_data

if TYPE_CHECKING:
    from jijie.accounts.models import User


@sensitive_post_parameters("document_number", "phone", "name")
def join(request: HttpRequest, token: str) -> HttpResponse:
    """The sign-up page: a minute on a phone; a signed-in member only confirms this
    call-up's declaration. The form's answer is the same whoever the ID number belongs
    to, and posting it is throttled per address and per link."""
    call_up = selectors.call_up_by_token(token)
    refusal = selectors.sign_up_open(call_up)
    own = selectors.member_of(request.user)
    if own is not None:
        return _join_as_own(request, call_up, own, refusal)
    units = _units(call_up)
    communities = communities_under(call_up.response.area_path)
    form = SignUpForm(request.POST or None, organisations=units, communities=communities)
    posted = request.method == "POST" and refusal is None
    if posted and not services.sign_up_attempt(address=client_ip(request), token=token):
        context = {"call_up": call_up, "form": form, "refusal": services.sign_up_too_often()}
        return render(request, "mobilization/join.html", context, status=429)
    if posted and form.is_valid():
        data = form.cleaned_data
        organisation = (
            units.filter(pk=data["organisation"]).first() if data["organisation"] else None
        )
        member = member_data(
            data,
            communities,
            document_number=data["document_number"],
            phone=data["phone"],
            organisation=organisation,
        )
        try:
            services.do_sign_up_receive(
                actor=_applicant(request), call_up=call_up, data=_sign_up_data(member, data)
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            # The name as typed: the stored one would tell whose ID number it is.
            context = {"call_up": call_up, "name": member.name.strip()}
            return render(request, "mobilization/join_done.html", context)
    context = {"call_up": call_up, "form": form, "refusal": refusal}
    return render(request, "mobilization/join.html", context)


def _applicant(request: HttpRequest) -> User | NobodyActor:
    """Who signs up: the signed-in user, or nobody signed in."""
    return actor(request) if request.user.is_authenticated else NOBODY


def _units(call_up: CallUp) -> QuerySet[Organisation]:
    """The units a volunteer may say they belong to: those under the calling committee."""
    committee = call_up.organisation
    return Organisation.objects.filter(
        path__startswith=committee.path, depth__gt=committee.depth
    ).order_by("path")


def _sign_up_data(member: services.MemberData, data: dict[str, Any]) -> services.SignUpData:
    return services.SignUpData(
        member=member,
        health_declared=data["health_declared"],
        availability=data["availability"],
        note=data["note"],
    )


def _join_as_own(
    request: HttpRequest, call_up: CallUp, own: Member, refusal: str | None
) -> HttpResponse:
    """A signed-in member signs up as themselves (their record is not changed)."""
    form = QuickSignUpForm(request.POST or None, initial={"availability": own.availability})
    if request.method == "POST" and refusal is None and form.is_valid():
        member = services.MemberData(name=own.name, kind=own.kind, document_number=None, phone=None)
        try:
            sign_up = services.do_sign_up_submit(
                actor=actor(request), call_up=call_up, data=_sign_up_data(member, form.cleaned_data)
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            done = {"call_up": call_up, "sign_up": sign_up}
            return render(request, "mobilization/join_done.html", done)
    context = {"call_up": call_up, "form": form, "refusal": refusal, "own": own}
    return render(request, "mobilization/join.html", context)
