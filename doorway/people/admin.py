"""Staff accounts and teams, for administrators.

Participants, their consents, safety flags and break-the-glass grants are deliberately
not registered here: participant content is reached only through the participant
pages, which apply `visible_to(user)` and audit every read. Break-the-glass grants are
on the audit log (`/audit/`) and on the administrator's own break-the-glass page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from doorway.people.capabilities import staff_for
from doorway.people.models import Team, User
from doorway.programs.models import Agency
from doorway.web.administration import DoorwayAdmin
from doorway.web.http import staff_of


class StaffChangeForm(UserChangeForm[User]):
    """Names, e-mail and password only: what an account may reach (role, agency,
    programs, teams, flags) changes through `doorway.people.staff.actions`, on the staff pages,
    where giving access needs a second administrator."""

    class Meta(UserChangeForm.Meta):
        model = User
        fields = ("username", "password", "first_name", "last_name", "email")  # type: ignore[assignment]  # django-stubs: UserChangeForm's Meta says "__all__", a str


ACCESS_FIELDS = (
    "role",
    "agency",
    "programs_list",
    "teams_list",
    "is_active",
    "is_staff",
    "is_superuser",
    "is_demo_account",
)


@admin.register(User)
class StaffAdmin(DoorwayAdmin, UserAdmin[User]):
    form = StaffChangeForm
    list_display = ("username", "first_name", "last_name", "role", "agency", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("username",)
    readonly_fields = ("last_login", "date_joined", *ACCESS_FIELDS)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Access"),
            {
                "fields": ACCESS_FIELDS,
                "description": _(
                    "Role, programs, teams and account flags change on the staff access "
                    "page (/staff/), where giving access waits for a second administrator. "
                    "Deactivate an account rather than deleting it."
                ),
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (_("Person"), {"fields": ("first_name", "last_name")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return staff_for(request.user).select_related("agency")

    @admin.display(description=_("Programs"))
    def programs_list(self, user: User) -> str:
        return ", ".join(p.name for p in user.programs.order_by("name"))

    @admin.display(description=_("Teams"))
    def teams_list(self, user: User) -> str:
        return ", ".join(t.name for t in user.teams.order_by("name"))

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Her own password only. Another account's goes through the staff access page
        and a second administrator: an administrator who set it could remove the second
        factor in the admin and sign in as her."""
        if str(id) != str(request.user.pk):
            raise PermissionDenied(gettext("Ask for a new password on the staff access page."))
        return super().user_change_password(request, id, form_url)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            # A new account belongs to her administrator's agency and has no role (so
            # no access) until one is given on the staff access page.
            obj.agency_id = staff_of(request).agency_id
            obj.role = ""
        super().save_model(request, obj, form, change)


@admin.register(Team)
class TeamAdmin(DoorwayAdmin):
    """Teams of her agency; members change on the staff access page."""

    list_display = ("name", "agency")
    search_fields = ("name",)
    fields = ("name", "agency", "member_list")
    readonly_fields = ("member_list",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return super().get_queryset(request).filter(agency=staff_of(request).agency_id)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "agency":
            agency_id = staff_of(request).agency_id
            kwargs["queryset"] = (
                Agency.objects.filter(pk=agency_id) if agency_id else Agency.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("Members"))
    def member_list(self, team: Team) -> str:
        return ", ".join(str(u) for u in team.members.order_by("username"))
