"""Removing or resetting a staff member's second factor, by every path there is, and
what has to go with it: her API tokens, which were made under the old one.

- Her own pages (allauth's "deactivate authenticator app" and "new recovery codes"):
  `deactivate_totp` and `generate_recovery_codes` are allauth's views with the
  revocation added, mounted at allauth's own addresses (see `doorway.urls`).
- The admin (Multi-factor authentication → Authenticators, where an administrator
  deletes the authenticator of someone who lost her phone): `AuthenticatorAdmin`, which
  deletes through `remove_authenticator` only.
- `doorway reset-second-factor --user NAME`, the same from the command line.

Each calls `revoke_all_tokens` itself, in the same transaction as the removal; no signal
is involved. And should an authenticator ever go by a path not listed here, token
authentication refuses a token whose owner has no second factor (`api.tokens.token_for`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.mfa.base.internal.flows import delete_dangling_recovery_codes
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.views import GenerateRecoveryCodesView
from allauth.mfa.totp.views import DeactivateTOTPView
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from doorway.api.tokens import revoke_all_tokens
from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.people.capabilities import staff_for
from doorway.web.administration import DoorwayAdmin, is_administrator
from doorway.web.http import staff_of

if TYPE_CHECKING:
    from doorway.people.models import User

REMOVED = "second factor removed"
RESET = "recovery codes reset"


@transaction.atomic
def remove_authenticator(
    authenticator: Authenticator, *, by: User | None, request: HttpRequest | None = None
) -> int:
    """Delete one authenticator of hers (and her recovery codes when nothing is left
    for them to back up), audit it, and revoke all her tokens. Returns how many tokens
    were revoked."""
    owner = authenticator.user
    kind = str(authenticator.type)
    authenticator.delete()
    delete_dangling_recovery_codes(owner)
    record(
        Action.CHANGE,
        actor=by,
        request=request,
        subject=owner,
        detail={
            "second_factor": f"{kind} removed",
            "via": "admin" if request is not None else "command",
        },
    )
    return revoke_all_tokens(owner, because=REMOVED, actor=by, request=request)


class StaffDeactivateTOTPView(DeactivateTOTPView):  # type: ignore[misc]  # allauth ships no types
    """allauth's page for turning off her authenticator app; her tokens go with it."""

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response: HttpResponse = super().form_valid(form)
            user = self.request.user
            revoke_all_tokens(user, because=REMOVED, actor=user, request=self.request)
        return response


class StaffGenerateRecoveryCodesView(GenerateRecoveryCodesView):  # type: ignore[misc]  # allauth ships no types
    """allauth's page for new recovery codes. New codes mean the old ones may be in
    someone else's hands, so her tokens are revoked too."""

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response: HttpResponse = super().form_valid(form)
            user = self.request.user
            revoke_all_tokens(user, because=RESET, actor=user, request=self.request)
        return response


deactivate_totp = StaffDeactivateTOTPView.as_view()
generate_recovery_codes = StaffGenerateRecoveryCodesView.as_view()


class AuthenticatorAdmin(DoorwayAdmin):
    """Who has which second factor, for administrators; deleting one (a lost phone)
    goes through `remove_authenticator`. Nothing is added or edited here: she sets up
    her own at her next sign-in."""

    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    fields = list_display
    readonly_fields = list_display

    def get_queryset(self, request: HttpRequest) -> QuerySet[Authenticator]:
        """Only the authenticators of accounts whose access she manages (the capability
        rule's `staff_for`): her own agency's; none for an administrator of no agency,
        who saw every agency's before. Removing one starts from here too."""
        queryset: QuerySet[Authenticator] = super().get_queryset(request)
        return queryset.filter(user__in=staff_for(request.user))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_administrator(request)

    def delete_model(self, request: HttpRequest, obj: Authenticator) -> None:
        remove_authenticator(obj, by=staff_of(request), request=request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Authenticator]) -> None:
        for authenticator in queryset.select_related("user"):
            if Authenticator.objects.filter(pk=authenticator.pk).exists():
                remove_authenticator(authenticator, by=staff_of(request), request=request)
