"""`doorway token create|list|revoke`: personal access tokens from the command line."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from doorway.api.models import AccessToken, Scope
from doorway.api.tokens import MAX_DAYS, issue_token, revoke_token
from doorway.people.models import User


def _user(username: str) -> User:
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None:
        raise CommandError(f"No staff account has the username {username!r}.")
    return user


class Command(BaseCommand):
    help = (
        "Personal access tokens for the API. A token acts as its owner: it reaches only "
        "what she reaches, a read token cannot write, and every token expires. "
        "`create` prints the token once; only its prefix and a digest are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="Make a token and print it, once.")
        create.add_argument("--user", required=True, help="The owner's username.")
        create.add_argument(
            "--scope", required=True, help="read (reads only) or write (reads and changes)."
        )
        create.add_argument(
            "--expires", required=True, help=f"Days until it expires, 1 to {MAX_DAYS}."
        )
        create.add_argument(
            "--name", default="Command line", help="What it is for (default: Command line)."
        )
        listing = sub.add_parser("list", help="Show a person's tokens (never the tokens).")
        listing.add_argument("--user", required=True, help="The owner's username.")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix (dw_…).")
        revoke.add_argument("prefix", help="The token's prefix, as `list` shows it.")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        getattr(self, f"_{subcommand}")(**options)

    def _create(self, *, user: str, scope: str, expires: str, name: str, **_: Any) -> None:
        owner = _user(user)
        try:
            token, secret = issue_token(owner, name=name, scope=scope.strip().lower(), days=expires)
        except ValidationError as error:
            problems = [
                f"--{field}: {message}" if field != "__all__" else message
                for field, messages in error.message_dict.items()
                for message in messages
            ]
            raise CommandError(" ".join(problems)) from None
        self.stderr.write(
            f"Made {Scope(token.scope).label.lower()} token {token.prefix}… “{token.name}” for "
            f"{owner.username}, expiring {token.expires_at:%Y-%m-%d %H:%M %Z}. Copy it now: "
            "it is not shown again."
        )
        # The token alone on stdout, so a script can capture it.
        self.stdout.write(secret)

    def _list(self, *, user: str, **_: Any) -> None:
        owner = _user(user)
        now = timezone.now()
        tokens = list(AccessToken.objects.filter(owner=owner))
        if not tokens:
            self.stdout.write(f"{owner.username} has no tokens.")
            return
        self.stdout.write(
            f"{'PREFIX':<12} {'SCOPE':<6} {'STATUS':<8} {'CREATED':<11} {'EXPIRES':<11} "
            f"{'LAST USED':<17} NAME"
        )
        for token in tokens:
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.prefix:<12} {token.scope:<6} {token.status_at(now).value:<8} "
                f"{token.created_at:%Y-%m-%d}  {token.expires_at:%Y-%m-%d}  {used:<17} "
                f"{token.name}"
            )

    def _revoke(self, *, prefix: str, **_: Any) -> None:
        prefix = prefix.strip().rstrip("…").rstrip(".")
        token = AccessToken.objects.filter(prefix=prefix[:11]).select_related("owner").first()
        if token is None or len(prefix) < 11:
            raise CommandError(
                f"No token has the prefix {prefix!r}. `doorway token list --user NAME` shows them."
            )
        if token.revoked_at is not None:
            self.stdout.write(f"Token {token.prefix} was already revoked; nothing changed.")
            return
        revoke_token(token)
        owner = token.owner.username
        done = f"Revoked {token.prefix} of {owner}: it no longer works."
        self.stdout.write(self.style.SUCCESS(done))
