"""The research export: one de-identified row per consenting woman, and a data
dictionary, in a ZIP.

What makes it de-identified:

- Only women whose consent to the evaluation research is in force today
  (`cohort.evaluation_enrolments`): a woman who withdraws is in no later export.
- A fresh random pseudonym per export: no participant code, no record id, and the
  same woman has a different pseudonym in each export, so two exports cannot be
  joined. Rows are shuffled.
- No dates: each date becomes whole months since her referral (her enrolment).
- No free text and no identifying field (names, date of birth, phone, email, notes,
  reasons): only codes, counts and 1-10 ratings.
- Whole cycles only (`disclosure.published_cohort`): two exports never differ by one
  woman.
- k-anonymity and l-diversity before release (`anonymise`, `SMALL_CELL_RULE`): on the
  columns someone who knows her could know (`QUASI_IDENTIFIERS`: cycle, referral source,
  furthest phase, how she left, months enrolled), every row looks like at least
  `K` - 1 others, and among those rows her involvement in sex work takes at least `L`
  different values at each timepoint. Counts are banded from the start; where that is
  not enough, columns are generalised as little as will do (`LEVELS`); rows that
  still fail are withheld. The data dictionary says what was generalised and how many
  rows were withheld. Fewer than `K` women and the export is refused.

Every export is audited: who and what (rows, columns, what was generalised and
withheld, the cohort), and why: the reason is required and kept encrypted in its
`ResearchExportRecord`, which the audit entry names.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import secrets
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.casework.models import Contact
from doorway.dropins.models import Attendance
from doorway.evaluation.cohort import Cohort, evaluation_enrolments
from doorway.evaluation.outcomes import BASELINE, LATER, progress
from doorway.evaluation.suppress import THRESHOLD
from doorway.instruments.models import Answer, Timepoint
from doorway.instruments.progress import OLDEST_FIRST

if TYPE_CHECKING:
    from doorway.people.models import User

SUPPRESSED_VALUE = "suppressed"
OTHER = "other"
INVOLVEMENT_ITEM = "sex_work_involvement"
INVOLVEMENT_TIMEPOINTS = (Timepoint.INTAKE, Timepoint.GRADUATION, Timepoint.FOLLOW_UP)
# Columns that describe her and that someone who knows her could know: together they
# must not single her out.
QUASI_IDENTIFIERS = ("cycle", "referral_source", "phase_reached", "exit_reason", "months_enrolled")
# What the export is about, and must not be read off a group of look-alike rows.
SENSITIVE = tuple(f"involvement_{tp}" for tp in INVOLVEMENT_TIMEPOINTS)
K = THRESHOLD  # every row looks like at least K - 1 others
L = 2  # distinct involvement answers among them, at each timepoint

SMALL_CELL_RULE = format_lazy(
    gettext_lazy(
        "Disclosure check: an export of fewer than {k} women is refused. On the columns "
        "{columns}, every row is identical to at least {others} others (k-anonymity, "
        "k = {k}), and within each such group the answers on involvement in sex work "
        "take at least {l} different values at each timepoint where any is given "
        "(l-diversity, l = {l}). Counts and months are given in bands; rare values are "
        "grouped as “{other}”; columns are coarsened further where needed, and rows that "
        "still fail are withheld. The data dictionary says what was done."
    ),
    k=K,
    columns=", ".join(QUASI_IDENTIFIERS),
    others=K - 1,
    l=L,
    other=OTHER,
)


class ExportRefused(ValidationError):
    pass


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    values: str


@dataclass
class ResearchExport:
    cohort: Cohort
    columns: list[Column]
    rows: list[dict[str, Any]]
    suppressed: dict[str, int] = field(default_factory=dict)
    made_on: datetime.date = field(default_factory=timezone.localdate)
    generalised: list[str] = field(default_factory=list)

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=[c.name for c in self.columns])
        writer.writeheader()
        writer.writerows(self.rows)
        return out.getvalue()

    def dictionary(self) -> str:
        lines = [
            _("# Research export: %(program)s") % {"program": self.cohort.program.name},
            "",
            _("Made on %(day)s. Cohort: %(cohort)s.")
            % {"day": self.made_on.isoformat(), "cohort": self.cohort.describe()},
            _("%(rows)s rows, one per woman who consented to the evaluation research.")
            % {"rows": len(self.rows)},
            "",
            _(
                "Pseudonyms are random and new in every export, and no column holds an "
                "identifier from Doorway's records. Dates are given as whole months since "
                "her referral (month 0). There is no free text and no identifying field. "
                "Rows are anonymous within this export only: two exports of overlapping "
                "cycles, each generalised differently, can be lined up row to row by the "
                "ratings and answers, and what one export generalised away the other may "
                "show."
            ),
            "",
            str(SMALL_CELL_RULE),
            "",
            _(
                "The column names in the CSV are identifiers: they are the same in every "
                "language, so that an analysis written for one export reads the next. What "
                "each column means is given below, in the language of whoever took the export."
            ),
            "",
        ]
        lines.append(_("What was generalised in this export:"))
        lines += [f"- {step}" for step in self.generalised]
        withheld = self.suppressed.get("rows", 0)
        if withheld:
            lines.append(
                _(
                    "- %(withheld)s rows withheld: they still matched fewer than %(others)s "
                    "others, or their group's involvement answers were all the same."
                )
                % {"withheld": withheld, "others": K - 1}
            )
        else:
            lines.append(_("- No row needed to be withheld."))
        lines += [
            "",
            f"| {_('Column')} | {_('Meaning')} | {_('Values')} |",
            "|---|---|---|",
        ]
        lines += [f"| {c.name} | {c.meaning} | {c.values} |" for c in self.columns]
        return "\n".join(lines) + "\n"

    def zip(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("research-export.csv", self.csv())
            archive.writestr("data-dictionary.md", self.dictionary())
        return buffer.getvalue()

    def filename(self) -> str:
        return f"{self.cohort.program.slug}-research-export-{self.made_on.isoformat()}.zip"


def months_between(start: datetime.date, day: datetime.date | None) -> int | str:
    """Whole months from `start` to `day` (0 in the first month); "" without a day."""
    if day is None:
        return ""
    months = (day.year - start.year) * 12 + day.month - start.month
    if day.day < start.day:
        months -= 1
    return max(months, 0)


def columns_for(area_slugs: list[str]) -> list[Column]:
    other = {"other": OTHER}
    bands = _("a band: %(bands)s") % {"bands": ", ".join(BANDS)}
    columns = [
        Column("pseudonym", _("Random name for this row, new in every export"), _("text")),
        Column("cycle", _("Program cycle she was enrolled in"), _("cycle name, or all")),
        Column("referral_source", _("Who referred her"), _("code, %(other)s, or all") % other),
        Column(
            "phase_reached",
            _("Furthest phase reached (0 = pre-phase)"),
            _("number, a range such as 0-2, or all"),
        ),
        Column(
            "exit_reason",
            _("How she left the program; blank while enrolled"),
            _("code, %(other)s, left (any reason but graduated), or all") % other,
        ),
        Column(
            "months_enrolled",
            _("Months from referral to leaving (or to the export)"),
            _("a band of months, or all"),
        ),
        Column("dropin_sessions", _("Drop-in sessions attended"), bands),
        Column("contacts", _("Contacts recorded with her"), bands),
    ]
    for slug in area_slugs:
        columns += [
            Column(
                f"{slug}_baseline",
                _("Baseline, %(area)s: %(definition)s") % {"area": slug, "definition": BASELINE},
                _("1-10, or blank: no intake rating"),
            ),
            Column(
                f"{slug}_latest",
                _("Later rating, %(area)s: %(definition)s The outcome tables count the same pairs.")
                % {"area": slug, "definition": LATER},
                _("1-10, or blank: no baseline, or no later rating dated on or after it"),
            ),
            Column(
                f"{slug}_latest_month",
                _("Months from referral to the later rating, %(area)s") % {"area": slug},
                _("a band of months, or blank (no later rating)"),
            ),
        ]
    for tp in INVOLVEMENT_TIMEPOINTS:
        columns.append(
            Column(
                f"involvement_{tp}",
                _("Involvement in sex work at %(timepoint)s")
                % {"timepoint": str(Timepoint(tp).label).lower()},
                _("not_at_all, rarely, sometimes, often, always, at_risk, or blank"),
            )
        )
    return columns


def build_export(cohort: Cohort) -> ResearchExport:
    """The export's rows, in a fixed number of queries. ExportRefused when too few women
    would be in it."""
    enrolments = list(
        evaluation_enrolments(cohort).select_related("cycle", "current_phase").order_by("pk")
    )
    if len(enrolments) < THRESHOLD:
        raise ExportRefused(
            _(
                "Fewer than %(threshold)s women in this cohort consented to the evaluation "
                "research: an export this small could identify them, so none was made."
            )
            % {"threshold": THRESHOLD}
        )
    ids = [e.pk for e in enrolments]
    areas = list(cohort.program.active_focus_areas())
    # Her baseline and later rating in each area: the outcome tables' own pairs.
    pairs: dict[Any, dict[Any, tuple[int, int | None, datetime.date | None]]] = {}
    for enrolment_id, area_id, baseline, later, later_on in progress(
        evaluation_enrolments(cohort), areas
    ).values_list("enrolment_id", "focus_area_id", "baseline", "later", "later_on"):
        pairs.setdefault(enrolment_id, {})[area_id] = (baseline, later, later_on)
    # Her involvement at each timepoint as the outcome tables read it: her first answer
    # at intake, her latest at graduation and at follow-up.
    answers = (
        Answer.objects.filter(administration__enrolment__in=ids, item__code=INVOLVEMENT_ITEM)
        .exclude(choices=[])
        .order_by(*OLDEST_FIRST)
        .values_list("administration__enrolment_id", "administration__timepoint", "choices")
    )
    involvement: dict[Any, dict[str, str]] = {}
    for enrolment_id, timepoint, choices in answers:
        hers = involvement.setdefault(enrolment_id, {})
        if timepoint != Timepoint.INTAKE or timepoint not in hers:
            hers[timepoint] = str(choices[0])
    sessions = _counts(Attendance.objects.filter(enrolment__in=ids))
    contacts = _counts(Contact.objects.filter(enrolment__in=ids))

    today = timezone.localdate()
    names = _pseudonyms(len(enrolments))
    rows = []
    for name, e in zip(names, enrolments, strict=True):
        start = e.referred_on
        row: dict[str, Any] = {
            "pseudonym": name,
            "cycle": e.cycle.name,
            "referral_source": e.referral_source,
            "phase_reached": e.current_phase.order,
            "exit_reason": e.exit_reason,
            "months_enrolled": months_between(start, e.exited_on or today),
            "dropin_sessions": band(sessions.get(e.pk, 0)),
            "contacts": band(contacts.get(e.pk, 0)),
        }
        for area in areas:
            pair = pairs.get(e.pk, {}).get(area.pk)
            later, later_on = (pair[1], pair[2]) if pair else (None, None)
            row[f"{area.slug}_baseline"] = pair[0] if pair else ""
            row[f"{area.slug}_latest"] = "" if later is None else later
            row[f"{area.slug}_latest_month"] = (
                "" if later_on is None else months_band(months_between(start, later_on))
            )
        for tp in INVOLVEMENT_TIMEPOINTS:
            row[f"involvement_{tp}"] = involvement.get(e.pk, {}).get(tp, "")
        rows.append(row)
    kept, generalised, withheld = anonymise(rows)
    if len(kept) < K:
        raise ExportRefused(
            _(
                "Fewer than %(k)s rows would be left once no woman can be singled out: an "
                "export this small could identify them, so none was made."
            )
            % {"k": K}
        )
    secrets.SystemRandom().shuffle(kept)
    export = ResearchExport(cohort, columns_for([a.slug for a in areas]), kept, made_on=today)
    export.suppressed = {"rows": withheld}
    export.generalised = generalised
    return export


def _counts(queryset: Any) -> dict[Any, int]:
    return dict(
        queryset.values("enrolment_id").annotate(n=Count("pk")).values_list("enrolment_id", "n")
    )


def _pseudonyms(n: int) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        names.add("P-" + secrets.token_hex(4).upper())
    return list(names)


# --- k-anonymity and l-diversity ----------------------------------------------------------

BANDS = ("0", "1-4", "5-9", "10-19", "20+")
ALL = "all"


def band(count: int) -> str:
    """A count as a band (`BANDS`)."""
    if count <= 0:
        return "0"
    for upper, name in ((4, "1-4"), (9, "5-9"), (19, "10-19")):
        if count <= upper:
            return name
    return "20+"


def months_band(months: int | str) -> str:
    """Months in the bands of a CTI journey: before, around and after its nine months."""
    if months == "":
        return ""
    m = int(months)
    if m <= 5:
        return "0-5"
    if m <= 8:
        return "6-8"
    if m <= 11:
        return "9-11"
    return "12+"


def _rare_as_other(values: list[Any]) -> list[Any]:
    counts = Counter(values)
    return [OTHER if v not in ("", ALL) and counts[v] < K else v for v in values]


def _months_coarse(value: Any) -> Any:
    return {"0-5": "0-8", "6-8": "0-8", "9-11": "9+", "12+": "9+"}.get(value, value)


def _phase_coarse(value: Any) -> Any:
    return value if value in ("", ALL) or int(value) >= 3 else "0-2"


def _exit_coarse(value: Any) -> Any:
    return value if value in ("", "graduated", ALL) else "left"


def _each(recode: Any) -> Any:
    return lambda values: [recode(v) for v in values]


def _everything(values: list[Any]) -> list[Any]:
    return [ALL] * len(values)


# For each describing column, its levels of generalisation, least first: (what the data
# dictionary says, how the column's values are recoded). Level 0 is always applied.
LEVELS: dict[str, tuple[tuple[StrOrPromise, Any], ...]] = {
    "months_enrolled": (
        (gettext_lazy("months_enrolled in bands of 0-5, 6-8, 9-11 and 12+"), _each(months_band)),
        (
            gettext_lazy("months_enrolled in bands of 0-8 and 9+"),
            _each(lambda v: _months_coarse(months_band(v))),
        ),
        (gettext_lazy("months_enrolled left out (all)"), _everything),
    ),
    "referral_source": (
        ("", lambda values: values),
        (
            format_lazy(
                gettext_lazy("referral sources of fewer than {k} women grouped as “{other}”"),
                k=K,
                other=OTHER,
            ),
            _rare_as_other,
        ),
        (gettext_lazy("referral_source left out (all)"), _everything),
    ),
    "exit_reason": (
        ("", lambda values: values),
        (
            gettext_lazy("exit_reason as graduated, left, or blank (still enrolled)"),
            _each(_exit_coarse),
        ),
        (gettext_lazy("exit_reason left out (all)"), _everything),
    ),
    "phase_reached": (
        ("", lambda values: values),
        (gettext_lazy("phase_reached as 3, or 0-2"), _each(_phase_coarse)),
        (gettext_lazy("phase_reached left out (all)"), _everything),
    ),
    "cycle": (
        ("", lambda values: values),
        (gettext_lazy("cycle left out (all)"), _everything),
    ),
}
ALWAYS = gettext_lazy(
    "drop-in sessions, contacts and months of the latest rating in bands; no dates and no free text"
)
# Withholding this share of rows or fewer is better than coarsening further.
WITHHOLD_AT_MOST = 0.05


def failing_rows(rows: list[dict[str, Any]]) -> set[int]:
    """Indexes of rows in a group (same quasi-identifiers) of fewer than K, or whose
    group's answers at some timepoint, where any is given, take fewer than L values."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(tuple(row[c] for c in QUASI_IDENTIFIERS), []).append(index)
    failing: set[int] = set()
    for members in groups.values():
        if len(members) < K or not _diverse([rows[i] for i in members]):
            failing.update(members)
    return failing


