"""`doorway reset-second-factor --user NAME`: she lost her phone and her recovery codes."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from doorway.api.second_factor import remove_authenticator
from doorway.people.models import User


class Command(BaseCommand):
    help = (
        "Remove a staff member's second factor (authenticator app and recovery codes), as "
        "deleting it in the admin does: she sets up a new one at her next sign-in, and "
        "every API token she holds is revoked. Audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="Her username.")

    def handle(self, *args: Any, user: str, **options: Any) -> None:
        owner = User.objects.filter(username__iexact=user.strip()).first()
        if owner is None:
            raise CommandError(
                _("No staff account has the username %(username)r.") % {"username": user}
            )
        with transaction.atomic():
            authenticators = list(
                Authenticator.objects.select_for_update()
                .filter(user=owner)
                .exclude(type=Authenticator.Type.RECOVERY_CODES)
            )
            if not authenticators:
                raise CommandError(
                    _("%(username)s has no second factor set up; nothing changed.")
                    % {"username": owner.username}
                )
            revoked = 0
            for authenticator in authenticators:
                revoked += remove_authenticator(authenticator, by=None)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Removed the second factor of %(username)s and revoked %(revoked)d API "
                    "token(s). She sets up a new authenticator at her next sign-in."
                )
                % {"username": owner.username, "revoked": revoked}
            )
        )
