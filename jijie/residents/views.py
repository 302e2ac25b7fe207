"""Registry pages. Nothing personal travels in a URL: searches are POSTs, records are
addressed by their number, and full ID numbers or phones appear only on a reveal's own
response, which is never cached."""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from jijie.accounts.requests import actor, step_up_redirect
from jijie.areas import access
from jijie.areas.access import Action
from jijie.core.forms import apply_errors
from jijie.core.paging import Pages
from jijie.residents import actions, export_requests, exports, keygroups, selectors, services
from jijie.residents.forms import (
    ColumnMapForm,
    ConfirmForm,
    ExportDecisionForm,
    ExportRequestForm,
    FlagsForm,
    HouseholdFilterForm,
    HouseholdForm,
    ImportForm,
    KeyGroupMemberForm,
    MoveForm,
    PersonForm,
    RevealForm,
    SearchForm,
)
from jijie.residents.imports import jobs, reader
from jijie.residents.imports.columns import FIELD_HELP, FIELD_LABELS, SYNONYMS, TEMPLATE_FIELDS
from jijie.residents.models import Household, ImportJob, Person


def _require_registry(request: HttpRequest) -> None:
    if not access.scope_paths(request.user, Action.RESIDENT_VIEW):
        raise PermissionDenied(_("您的角色不能查看居民信息。"))


@sensitive_post_parameters("document_number", "phone", "q", "reason", "name")
@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    _require_registry(request)
    filters = HouseholdFilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {}
    area = access.area_for(request.user, data["area"]) if data.get("area") else None
    order = data.get("order") or "address"
    households = selectors.household_list(
        actor=request.user,
        area=area,
        kind=data.get("kind", ""),
        flag=data.get("flag", ""),
        order=order,
    )
    # Unfiltered, the ledger's size is its buildings' kept counts summed.
    count = (
        None
        if data.get("kind") or data.get("flag")
        else selectors.household_count(actor=request.user, area=area)
    )
    page = Pages(households, 50, by_key=True, count=count).get_page(request.GET.get("page"))
    roots = access.scope_roots(request.user, Action.RESIDENT_VIEW)
    within = area or (roots[0] if len(roots) == 1 else None)
    search = SearchForm(request.POST or None)
    found = None
    if request.method == "POST" and search.is_valid():
        found = selectors.person_search(
            actor=request.user, query=search.cleaned_data["q"], area=area
        )
    context = {
        "filters": filters,
        "area": area,
        "page": page,
        "rows": selectors.ledger_rows(list(page), within=within),
        "order": order,
        "address_toggle": "-address" if order == "address" else "address",
        "filtered": bool(data.get("area") or data.get("kind") or data.get("flag")),
        "search": search,
        "found": found,
        "may_edit": bool(access.scope_paths(request.user, Action.RESIDENT_EDIT)),
        "may_export": bool(access.scope_paths(request.user, Action.PII_EXPORT)),
        "may_export_ledger": bool(access.scope_paths(request.user, Action.LEDGER_EXPORT)),
    }
    return render(request, "residents/household_list.html", context)


_FIELD_ID = re.compile(r"[a-z][a-z_]{0,40}")  # the id of the field a choice goes in


@sensitive_post_parameters("q")
@login_required
@require_POST
def pick_household(request: HttpRequest) -> HttpResponse:
    """The household picker's search (forms.HouseholdPicker), as an htmx fragment: the
    households in the user's sight, under `area` when named, that the words posted
    mean. A POST, so that a name typed never lands in a URL or a log."""
    _require_registry(request)
    field = request.GET.get("field", "")
    if not _FIELD_ID.fullmatch(field):
        raise BadRequest(_("参数有误。"))
    code = request.GET.get("area", "").strip()
    area = access.area_for(request.user, code) if code else None
    search = SearchForm(request.POST)
    hits = (
        selectors.household_search(actor=request.user, query=search.cleaned_data["q"], area=area)
        if search.is_valid()
        else []
    )
    context = {"hits": hits, "field": field, "searched": search.is_valid()}
    return render(request, "residents/_pick_household.html", context)


