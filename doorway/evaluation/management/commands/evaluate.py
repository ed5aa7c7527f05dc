"""`doorway evaluate --program SLUG [--cycle NAME ...] [--format json|csv|table]`: the
evaluation of a program's consenting participants, computed from the records now."""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from doorway.evaluation.cohort import Cohort
from doorway.evaluation.report import evaluation_report
from doorway.programs.models import Program

FOCUS_COLUMNS = [
    ("area", "area"),
    ("assessed", "assessed"),
    ("progressed", "progressed"),
    ("percent", "percent"),
    ("mean_change", "mean_change"),
    ("no_baseline", "missing.no_baseline"),
    ("no_later", "missing.no_later"),
    ("wilcoxon_n", "wilcoxon.n_used"),
    ("wilcoxon_v", "wilcoxon.statistic"),
    ("p_value", "wilcoxon.p_value"),
    ("effect_size", "wilcoxon.effect_size"),
]
CYCLE_COLUMNS = [
    ("cycle", "cycle"),
    ("enrolled", "enrolled"),
    ("graduated", "graduated"),
    ("progressed", "progressed"),
    ("operating_cost", "operating_cost"),
    ("evaluation_cost", "evaluation_cost"),
    ("cost_per_participant", "cost_per_participant"),
    ("cost_per_graduate", "cost_per_graduate"),
    ("cost_per_progressed", "cost_per_progressed"),
]
INVOLVEMENT_COLUMNS = [
    ("timepoint", "timepoint"),
    ("participants", "participants"),
    ("answered", "answered"),
    ("involved", "involved"),
    ("not_involved", "not_involved"),
    ("at_risk", "at_risk"),
    ("missing", "missing"),
]


def _get(row: dict[str, Any], path: str) -> Any:
    value: Any = row
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def tables(report: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of the report's tables."""
    involvement = [
        {"timepoint": tp, **counts} for tp, counts in report["involvement"]["summary"].items()
    ]
    return [
        (
            _("Focus areas"),
            [name for name, _path in FOCUS_COLUMNS],
            [[_cell(_get(r, p)) for _name, p in FOCUS_COLUMNS] for r in report["focus_areas"]],
        ),
        (
            _("Sex-work involvement"),
            [name for name, _path in INVOLVEMENT_COLUMNS],
            [[_cell(_get(r, p)) for _name, p in INVOLVEMENT_COLUMNS] for r in involvement],
        ),
        (
            _("Cycles"),
            [name for name, _path in CYCLE_COLUMNS],
            [[_cell(_get(r, p)) for _name, p in CYCLE_COLUMNS] for r in report["cycles"]],
        ),
    ]


def as_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for index, (title, header, rows) in enumerate(tables(report)):
        if index:
            writer.writerow([])
        writer.writerow([f"# {title}"])
        writer.writerow(header)
        writer.writerows(rows)
    return out.getvalue()


def as_table(report: dict[str, Any]) -> str:
    lines = [
        report["cohort"]["description"],
        _("Evaluation participants (consented): %(evaluation)s; enrolled: %(enrolled)s")
        % {
            "evaluation": report["participants"]["evaluation"],
            "enrolled": report["participants"]["enrolled"],
        },
    ]
    for title, header, rows in tables(report):
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
        lines += ["", title, "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines += ["", _("Definitions")]
    lines += [
        _("- %(term)s: %(text)s") % {"term": d["term"], "text": d["text"]}
        for d in report["definitions"]
    ]
    return "\n".join(lines)


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(_("Not a date (YYYY-MM-DD): %(text)r.") % {"text": text}) from error


class Command(BaseCommand):
    help = (
        "Print the evaluation of a program (outcomes of the participants who consented to "
        "the research, sex-work involvement, costs per cycle) as JSON, CSV or a table."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--program", required=True, help="The program's slug.")
        parser.add_argument(
            "--cycle",
            action="append",
            default=[],
            help="A cycle's name; repeat for several. All cycles if left out.",
        )
        parser.add_argument("--enrolled-from", help="Referred on or after (YYYY-MM-DD).")
        parser.add_argument("--enrolled-to", help="Referred on or before (YYYY-MM-DD).")
        parser.add_argument(
            "--phase-reached", type=int, help="Only those who reached this phase (its order)."
        )
        parser.add_argument("--format", choices=["json", "csv", "table"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            known = ", ".join(Program.objects.values_list("slug", flat=True)) or _("none")
            raise CommandError(
                _("No program with the slug %(slug)r (known: %(known)s).")
                % {"slug": options["program"], "known": known}
            )
        names = options["cycle"]
        cycles = list(program.cycles.filter(name__in=names)) if names else []
        missing = sorted(set(names) - {c.name for c in cycles})
        if missing:
            known = ", ".join(program.cycles.values_list("name", flat=True)) or _("none")
            raise CommandError(
                _("%(program)s has no cycle named %(missing)s (its cycles: %(known)s).")
                % {
                    "program": program.name,
                    "missing": ", ".join(map(repr, missing)),
                    "known": known,
                }
            )
        cohort = Cohort(
            program=program,
            cycles=tuple(sorted(cycles, key=lambda c: (c.starts_on, c.name))),
            enrolled_from=_date(options["enrolled_from"]) if options["enrolled_from"] else None,
            enrolled_to=_date(options["enrolled_to"]) if options["enrolled_to"] else None,
            phase_reached=options["phase_reached"],
        )
        report = evaluation_report(cohort)
        if options["format"] == "csv":
            self.stdout.write(as_csv(report), ending="")
        elif options["format"] == "table":
            self.stdout.write(as_table(report))
        else:
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
