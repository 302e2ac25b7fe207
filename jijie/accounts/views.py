from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from jijie.accounts import mfa, requests, selectors, services
from jijie.accounts.backends import PAUSED_BY_ADDRESS
from jijie.accounts.forms import (
    AccountForm,
    AuditFilterForm,
    MfaCodeForm,
    MfaResetForm,
    MfaVerifyForm,
    TokenForm,
)
from jijie.accounts.models import User
from jijie.areas import access
from jijie.areas import selectors as area_selectors
from jijie.audit import phrases
from jijie.audit.services import verify_chain
from jijie.core import home as home_cards
from jijie.core.forms import apply_errors
from jijie.core.paging import Pages


class SignInView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Form) -> HttpResponse:
        services.session_login(request=self.request, user=form.get_user())  # type: ignore[attr-defined]
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        if getattr(self.request, PAUSED_BY_ADDRESS, False):
            context = {"by_address": True}
            return render(self.request, "accounts/locked_out.html", context, status=429)
        return super().form_invalid(form)


@never_cache
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The user's own account: the roles they hold, and the ways to their password,
    second factor and tokens."""
    user = _user(request)
    return render(request, "accounts/profile.html", {"profile": selectors.profile_of(user=user)})


@never_cache
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """The user's own password: the current one, the new one twice. Where someone else
    chose the password, every page leads here first (jijie.accounts.middleware)."""
    user = _user(request)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                request=request, user=user, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("密码已修改。"))
            return redirect(requests.next_url(request) or "accounts:home")
    context = {"form": form, "next": requests.next_url(request)}
    return render(request, "accounts/password_change.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    services.session_logout(request=request)
    return redirect("accounts:login")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    cards = home_cards.cards_for(user)
    # A member's own work (shifts, errands) needs no role; with neither, nothing to show.
    if not access.assignments(user) and not cards:
        return render(request, "accounts/no_role.html", status=403)
    roots = access.scope_roots(user)
    summaries = []
    for root in roots:
        table = area_selectors.area_table(root)
        summaries.append((root, table, table.total.below(root.depth), table.total.dwellings))
    context = {
        "summaries": summaries,
        "may_grant": bool(access.scope_paths(user, access.Action.ROLE_GRANT)),
        "may_audit": bool(access.scope_paths(user, access.Action.AUDIT_VIEW)),
        "recent_audit": [(e, phrases.sentence(e)) for e in selectors.audit_list(actor=user)[:10]],
        "mfa_missing": access.requires_mfa(user) and not selectors.mfa_confirmed(user=user),
        "cards": cards,
    }
    return render(request, "accounts/home.html", context)


@login_required
def menu_badges(request: HttpRequest) -> HttpResponse:
    """The menu's badges (core.home.provides_badge), asked for by the shell once a page
    is drawn: each count is swapped into its menu entry, on a phone's and a desktop's."""
    badges = home_cards.badges_for(_user(request), home_cards.badge_keys())
    if badges:
        badges["all"] = sum(badges.values())  # on a phone's folded menu
    return render(request, "core/_badges.html", {"badges": sorted(badges.items())})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not access.scope_paths(user, access.Action.AUDIT_VIEW):
        raise PermissionDenied(_("只有审计角色可以查看审计日志。"))
    form = AuditFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_list(
        actor=user, action=filters.get("action", ""), username=filters.get("actor", "")
    )
    page = Pages(events, 50).get_page(request.GET.get("page"))
    rows = [(event, phrases.sentence(event)) for event in page]
    return render(request, "accounts/audit_log.html", {"form": form, "page": page, "rows": rows})


@login_required
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    if not access.scope_paths(_user(request), access.Action.AUDIT_VIEW):
        raise PermissionDenied(_("只有审计角色可以校验审计日志。"))
    problems = list(verify_chain())
    return render(request, "accounts/audit_verify.html", {"problems": problems[:100]})


@never_cache
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's tokens. Where their roles have a second factor, a token is made only
    in a session that proved it a few minutes ago, as for a reveal."""
    user = _user(request)
    needs_step_up = access.requires_mfa(user) and not requests.step_up_fresh(request)
    if request.method == "POST" and needs_step_up:
        return requests.step_up_redirect(request) or redirect("accounts:tokens")
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        secret = services.token_create(
            user=user, name=data["name"], scopes=data["scopes"], days=data["days"]
        )
        form = TokenForm()
    context = {
        "form": form,
        "secret": secret,
        "needs_step_up": needs_step_up,
        "tokens": selectors.token_list(user=user),
    }
    return render(request, "accounts/tokens.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = _user(request)
    token = get_object_or_404(selectors.token_list(user=user), pk=token_id)
    services.token_revoke(actor=user, token=token)
    return redirect("accounts:tokens")


@login_required
def people(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not access.scope_paths(user, access.Action.ROLE_GRANT):
        raise PermissionDenied(_("您的角色不能开设账号或分配角色。"))
    form = AccountForm(request.POST or None, roles=access.grantable_anywhere(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            area = access.area_for(user, data["area_code"].strip())
            opened = services.account_open(
                actor=user,
                username=data["username"],
                full_name=data["full_name"],
                password=data["password"],
                role=data["role"],
                area=area,
            )
        except (BadRequest, Http404) as error:
            form.add_error("area_code", str(error))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已开设账号“%(name)s”。") % {"name": opened.username})
            return redirect("accounts:people")
    assignments = selectors.people_list(actor=user)
    page = Paginator(assignments, 100).get_page(request.GET.get("page"))
    return render(request, "accounts/people.html", {"form": form, "page": page})


@login_required
@require_POST
def role_revoke(request: HttpRequest, assignment_id: int) -> HttpResponse:
    user = _user(request)
    assignment = get_object_or_404(selectors.people_list(actor=user), pk=assignment_id)
    try:
        services.role_revoke(actor=user, assignment=assignment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("accounts:people")


def _with_next(url: str, back_to: str) -> str:
    return f"{url}?{urlencode({'next': back_to})}" if back_to else url


def _mfa_page(request: HttpRequest, form: MfaCodeForm | None = None) -> HttpResponse:
    user = _user(request)
    device = selectors.mfa_device(user=user)
    back_to = requests.next_url(request)
    context = {
        "device": device,
        "enrolment": mfa.enrolment(device) if device and not device.is_confirmed else None,
        "codes_left": selectors.recovery_codes_left(device=device) if device else 0,
        "form": form or MfaCodeForm(initial={"next": back_to}),
        "required": access.requires_mfa(user),
        "next": back_to,
    }
    return render(request, "accounts/mfa.html", context)


@never_cache
@login_required
def mfa_settings(request: HttpRequest) -> HttpResponse:
    """The account's second factor: enrol, renew the recovery codes, disable."""
    return _mfa_page(request)


@login_required
@require_POST
def mfa_start(request: HttpRequest) -> HttpResponse:
    try:
        mfa.mfa_enrol_start(user=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_with_next(reverse("accounts:mfa"), requests.next_url(request)))


def _with_code(
    request: HttpRequest, service: Callable[..., mfa.Verification], done: str = ""
) -> HttpResponse:
    """Run an MFA service with the posted code: the new recovery codes (shown once) or
    the `done` message on success, the page with the refusal otherwise."""
    form = MfaCodeForm(request.POST)
    if form.is_valid():
        try:
            result = service(user=_user(request), code=form.cleaned_data["code"], request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if not result.ok:
                form.add_error("code", result.message)
            elif result.recovery_codes:
                requests.step_up_mark(request.session, result.device)
                context = {"codes": result.recovery_codes, "next": requests.next_url(request)}
                return render(request, "accounts/mfa_codes.html", context)
            else:
                messages.success(request, done)
                return redirect("accounts:mfa")
    return _mfa_page(request, form)


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_POST
def mfa_confirm(request: HttpRequest) -> HttpResponse:
    return _with_code(request, mfa.mfa_enrol_confirm)


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_POST
def mfa_recovery(request: HttpRequest) -> HttpResponse:
    return _with_code(request, mfa.mfa_recovery_renew)


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_POST
def mfa_disable(request: HttpRequest) -> HttpResponse:
    return _with_code(request, mfa.mfa_disable, _("两步验证已停用。"))


@never_cache
@sensitive_post_parameters("code")
@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The step-up: a current code, then back to the page that asked for it."""
    user = _user(request)
    back_to = requests.next_url(request)
    if selectors.mfa_confirmed(user=user) is None:
        return redirect(_with_next(reverse("accounts:mfa"), back_to))
    form = MfaVerifyForm(request.POST or None, initial={"next": back_to})
    if request.method == "POST" and form.is_valid():
        result = mfa.mfa_verify(user=user, code=form.cleaned_data["code"], request=request)
        if result.ok:
            requests.step_up_mark(request.session, result.device)
            return redirect(back_to or "accounts:home")
        form.add_error("code", result.message)
    return render(request, "accounts/mfa_verify.html", {"form": form})


@login_required
def mfa_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """Whoever manages a user's role resets their second factor, with a reason."""
    user = _user(request)
    if not access.scope_paths(user, access.Action.ROLE_GRANT):
        raise PermissionDenied(_("您的角色不能管理人员。"))
    target = selectors.managed_user(actor=user, pk=user_id)
    if not access.may_reset_mfa(user, target):
        raise PermissionDenied(_("您不能重置该用户的两步验证。"))
    form = MfaResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mfa.mfa_reset(
                actor=user, user=target, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已重置“%(name)s”的两步验证。") % {"name": target})
            return redirect("accounts:people")
    device = selectors.mfa_device(user=target)
    return render(
        request, "accounts/mfa_reset.html", {"form": form, "target": target, "device": device}
    )
