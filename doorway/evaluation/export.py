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
- The small-cell check before release (`SMALL_CELL_RULE`): fewer than 5 women and the
  export is refused; in the columns that describe her (cycle, referral source,
  furthest phase, how she left), a value shared by fewer than 5 women is replaced by
  "suppressed", and the data dictionary says how many cells were.

Every export is audited: who, why (a reason is required) and what (rows, columns,
cells suppressed, the cohort).
"""

from __future__ import annotations

import csv
import datetime
import io
import secrets
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.casework.models import Contact
from doorway.dropins.models import Attendance
from doorway.evaluation.cohort import Cohort, evaluation_enrolments
from doorway.evaluation.suppress import THRESHOLD
from doorway.instruments.models import Answer, ItemKind, Timepoint

SUPPRESSED_VALUE = "suppressed"
INVOLVEMENT_ITEM = "sex_work_involvement"
INVOLVEMENT_TIMEPOINTS = (Timepoint.INTAKE, Timepoint.GRADUATION, Timepoint.FOLLOW_UP)
# Columns that describe her and could, in a small group, point to her.
QUASI_IDENTIFIERS = ("cycle", "referral_source", "phase_reached", "exit_reason")

SMALL_CELL_RULE = (
    f"Small-cell check: an export of fewer than {THRESHOLD} women is refused. In the "
    f"columns {', '.join(QUASI_IDENTIFIERS)}, a value shared by fewer than {THRESHOLD} "
    f"women is replaced by “{SUPPRESSED_VALUE}” (suppressed, not refused)."
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

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=[c.name for c in self.columns])
        writer.writeheader()
        writer.writerows(self.rows)
        return out.getvalue()

    def dictionary(self) -> str:
        lines = [
            f"# Research export: {self.cohort.program.name}",
            "",
            f"Made on {self.made_on.isoformat()}. Cohort: {self.cohort.describe()}.",
            f"{len(self.rows)} rows, one per woman who consented to the evaluation research.",
            "",
            "Pseudonyms are random and new in every export: they cannot be matched with "
            "another export or with Doorway's records. Dates are given as whole months "
            "since her referral (month 0). There is no free text and no identifying field.",
            "",
            SMALL_CELL_RULE,
            "",
        ]
        if any(self.suppressed.values()):
            lines.append("Cells suppressed in this export:")
            lines += [f"- {name}: {n}" for name, n in self.suppressed.items() if n]
        else:
            lines.append("No cell needed to be suppressed in this export.")
        lines += ["", "| Column | Meaning | Values |", "|---|---|---|"]
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
    columns = [
        Column("pseudonym", "Random name for this row, new in every export", "text"),
        Column("cycle", "Program cycle she was enrolled in", "cycle name or suppressed"),
        Column("referral_source", "Who referred her", "code or suppressed"),
        Column("phase_reached", "Furthest phase reached (0 = pre-phase)", "number or suppressed"),
        Column(
            "exit_reason", "How she left the program; blank while enrolled", "code or suppressed"
        ),
        Column("months_enrolled", "Months from referral to leaving (or to the export)", "number"),
        Column("dropin_sessions", "Drop-in sessions attended", "number"),
        Column("contacts", "Contacts recorded with her", "number"),
    ]
    for slug in area_slugs:
        columns += [
            Column(f"{slug}_baseline", f"First journey-scale rating, {slug}", "1-10 or blank"),
            Column(f"{slug}_latest", f"Latest later rating, {slug}", "1-10 or blank"),
            Column(
                f"{slug}_latest_month", f"Month of the latest rating, {slug}", "number or blank"
            ),
        ]
    for tp in INVOLVEMENT_TIMEPOINTS:
        columns.append(
            Column(
                f"involvement_{tp}",
                f"Involvement in sex work at {Timepoint(tp).label.lower()}",
                "not_at_all, rarely, sometimes, often, always, at_risk, or blank",
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
            f"Fewer than {THRESHOLD} women in this cohort consented to the evaluation "
            "research: an export this small could identify them, so none was made."
        )
    ids = [e.pk for e in enrolments]
    areas = list(cohort.program.active_focus_areas().values_list("slug", flat=True))
    answers = (
        Answer.objects.filter(administration__enrolment__in=ids)
        .filter(
            Q(item__kind=ItemKind.SCALE, item__focus_area__isnull=False, number__isnull=False)
            | Q(item__code=INVOLVEMENT_ITEM)
        )
        .order_by("administration__completed_on", "administration__recorded_at")
        .values_list(
            "administration__enrolment_id",
            "administration__completed_on",
            "administration__timepoint",
            "item__focus_area__slug",
            "number",
            "choices",
        )
    )
    ratings: dict[Any, dict[str, list[tuple[datetime.date, int]]]] = {}
    involvement: dict[Any, dict[str, str]] = {}
    for enrolment_id, on, timepoint, area, number, choices in answers:
        if area and number is not None:
            ratings.setdefault(enrolment_id, {}).setdefault(area, []).append((on, int(number)))
        elif not area and choices:
            involvement.setdefault(enrolment_id, {})[timepoint] = str(choices[0])
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
            "dropin_sessions": sessions.get(e.pk, 0),
            "contacts": contacts.get(e.pk, 0),
        }
        for slug in areas:
            series = ratings.get(e.pk, {}).get(slug, [])
            later = series[-1] if len(series) > 1 else None
            row[f"{slug}_baseline"] = series[0][1] if series else ""
            row[f"{slug}_latest"] = later[1] if later else ""
            row[f"{slug}_latest_month"] = months_between(start, later[0]) if later else ""
        for tp in INVOLVEMENT_TIMEPOINTS:
            row[f"involvement_{tp}"] = involvement.get(e.pk, {}).get(tp, "")
        rows.append(row)
    secrets.SystemRandom().shuffle(rows)
    export = ResearchExport(cohort, columns_for(areas), rows, made_on=today)
    export.suppressed = suppress_small_cells(rows)
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


def suppress_small_cells(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Replace, in each describing column, a value shared by fewer than THRESHOLD rows
    (blank included: "still enrolled" can be as telling as a reason). Returns the
    number of cells suppressed per column."""
    suppressed: dict[str, int] = {}
    for column in QUASI_IDENTIFIERS:
        counts = Counter(row[column] for row in rows)
        small = {value for value, n in counts.items() if n < THRESHOLD}
        for row in rows:
            if row[column] in small:
                row[column] = SUPPRESSED_VALUE
        suppressed[column] = sum(counts[v] for v in small)
    return suppressed


def take_research_export(
    cohort: Cohort, *, by: Any, reason: str, request: HttpRequest | None = None
) -> ResearchExport:
    """Build the export and audit it in one step. ValidationError for a missing reason
    or a refused (too small) export; nothing is audited as exported then."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why you need this export."})
    try:
        export = build_export(cohort)
    except ExportRefused as refused:
        raise ValidationError({"__all__": refused.messages}) from refused
    with transaction.atomic():
        record(
            Action.EXPORT,
            actor=by,
            request=request,
            subject=cohort.program,
            reason=reason,
            detail={
                "export": "research",
                "rows": len(export.rows),
                "columns": [c.name for c in export.columns],
                "suppressed": export.suppressed,
                "cohort": cohort.as_dict(),
            },
        )
    return export
