"""The admin pages of the libraries Doorway installs, scoped like its own.

Administrators may be superusers (the demo makes them so), and a superuser sees every
model registered in the admin. The libraries register theirs for every account of every
agency, so each is either taken out of the admin or replaced by one that shows only the
rows of the accounts whose access she manages (the capability rule's `staff_for`: her
own agency's, none for an administrator of no agency):

- axes' access attempts: scoped to her agency's staff's usernames, viewed and deleted
  (deleting them lifts a lockout: README, "Signing in"), every deletion audited; axes'
  clean-up of expired attempts, which reaches every agency's, is not offered;
- axes' access and failure logs: out (usernames and addresses of everyone; the audit
  log keeps sign-ins and failures, scoped on its page);
- allauth's user sessions: out (each person lists and ends her own at
  /accounts/sessions/; deleting the row here would not end the session anyway);
- allauth's email addresses: out (changing another account's address would let its
  password reset go elsewhere; an account's address is edited with the account);
- django-tasks-db's task results: out (their arguments hold record ids).
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django_tasks_db.models import DBTaskResult

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.people.capabilities import staff_for
from doorway.web.administration import DoorwayAdmin, is_administrator

# The configuration models' admin pages read who may configure (people), so they sit in
# web, where the admin's discovery (an app's admin module) does not look for them.
from doorway.web.configuration import admin as configuration_admin  # noqa: F401

for model in (AccessLog, AccessFailureLog, UserSession, EmailAddress, DBTaskResult):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


def _her_staffs_usernames(request: HttpRequest) -> list[str]:
    usernames = list(staff_for(request.user).values_list("username", flat=True))
    # axes counts usernames whatever their case (`lockout_username`).
    return sorted({*usernames, *(name.lower() for name in usernames)})


class ScopedAccessAttemptAdmin(DoorwayAdmin, AccessAttemptAdmin):  # type: ignore[misc]  # django-axes ships no types
    """Failed sign-ins of her own agency's staff; deleting them lifts the lockout."""

    actions: Any = ["delete_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccessAttempt]:
        queryset: QuerySet[AccessAttempt] = super().get_queryset(request)
        return queryset.filter(username__in=_her_staffs_usernames(request))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_administrator(request)

    def delete_model(self, request: HttpRequest, obj: AccessAttempt) -> None:
        self.delete_queryset(request, self.get_queryset(request).filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        # Only her own staff's rows, whatever was posted.
        attempts = list(queryset.filter(pk__in=self.get_queryset(request).values("pk")))
        for username in sorted({attempt.username for attempt in attempts if attempt.username}):
            record(
                Action.CHANGE,
                request=request,
                subject=staff_for(request.user).filter(username__iexact=username).first(),
                detail={"lockout": "lifted", "via": "admin"},
            )
        AccessAttempt.objects.filter(pk__in=[attempt.pk for attempt in attempts]).delete()


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, ScopedAccessAttemptAdmin)