@login_required
def household_new(request: HttpRequest) -> HttpResponse:
    if not access.scope_paths(request.user, Action.RESIDENT_EDIT):
        raise PermissionDenied(_("您的角色不能登记住户。"))
    form = HouseholdForm(
        request.POST or None, initial={"building_code": request.GET.get("building", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            building = access.area_for(
                request.user, data["building_code"].strip(), Action.RESIDENT_EDIT
            )
            household = services.do_household_register(
                actor=actor(request),
                building=building,
                door_number=data["door_number"],
                kind=data["kind"],
            )
        except (BadRequest, Http404, PermissionDenied) as error:
            form.add_error("building_code", str(error) or _("您不能在该楼栋登记住户。"))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("residents:household", pk=household.pk)
    return render(request, "residents/household_form.html", {"form": form})


def _person_data(data: dict[str, Any], *, keep_blank: bool) -> services.PersonData:
    blank = None if keep_blank else ""
    return services.PersonData(
        name=data["name"],
        relation=data["relation"],
        document_type=data["document_type"],
        document_number=data["document_number"] or blank,
        phone=data["phone"] or blank,
        sex=data["sex"],
        register_place=data["register_place"],
        resident_type=data["resident_type"],
        note=data["note"],
    )


@sensitive_post_parameters("document_number", "phone", "q", "reason", "name")
@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_for(actor=request.user, pk=pk)
    may_edit = access.may(request.user, Action.RESIDENT_EDIT, household.building)
    flags = FlagsForm(
        initial={
            "version": household.version,
            "kind": household.kind,
            "is_party_centre": household.is_party_centre,
            "is_home_isolation": household.is_home_isolation,
            "is_hardship": household.is_hardship,
        }
    )
    person_form = PersonForm(
        initial={"relation": "head" if not household.people.exists() else "other"}
    )
    if request.method == "POST":
        access.require_path(request.user, Action.RESIDENT_EDIT, household.area_path)
        if "save_flags" in request.POST:
            flags = FlagsForm(request.POST)
            if flags.is_valid():
                try:
                    services.household_flags_set(
                        actor=actor(request), household=household, **flags.cleaned_data
                    )
                except ValidationError as error:
                    apply_errors(flags, error)
                else:
                    return redirect("residents:household", pk=household.pk)
        else:
            person_form = PersonForm(request.POST)
            if person_form.is_valid():
                try:
                    saved = services.person_add(
                        actor=actor(request),
                        household=household,
                        data=_person_data(person_form.cleaned_data, keep_blank=False),
                    )
                except ValidationError as error:
                    apply_errors(person_form, error)
                else:
                    for warning in saved.warnings:
                        messages.warning(request, warning)
                    return redirect("residents:household", pk=household.pk)
    context = {
        "household": household,
        "people": selectors.people_of(household),
        "may_edit": may_edit,
        "flags": flags,
        "person_form": person_form,
        "actions": actions.actions_for(request.user, household),
    }
    return render(request, "residents/household_detail.html", context)


@sensitive_post_parameters("document_number", "phone", "q", "reason", "name")
@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_for(actor=request.user, pk=pk, action=Action.RESIDENT_EDIT)
    initial = {
        "version": person.version,
        "name": person.name,
        "relation": person.relation,
        "document_type": person.document_type or "resident_id",
        "sex": person.sex,
        "register_place": person.register_place,
        "resident_type": person.resident_type,
        "note": person.note,
    }
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.person_update(
                actor=actor(request),
                person=person,
                version=form.cleaned_data["version"] or 0,
                data=_person_data(form.cleaned_data, keep_blank=True),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            for warning in saved.warnings:
                messages.warning(request, warning)
            return redirect("residents:household", pk=person.household_id)
    return render(request, "residents/person_form.html", {"form": form, "person": person})


@login_required
def ledger_export(request: HttpRequest) -> HttpResponse | FileResponse:
    """The masked household ledger of an area (default: the user's first scope) as .xlsx,
    for those who keep or answer for the area."""
    roots = access.scope_roots(request.user, Action.LEDGER_EXPORT)
    if not roots:
        raise PermissionDenied(_("您的角色不能导出台账。"))
    code = request.GET.get("area", "")
    area = access.area_for(request.user, code, Action.LEDGER_EXPORT) if code else roots[0]
    if exports.too_large_to_write_now(area):
        export = export_requests.export_masked_start(
            actor=actor(request), area=area, request=request
        )
        return redirect("residents:export_request", pk=export.pk)
    descriptor, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(descriptor)
    try:
        exports.ledger_export(actor=actor(request), area=area, path=Path(name))
        # Opened before the unlink: the open file lives on until FileResponse closes it,
        # and no copy of the ledger stays on disk.
        handle = open(name, "rb")  # noqa: SIM115
    except exports.ExportTooLargeError as error:
        messages.error(request, str(error))
        return redirect(f"{reverse('residents:list')}?area={area.code}")
    finally:
        os.unlink(name)
    filename = f"ledger-{area.code}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=filename)


@never_cache
@sensitive_post_parameters("document_number", "phone", "q", "reason", "name")
@login_required
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    person: Person = selectors.person_for(actor=request.user, pk=pk)
    if not access.may(request.user, Action.PII_REVEAL, person.household.building):
        raise PermissionDenied(_("您的角色不能查看完整的证件号码或电话。"))
    if (stepping_up := step_up_redirect(request)) is not None:
        return stepping_up
    form = RevealForm(request.POST or None)
    value = None
    if request.method == "POST" and form.is_valid():
        try:
            value = services.person_reveal(
                actor=actor(request),
                person=person,
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_errors(form, error)
    household: Household = person.household
    return render(
        request,
        "residents/person_reveal.html",
        {"form": form, "person": person, "value": value, "household": household},
    )


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    if not access.scope_paths(request.user, Action.RESIDENT_EDIT):
        raise PermissionDenied(_("您的角色不能导入居民台账。"))
    roots = access.scope_roots(request.user, Action.RESIDENT_EDIT)
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"area_code": roots[0].code}
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            area = access.area_for(
                request.user, form.cleaned_data["area_code"].strip(), Action.RESIDENT_EDIT
            )
            reader.check_size(upload.size or 0)  # before reading it into memory
            job = jobs.import_job_create(
                actor=actor(request), area=area, filename=upload.name, data=upload.read()
            )
        except (BadRequest, Http404, PermissionDenied) as error:
            form.add_error("area_code", str(error) or _("您不能向该区域导入。"))
        except reader.RefusedFile as refusal:
            form.add_error("file", str(refusal))
        else:
            return redirect("residents:import_detail", pk=job.pk)
    context = {
        "form": form,
        "recent": selectors.import_jobs(actor=actor(request))[:10],
        "fields": [
            {
                "header": SYNONYMS[name][0],
                "others": "、".join(SYNONYMS[name][1:]),
                "help": FIELD_HELP[name],
            }
            for name in TEMPLATE_FIELDS
        ],
    }
    return render(request, "residents/import_new.html", context)


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    """The empty ledger the import reads best, for those who may import."""
    if not access.scope_paths(request.user, Action.RESIDENT_EDIT):
        raise PermissionDenied(_("您的角色不能导入居民台账。"))
    buffer = io.BytesIO()
    exports.write_import_template(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="registry-template.xlsx"'
    return response


def _ignored_columns(job: ImportJob) -> list[dict[str, Any]]:
    return [c for c in job.report.get("columns", []) if not c["field"]]


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_for(actor=actor(request), pk=pk)
    template = "residents/_import_status.html" if request.htmx else "residents/import_detail.html"  # type: ignore[attr-defined]
    summary = job.report.get("summary", {})
    context = {
        "job": job,
        "confirm": ConfirmForm(),
        # Rows the import would write (those with only warnings included).
        "importable": summary.get("rows", 0) - summary.get("error_rows", 0),
        "column_map": ColumnMapForm(ignored=_ignored_columns(job)),
        "columns": [
            {**column, "label": FIELD_LABELS.get(column["field"], "")}
            for column in job.report.get("columns", [])
        ],
    }
    return render(request, template, context)


@login_required
@require_POST
def import_columns(request: HttpRequest, pk: int) -> HttpResponse:
    """Read some of the ignored columns as fields, and check the file again."""
    job = selectors.import_job_for(actor=actor(request), pk=pk)
    form = ColumnMapForm(request.POST, ignored=_ignored_columns(job))
    if form.is_valid() and form.mapping():
        try:
            jobs.import_job_map_columns(actor=actor(request), job=job, mapping=form.mapping())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("residents:import_detail", pk=pk)


@login_required
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("residents:import_detail", pk=pk)
    job = selectors.import_job_for(actor=actor(request), pk=pk)
    form = ConfirmForm(request.POST)
    skip = form.is_valid() and form.cleaned_data["skip_invalid"]
    try:
        jobs.import_job_confirm(actor=actor(request), job=job, skip_invalid=skip)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("residents:import_detail", pk=pk)


@sensitive_post_parameters("document_number", "phone", "q", "reason", "name")
@login_required
def person_key_groups(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's key groups and their health and travel data (follow-up roles only)."""
    person = selectors.person_for(actor=request.user, pk=pk)
    members = keygroups.memberships(actor=request.user, person=person)
    may_edit = access.may(request.user, Action.RESIDENT_EDIT, person.household.building)
    form = KeyGroupMemberForm(request.POST or None, groups=keygroups.groups_for(person))
    if request.method == "POST":
        access.require_path(request.user, Action.RESIDENT_EDIT, person.area_path)
        if form.is_valid():
            data = dict(form.cleaned_data)
            group = data.pop("key_group")
            try:
                keygroups.do_key_group_add(
                    actor=actor(request),
                    person=person,
                    group=group,
                    follow_up=keygroups.FollowUp(**data),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return redirect("residents:person_key_groups", pk=person.pk)
    context = {"person": person, "members": members, "form": form, "may_edit": may_edit}
    return render(request, "residents/person_key_groups.html", context)


@login_required
def person_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a person to another household (registered first) within the user's scope."""
    person = selectors.person_for(actor=request.user, pk=pk, action=Action.RESIDENT_EDIT)
    form = MoveForm(request.POST or None, initial={"version": person.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = selectors.household_for(
                actor=request.user, pk=data["household"], action=Action.RESIDENT_EDIT
            )
            services.person_move(
                actor=actor(request), person=person, version=data["version"], household=target
            )
        except (Http404, PermissionDenied) as error:
            form.add_error("household", str(error) or _("您不能迁入这户。"))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("residents:household", pk=target.pk)
    return render(request, "residents/person_move.html", {"form": form, "person": person})


def _require_export(request: HttpRequest) -> None:
    if not access.scope_paths(request.user, Action.PII_EXPORT):
        raise PermissionDenied(_("您的角色不能申请或审批完整信息导出。"))


@login_required
def export_request_list(request: HttpRequest) -> HttpResponse:
    """Unmasked exports: those waiting for this user's decision, and their own."""
    _require_export(request)
    context = {
        "to_decide": selectors.export_requests_to_decide(actor=actor(request))[:100],
        "mine": selectors.export_requests_of(actor=actor(request))[:50],
    }
    return render(request, "residents/export_request_list.html", context)


@sensitive_post_parameters("reason")
@login_required
def export_request_new(request: HttpRequest) -> HttpResponse:
    """Ask for the unmasked ledger of an area (default: the user's first export scope)."""
    _require_export(request)
    code = request.GET.get("area", "")
    if code:
        area = access.area_for(request.user, code, Action.PII_EXPORT)
    else:
        area = access.scope_roots(request.user, Action.PII_EXPORT)[0]
    if (stepping_up := step_up_redirect(request)) is not None:
        return stepping_up
    form = ExportRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            export = export_requests.export_request_create(
                actor=actor(request), area=area, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("residents:export_request", pk=export.pk)
    context = {"form": form, "area": area, "expiry_hours": settings.EXPORT_EXPIRY_HOURS}
    return render(request, "residents/export_request_form.html", context)


@login_required
def export_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = selectors.export_request_for(actor=actor(request), pk=pk)
    if export.is_due:  # erased as soon as anyone looks at it after its time
        export_requests.export_purge(pk=export.pk)
        export = selectors.export_request_for(actor=actor(request), pk=pk)
    context = {
        "export": export,
        "is_requester": export.requested_by_id == request.user.pk,
        "decision": ExportDecisionForm(),
    }
    htmx = request.htmx  # type: ignore[attr-defined]
    template = (
        "residents/_export_request_status.html" if htmx else "residents/export_request_detail.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def export_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or decline someone else's request (after a fresh second-factor code)."""
    export = selectors.export_request_for(actor=actor(request), pk=pk)
    back = reverse("residents:export_request", args=[pk])
    if (stepping_up := step_up_redirect(request, back)) is not None:
        return stepping_up
    form = ExportDecisionForm(request.POST)
    if not form.is_valid():
        raise BadRequest(_("请选择批准或拒绝。"))
    try:
        if form.cleaned_data["decision"] == "approve":
            export_requests.export_request_approve(
                actor=actor(request), export=export, request=request
            )
        else:
            export_requests.export_request_decline(
                actor=actor(request), export=export, note=form.cleaned_data["note"], request=request
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(back)


@never_cache
@login_required
@require_POST
def export_request_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The approved unmasked file, for its requester (after a fresh second-factor code)."""
    export = selectors.export_request_for(actor=actor(request), pk=pk)
    back = reverse("residents:export_request", args=[pk])
    if not export.masked and (stepping_up := step_up_redirect(request, back)) is not None:
        return stepping_up
    export_requests.export_purge(pk=export.pk)
    try:
        data = export_requests.export_download(actor=actor(request), export=export, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    response = HttpResponse(data, content_type=XLSX)
    kind = "ledger" if export.masked else "ledger-full"
    name = f"{kind}-{export.area.code}-{export.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
