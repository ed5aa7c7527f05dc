"""Staff access pages, for administrators: her agency's staff, a proposed change with
its reason, the changes waiting for a second administrator, approve or decline.

Views parse and render; `doorway.people.staff.actions` checks, writes and audits. A role that
never manages staff gets 403; an account or request of another agency answers 404,
audited, as a record out of reach does."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from doorway.audit.refusal import refuse
from doorway.people.capabilities import Action, may, programs_for, staff_for
from doorway.people.models import AccessChangeRequest, AccessChangeStatus, Team, User
from doorway.people.roles import Role
from doorway.people.staff.actions import (
    access_of,
    approve_access_change,
    change_staff_access,
    decline_access_change,
)
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest


def _administrator(request: AuthenticatedHttpRequest) -> User:
    user = request.user
    if not may(user, Action.MANAGE_STAFF):
        raise PermissionDenied(_("Staff access is managed by administrators."))
    return user


def _account(request: AuthenticatedHttpRequest, user_id: Any) -> User:
    account = staff_for(request.user).filter(pk=user_id).first()
    if account is None:
        refuse(request, object_id=user_id, object_type="people.User")
    return account


def _pending(request: AuthenticatedHttpRequest, request_id: Any) -> AccessChangeRequest:
    user = request.user
    change = (
        AccessChangeRequest.objects.filter(
            pk=request_id, agency=user.agency_id, status=AccessChangeStatus.PENDING
        )
        .select_related("subject", "requested_by")
        .first()
    )
    if change is None:
        refuse(request, object_id=request_id, object_type="people.AccessChangeRequest")
    return change


class StaffAccessForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    programs = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Programs"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    teams = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Teams"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Case managers on a team see each other's caseloads."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active account"), required=False)
    is_staff = forms.BooleanField(label=gettext_lazy("May use the admin site"), required=False)
    is_superuser = forms.BooleanField(label=gettext_lazy("Superuser"), required=False)
    is_demo_account = forms.BooleanField(
        label=gettext_lazy("Demo account (may skip the second factor on a demo)"),
        required=False,
    )
    new_password = forms.BooleanField(
        label=gettext_lazy("Give her a new temporary password (she forgot hers)"),
        required=False,
        help_text=gettext_lazy(
            "No one administrator knows it: you are shown its first half once, now; the "
            "administrator who approves is shown the second half once. Each of you gives "
            "her your half."
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept, encrypted, with the request and shown to the approver."),
    )

    def __init__(self, *args: Any, by: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programs"].queryset = programs_for(by, Action.MANAGE_STAFF).order_by("name")  # type: ignore[attr-defined]  # a ModelMultipleChoiceField, typed as a Field
        self.fields["teams"].queryset = Team.objects.filter(agency=by.agency_id).order_by("name")  # type: ignore[attr-defined]  # a ModelMultipleChoiceField, typed as a Field


def _initial(account: User) -> dict[str, Any]:
    access = access_of(account)
    return {
        "role": access["role"],
        "programs": access["programs"],
        "teams": access["teams"],
        **{
            flag: access[flag]
            for flag in ("is_active", "is_staff", "is_superuser", "is_demo_account")
        },
    }


LABELS = {
    "role": gettext_lazy("Role"),
    "agency": gettext_lazy("Agency"),
    "programs": gettext_lazy("Programs"),
    "teams": gettext_lazy("Teams"),
    "is_active": gettext_lazy("Active account"),
    "is_staff": gettext_lazy("May use the admin site"),
    "is_superuser": gettext_lazy("Superuser"),
    "is_demo_account": gettext_lazy("Demo account"),
    "new_password": gettext_lazy("New temporary password"),
}


def _differences(change: AccessChangeRequest, names: dict[str, str]) -> list[tuple[str, str, str]]:
    """What the request changes, readable: (what, before, after)."""

    def shown(key: str, value: Any) -> str:
        if key == "role":
            return str(Role(value).label) if value in Role.values else ""
        if key in {"programs", "teams"}:
            return ", ".join(sorted(names.get(pk, "?") for pk in value))
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return str(value or "")

    return [
        (str(LABELS.get(key, key)), shown(key, change.before.get(key)), shown(key, value))
        for key, value in change.after.items()
        if change.before.get(key) != value
    ]


@login_required
@require_http_methods(["GET"])
def staff_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = _administrator(request)
    staff = list(
        staff_for(user).prefetch_related("programs", "teams").order_by("last_name", "username")
    )
    pending = list(
        AccessChangeRequest.objects.filter(agency=user.agency_id, status=AccessChangeStatus.PENDING)
        .select_related("subject", "requested_by")
        .order_by("requested_at")
    )
    names = {str(p.pk): p.name for p in programs_for(user, Action.MANAGE_STAFF)}
    names.update({str(t.pk): t.name for t in Team.objects.filter(agency=user.agency_id)})
    for change in pending:
        change.differences = _differences(change, names)  # type: ignore[attr-defined]  # an attribute of ours on the change, for the template
    return render(
        request,
        "people/staff/list.html",
        {"staff": staff, "pending": pending, "me": user},
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_change(request: AuthenticatedHttpRequest, user_id: Any) -> HttpResponse:
    user = _administrator(request)
    account = _account(request, user_id)
    if account.pk == user.pk:
        raise PermissionDenied(_("Nobody changes her own access; ask another administrator."))
    pending = AccessChangeRequest.objects.filter(
        subject=account, status=AccessChangeStatus.PENDING
    ).first()
    form = StaffAccessForm(request.POST or None, by=user, initial=_initial(account))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            waiting = change_staff_access(
                account,
                by=user,
                reason=data.pop("reason"),
                **data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if waiting is not None and waiting.password_half:
                return _half_page(request, waiting.subject, waiting.password_half, first=True)
            if waiting is None:
                messages.success(request, _("Done: the account's access has changed."))
            else:
                messages.info(
                    request,
                    _("Asked: the change takes effect when another administrator approves it."),
                )
            return redirect("staff_list")
    return render(
        request,
        "people/staff/change.html",
        {"account": account, "form": form, "pending": pending},
    )


def _half_page(
    request: AuthenticatedHttpRequest, account: User, half: str, *, first: bool
) -> HttpResponse:
    """Her half of a temporary password, shown once, on this page only: never in a
    message, a log or a URL, and never cached."""
    response = render(
        request,
        "people/staff/temporary_password.html",
        {"account": account, "half": half, "first": first},
    )
    response["Cache-Control"] = "no-store"
    return response


def _decide(request: AuthenticatedHttpRequest, request_id: Any, approve: bool) -> HttpResponse:
    user = _administrator(request)
    change = _pending(request, request_id)
    try:
        if approve:
            second_half = approve_access_change(change, by=user)
            if second_half is not None:
                return _half_page(request, change.subject, second_half, first=False)
            messages.success(request, _("Approved: the change has taken effect."))
        else:
            decline_access_change(change, by=user)
            messages.success(request, _("Declined: nothing changed."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("staff_list")


@login_required
@require_POST
def access_request_approve(request: AuthenticatedHttpRequest, request_id: Any) -> HttpResponse:
    return _decide(request, request_id, approve=True)


@login_required
@require_POST
def access_request_decline(request: AuthenticatedHttpRequest, request_id: Any) -> HttpResponse:
    return _decide(request, request_id, approve=False)
