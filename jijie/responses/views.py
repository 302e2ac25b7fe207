from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jijie.areas import access
from jijie.areas.access import Action
from jijie.core.forms import apply_errors
from jijie.responses import selectors, services
from jijie.responses.forms import ResponseForm


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.scope_paths(user, Action.AREA_VIEW):
        raise PermissionDenied(_("您的角色不包含浏览区域。"))
    may_manage = bool(access.scope_paths(user, Action.RESPONSE_MANAGE))
    roots = access.scope_roots(user, Action.RESPONSE_MANAGE)
    form = ResponseForm(request.POST or None, initial={"area_code": roots[0].code if roots else ""})
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied(_("只有指挥部可以启动应急响应。"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                area = access.area_for(user, data["area_code"].strip(), Action.RESPONSE_MANAGE)
                response = services.do_response_activate(
                    actor=user,  # type: ignore[arg-type]
                    area=area,
                    name=data["name"],
                    level=data["level"],
                    retention_days=data["retention_days"],
                )
            except (BadRequest, Http404, PermissionDenied) as error:
                form.add_error("area_code", str(error) or _("您不能在该区域启动响应。"))
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已启动“%(name)s”。") % {"name": response.name})
                return redirect("responses:index")
    responses = list(selectors.response_list(actor=user))
    context = {
        "responses": responses,
        "form": form if may_manage else None,
        "manageable": {r.pk for r in responses if access.may(user, Action.RESPONSE_MANAGE, r.area)},
    }
    return render(request, "responses/index.html", context)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    response = selectors.response_for(actor=request.user, pk=pk)
    try:
        services.response_close(actor=request.user, response=response)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("responses:index")
