"""doorway erase: retention suggestions and erasures, with the pages' two-person rule.

    doorway erase list                                  the open requests
    doorway erase suggest [--daily]                     the retention pass now (--daily:
                                                        also queue it for every night)
    doorway erase propose CODE --by NAME --reason TEXT  propose erasing her record
    doorway erase approve ID --by NAME                  a second person approves: erased
    doorway erase decline ID --by NAME                  declined (or withdrawn)

`--by` names the staff account acting; she must be allowed to do it on the pages (the
same rule, `doorway.people.capabilities`), and the proposer may never approve. Every
step is audited as the pages' are. Output names codes and ids, never a name.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext, gettext_noop

from doorway.enrolments.access import participants_visible_to
from doorway.erasure import actions, tasks
from doorway.erasure.models import ErasureKind, ErasureRequest
from doorway.people.capabilities import Action, programs_for
from doorway.people.models import User


class Command(BaseCommand):
    help = gettext_noop(
        "Suggest, propose, approve or decline the erasure of a participant's record "
        "(two different people must agree)."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        self.help = gettext(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        steps = parser.add_subparsers(dest="step", required=True)
        steps.add_parser("list", help=gettext("The open requests."))
        suggest = steps.add_parser(
            "suggest", help=gettext("Suggest the records past their retention period.")
        )
        suggest.add_argument(
            "--daily", action="store_true", help=gettext("Also queue the pass for every night.")
        )
        propose = steps.add_parser("propose", help=gettext("Propose erasing her record."))
        propose.add_argument("code", help=gettext("Her code."))
        propose.add_argument("--by", required=True, help=gettext("Your username."))
        propose.add_argument("--reason", required=True, help=gettext("Why."))
        propose.add_argument("--kind", choices=ErasureKind.values, default=ErasureKind.HER_REQUEST)
        for name, text in [
            ("approve", gettext("Approve an erasure someone else proposed.")),
            ("decline", gettext("Decline (or withdraw) an erasure.")),
        ]:
            step = steps.add_parser(name, help=text)
            step.add_argument("request", help=gettext("The request's id."))
            step.add_argument("--by", required=True, help=gettext("Your username."))

    def handle(self, *args: Any, step: str, **options: Any) -> None:
        try:
            getattr(self, f"_{step}")(**options)
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(" ".join(_messages(error))) from error

    def _list(self, **options: Any) -> None:
        requests = ErasureRequest.objects.open().select_related("program", "proposed_by")
        for change in requests.order_by("suggested_at"):
            self.stdout.write(
                f"{change.pk}  {change.code}  {change.get_kind_display()}  "
                f"{change.get_status_display()}  {change.program.slug}  "
                f"{change.proposed_by.username if change.proposed_by else '-'}"
            )
        if not requests.exists():
            self.stdout.write(gettext("No erasure is waiting."))

    def _suggest(self, *, daily: bool = False, **options: Any) -> None:
        made = actions.suggest_past_retention()
        self.stdout.write(gettext("Records past their retention period: %(n)s new.") % {"n": made})
        if daily and tasks.schedule_next_daily() is not None:
            self.stdout.write(gettext("Nightly retention pass queued."))

    def _propose(self, *, code: str, by: str, reason: str, kind: str, **options: Any) -> None:
        person = _staff(by)
        participant = participants_visible_to(person).filter(code=code.strip()).first()
        if participant is None:
            raise CommandError(gettext("No record you reach has that code."))
        change = actions.propose_erasure(participant, by=person, reason=reason, kind=kind)
        self.stdout.write(
            gettext("Proposed: %(id)s. A second person must approve it.") % {"id": change.pk}
        )

    def _approve(self, *, request: str, by: str, **options: Any) -> None:
        person = _staff(by)
        change = _request_for(person, request)
        erased = actions.approve_erasure(change, by=person)
        if erased.kept_for_evaluation:
            self.stdout.write(
                gettext("Erased %(code)s; her de-identified evaluation rows were kept.")
                % {"code": change.code}
            )
        else:
            self.stdout.write(gettext("Erased %(code)s.") % {"code": change.code})

    def _decline(self, *, request: str, by: str, **options: Any) -> None:
        person = _staff(by)
        actions.decline_erasure(_request_for(person, request), by=person)
        self.stdout.write(gettext("Declined."))


def _staff(username: str) -> User:
    person = User.objects.filter(username__iexact=username.strip(), is_active=True).first()
    if person is None:
        raise CommandError(gettext("No active staff account has that username."))
    return person


def _request_for(person: User, request_id: str) -> ErasureRequest:
    programs = programs_for(person, Action.PROPOSE_ERASURE)
    try:
        change = ErasureRequest.objects.in_programs(programs).filter(pk=request_id).first()
    except ValidationError:
        change = None
    if change is None:
        raise CommandError(gettext("No erasure request you reach has that id."))
    return change


def _messages(error: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(error, ValidationError):
        return [str(m) for m in error.messages]
    return [str(error)]
