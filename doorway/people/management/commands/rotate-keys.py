"""`doorway rotate-keys`: re-encrypt every encrypted value under the newest key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from doorway import encryption, keycheck
from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.keyrotation import Progress, rotate_model


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field (identities, notes, their history, second-factor "
        "secrets) with the first key in DOORWAY_FIELD_KEYS, while Doorway keeps serving: "
        "an edit made meanwhile is never overwritten. Values already under the first key "
        "are skipped, so a run that stopped resumes where it was. Remove an old key only "
        "after a run reports that nothing is left under it (README, Keys)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        total = Progress()
        for model, columns in encryption.encrypted_models():
            label = model._meta.label

            def report(progress: Progress, label: str = label) -> None:
                if options["verbosity"] > 1:
                    self.stdout.write(
                        _("%(table)s: %(rotated)d re-encrypted, %(skipped)d already done so far")
                        % {"table": label, "rotated": progress.rotated, "skipped": progress.skipped}
                    )

            progress = rotate_model(model, columns, batch_size, report)
            if progress.rotated or progress.left:
                self.stdout.write(
                    _(
                        "%(table)s: %(rotated)d rows re-encrypted, %(skipped)d already under "
                        "the newest key"
                    )
                    % {"table": label, "rotated": progress.rotated, "skipped": progress.skipped}
                )
            self._add(total, progress)
        self._add(total, self._rotate_second_factors())
        if total.skipped:
            self.stdout.write(
                _(
                    "Skipped %(skipped)d rows already under the newest key (re-encrypted by an "
                    "earlier run, which this one resumed, or written since the key was put first)."
                )
                % {"skipped": total.skipped}
            )
        record(Action.KEYS_ROTATED, detail={"rows": total.rotated, "left": total.left})
        if total.left:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "%(left)d rows changed at every try and are still under an older key: "
                        "run `doorway rotate-keys` again before removing any key."
                    )
                    % {"left": total.left}
                )
            )
            return
        # Last, once nothing else is: until then, a removed old key fails the key check.
        keycheck.rotate_field_canary()
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Done: %(rows)d rows re-encrypted. Nothing is left under an older key: "
                    "the old keys may be removed from DOORWAY_FIELD_KEYS."
                )
                % {"rows": total.rotated}
            )
        )

    @staticmethod
    def _add(total: Progress, progress: Progress) -> None:
        total.rotated += progress.rotated
        total.skipped += progress.skipped
        total.left += progress.left

    def _rotate_second_factors(self) -> Progress:
        """TOTP secrets and recovery-code seeds sit, encrypted, inside allauth's JSON."""
        from allauth.mfa.models import Authenticator

        from doorway.people.signin import ENCRYPTED_PREFIX

        progress = Progress()
        with transaction.atomic():
            for authenticator in Authenticator.objects.select_for_update():
                data = dict(authenticator.data)
                for key in ("secret", "seed"):
                    value = data.get(key)
                    if isinstance(value, str) and value.startswith(ENCRYPTED_PREFIX):
                        token = value.removeprefix(ENCRYPTED_PREFIX)
                        if not encryption.under_newest_key(token):
                            data[key] = ENCRYPTED_PREFIX + encryption.rotate(token)
                if data != authenticator.data:
                    authenticator.data = data
                    authenticator.save(update_fields=["data"])
                    progress.rotated += 1
                elif any(
                    isinstance(data.get(key), str) and data[key].startswith(ENCRYPTED_PREFIX)
                    for key in ("secret", "seed")
                ):
                    progress.skipped += 1
        if progress.rotated:
            self.stdout.write(
                _("mfa.Authenticator: %(rotated)d rows re-encrypted")
                % {"rotated": progress.rotated}
            )
        return progress
