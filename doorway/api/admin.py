"""Every account's API tokens, for administrators: what exists, whose, when last used,
and a way to revoke tokens (a lost laptop, a departing worker). Never the tokens
themselves, which Doorway does not keep; nobody makes a token here for someone else."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from doorway.api.models import AccessToken
from doorway.api.second_factor import AuthenticatorAdmin
from doorway.api.tokens import revoke_token
from doorway.people.capabilities import staff_for
from doorway.web.administration import DoorwayAdmin
from doorway.web.http import staff_of


@admin.register(AccessToken)
class AccessTokenAdmin(DoorwayAdmin):
    list_display = (
        "prefix",
        "name",
        "owner",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("scope", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("prefix", "name", "owner__username")
    ordering = ("-created_at",)
    list_select_related = ("owner",)
    fields = list_display
    readonly_fields = list_display
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccessToken]:
        """Only the tokens of accounts whose access she manages (the capability rule):
        her own agency's; none for an administrator of no agency. The list, each
        token's page and the revoke action all start from here."""
        queryset: QuerySet[AccessToken] = super().get_queryset(request)
        return queryset.filter(owner__in=staff_for(request.user))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[AccessToken]) -> None:
        live = [token for token in queryset if token.revoked_at is None]
        for token in live:
            revoke_token(token, actor=staff_of(request), request=request)
        self.message_user(request, f"Revoked {len(live)} token(s).", messages.SUCCESS)


# allauth's own admin for authenticators deletes rows and nothing else: ours deletes
# through `remove_authenticator`, which revokes her tokens with her second factor.
# Registered here, beside the tokens it protects.
admin.site.unregister(Authenticator)
admin.site.register(Authenticator, AuthenticatorAdmin)