def _diverse(rows: list[dict[str, Any]]) -> bool:
    for column in SENSITIVE:
        given = {row[column] for row in rows if row.get(column, "") != ""}
        if given and len(given) < L:
            return False
    return True


def _generalised(rows: list[dict[str, Any]], levels: dict[str, int]) -> list[dict[str, Any]]:
    out = [dict(row) for row in rows]
    for column, level in levels.items():
        values = LEVELS[column][level][1]([row[column] for row in rows])
        for row, value in zip(out, values, strict=True):
            row[column] = value
    return out


def anonymise(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str], int]:
    """(rows kept, what was generalised, rows withheld). Full-domain generalisation:
    of every combination of levels (`LEVELS`, a few hundred), the one that coarsens
    least (the sum of its levels; then the fewest rows withheld) among those after
    which at most `WITHHOLD_AT_MOST` of the rows fail k-anonymity or l-diversity; then
    those rows are withheld. Leaving out every column but the cycle always works when
    each cycle has K women or more. The rows given are not changed."""
    columns = list(LEVELS)
    limit = WITHHOLD_AT_MOST * len(rows)
    best: tuple[tuple[bool, int, int], dict[str, int], list[dict[str, Any]], set[int]] | None
    best = None
    for combination in itertools.product(*(range(len(LEVELS[c])) for c in columns)):
        levels = dict(zip(columns, combination, strict=True))
        candidate = _generalised(rows, levels)
        failing = failing_rows(candidate)
        # Acceptable first, then the least coarsening, then the fewest withheld.
        rank = (len(failing) > limit, sum(combination), len(failing))
        if best is None or rank < best[0]:
            best = (rank, levels, candidate, failing)
    assert best is not None
    _rank, levels, generalised, failing = best
    done = [str(ALWAYS)] + [str(LEVELS[c][lv][0]) for c, lv in levels.items() if LEVELS[c][lv][0]]
    kept = [row for index, row in enumerate(generalised) if index not in failing]
    return kept, done, len(failing)


def take_research_export(
    cohort: Cohort, *, by: User, reason: str, request: HttpRequest | None = None
) -> ResearchExport:
    """Build the export, keep its record (the reason encrypted: `ResearchExportRecord`)
    and audit it, in one step. ValidationError for a missing reason or a refused (too
    small) export; nothing is kept or audited as exported then. The audit entry points
    to the record: the reason is never written in plain text."""
    from doorway.evaluation.models import ResearchExportRecord

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you need this export.")})
    try:
        export = build_export(cohort)
    except ExportRefused as refused:
        raise ValidationError({"__all__": refused.messages}) from refused
    with transaction.atomic():
        kept = ResearchExportRecord.objects.create(
            program=cohort.program,
            taken_by=by,
            taken_at=timezone.now(),
            rows=len(export.rows),
            reason=reason,
        )
        record(
            Action.EXPORT,
            actor=by,
            request=request,
            subject=cohort.program,
            detail={
                "export": "research",
                "record": str(kept.pk),
                "rows": len(export.rows),
                "columns": [c.name for c in export.columns],
                "suppressed": export.suppressed,
                "generalised": export.generalised,
                "cohort": cohort.as_dict(),
            },
        )
    return export
