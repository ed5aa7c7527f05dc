"""Charts and their tables, from the evaluation report (`report.evaluation_report`).

Every chart is a `Figure`: a chart spec that `doorway.js` draws with Chart.js (handed
over with `json_script`: no inline script) and the same figures as a table beside it,
for people who would rather read and for screen readers. The funder report uses the
tables with small cells suppressed, and draws its bars as SVG on the server (the PDF
runs no script).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from doorway.enrolments.models import ExitReason
from doorway.evaluation.numbers import decimal, dollars, percentage
from doorway.evaluation.suppress import SUPPRESSED, suppress, suppress_percent, suppress_row

TIMEPOINT_LABELS = {
    "intake": gettext_lazy("Intake"),
    "baseline": gettext_lazy("Baseline"),
    "phase_change": gettext_lazy("Phase change"),
    "graduation": gettext_lazy("Graduation"),
    "follow_up": gettext_lazy("Follow-up"),
    "ad_hoc": gettext_lazy("Other"),
    "latest": gettext_lazy("Latest"),
}
INVOLVEMENT_LABELS = {
    "not_at_all": gettext_lazy("Not at all"),
    "rarely": gettext_lazy("Rarely"),
    "sometimes": gettext_lazy("Sometimes"),
    "often": gettext_lazy("Often"),
    "always": gettext_lazy("Always"),
    "at_risk": gettext_lazy("At risk of returning"),
}


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class Figure:
    """One chart and its table. `chart` is None where there is nothing to draw."""

    id: str
    title: str
    table: Table
    chart: dict[str, Any] | None = None
    note: str = ""


def label(code: Any, labels: Mapping[str, StrOrPromise] | None = None) -> str:
    text = str(code)
    if labels and text in labels:
        return str(labels[text])
    return text.replace("_", " ").replace("-", " ").capitalize()


def money(value: Any) -> str:
    """ "$15,292.42" (en-CA) or "15 292,42 $" (fr-CA) from a Decimal or its string; ""
    for nothing. The amount is the same in every language: only its writing differs."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return dollars(amount)


def percent(numerator: Any, denominator: Any) -> str:
    """ "63%"; "" without a denominator or when either count is not a number (a
    published "<5")."""
    if not isinstance(numerator, int) or not isinstance(denominator, int) or not denominator:
        return ""
    return percentage(round(100 * numerator / denominator))


def plotted(value: Any) -> Any:
    """A count as a chart draws it: nothing for a suppressed one."""
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def shown(value: Any) -> int | str:
    """A count as it leaves the building: an exact one with small cells suppressed, a
    published one (`disclosure`, already perturbed and "<5") as it is."""
    return suppress(value) if isinstance(value, int) else str(value)


def shown_row(counts: dict[Any, Any]) -> dict[Any, int | str]:
    """A row of exact counts with complementary suppression (`suppress_row`); a row of
    published counts as it is: each carries its own perturbation, so no suppressed
    cell can be worked out from the others."""
    if all(isinstance(n, int) for n in counts.values()):
        return suppress_row(counts)
    return {key: shown(n) for key, n in counts.items()}


def shown_share(numerator: Any, denominator: Any) -> str:
    if not isinstance(numerator, int) or not isinstance(denominator, int):
        return ""
    return suppress_percent(numerator, denominator)


def bar_chart(
    labels: list[str],
    datasets: list[dict[str, Any]],
    *,
    unit: str = "",
    horizontal: bool = False,
    stacked: bool = False,
    maximum: float | None = None,
) -> dict[str, Any]:
    return {
        "type": "bar",
        "labels": labels,
        "datasets": datasets,
        "unit": unit,
        "horizontal": horizontal,
        "stacked": stacked,
        "max": maximum,
    }


# Progress by focus area


def progress_figure(report: dict[str, Any]) -> Figure:
    """Who improved in each area, with the denominators and who is missing; the test
    of each area's change is in `wilcoxon_table`, shown folded under it."""
    areas = report.get("focus_areas") or []
    table = Table(
        _("Progress by focus area: women whose latest rating is higher than at baseline."),
        [
            _("Focus area"),
            _("Progressed"),
            _("With baseline and later rating"),
            _("Share"),
            _("No baseline"),
            _("No later rating"),
        ],
    )
    for a in areas:
        missing = a.get("missing") or {}
        table.rows.append(
            [
                a["area"],
                a["progressed"],
                a["assessed"],
                percent(a["progressed"], a["assessed"]),
                missing.get("no_baseline", ""),
                missing.get("no_later", ""),
            ]
        )
    chart = bar_chart(
        [a["area"] for a in areas],
        [
            {
                "label": _("Progressed (%)"),
                "data": [
                    round(100 * a["progressed"] / a["assessed"], 1)
                    if plotted(a["assessed"]) and plotted(a["progressed"]) is not None
                    else None
                    for a in areas
                ],
            }
        ],
        unit="%",
        horizontal=True,
        maximum=100,
    )
    return Figure("progress", _("Progress by focus area"), table, chart if areas else None)


def wilcoxon_table(report: dict[str, Any]) -> Table:
    """The statistical detail of each area's change: its mean and the Wilcoxon
    signed-rank test (n, V, p, r)."""
    areas = report.get("focus_areas") or []
    return Table(
        " ".join(
            filter(
                None,
                [
                    _(
                        "Change from baseline to the latest rating, by focus area. r is the "
                        "matched-pairs rank-biserial correlation."
                    ),
                    _methods(areas),
                ],
            )
        ),
        [_("Focus area"), _("Mean change"), _("Wilcoxon signed-rank")],
        [[a["area"], _number(a.get("mean_change")), _wilcoxon(a.get("wilcoxon"))] for a in areas],
    )


def _number(value: Any, places: int = 2) -> str:
    if value is None or value == "":
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    # The sign always shown, as before: "+0.53", "-1.20" (in French "+0,53").
    return ("+" if number >= 0 else "-") + decimal(abs(number), places)


def _wilcoxon(test: dict[str, Any] | None) -> str:
    if not test:
        return _("not computed")
    parts = [f"n = {test.get('n')}"]
    if test.get("statistic") is not None:
        parts.append(f"V = {_written(test['statistic'])}")
    if test.get("p_band"):
        parts.append(_p_band(str(test["p_band"])))
    elif test.get("p_value") is not None:
        p = float(test["p_value"])
        parts.append(f"p < {decimal(0.001, 3)}" if p < 0.001 else f"p = {decimal(p, 3)}")
    if test.get("effect_size") is not None:
        parts.append(f"r = {decimal(float(test['effect_size']), 2)}")
    # The method (exact or approximate, how ties and zeros were handled) is the same
    # sentence for every area: it goes under the table, not in each cell.
    return "; ".join(parts)


def _methods(areas: list[dict[str, Any]]) -> str:
    methods = sorted(
        {str(a["wilcoxon"]["method"]) for a in areas if (a.get("wilcoxon") or {}).get("method")}
    )
    if not methods:
        return ""
    return _("Wilcoxon signed-rank: %(methods)s.") % {
        "methods": " / ".join(_method(m) for m in methods)
    }


def _written(value: Any) -> str:
    """A statistic as the language writes it (V = 12.5, V = 12,5); as it is when it is
    not a number."""
    if isinstance(value, int):
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    # Written in full (a sum of ranks is whole or a half), never rounded.
    return number_format(number, use_l10n=True) if number != int(number) else str(int(number))


def _p_band(band: str) -> str:
    """A published p-value band ("p < 0.05") with the language's decimal comma."""
    return re.sub(
        r"\d+\.\d+", lambda m: decimal(float(m.group()), len(m.group().split(".")[1])), band
    )


# The words of the test's method, as stats.py writes them (they stay English in the
# JSON report, which is read by programs; the pages translate them).
METHOD_WORDS = {
    "exact permutation distribution": gettext_lazy("exact permutation distribution"),
    "normal approximation with tie and continuity correction (SciPy)": gettext_lazy(
        "normal approximation with tie and continuity correction (SciPy)"
    ),
    "zeros dropped (Wilcoxon)": gettext_lazy("zeros dropped (Wilcoxon)"),
    "zeros ranked then dropped (Pratt)": gettext_lazy("zeros ranked then dropped (Pratt)"),
    "no non-zero difference": gettext_lazy("no non-zero difference"),
    "with ties, average ranks": gettext_lazy("with ties, average ranks"),
    "no ties": gettext_lazy("no ties"),
}


def _method(method: str) -> str:
    for words, translated in METHOD_WORDS.items():
        method = method.replace(words, str(translated))
    return method


# Distributions at each timepoint


def _counts_by_timepoint(
    distribution: dict[str, dict[str, Any]], categories: list[str]
) -> list[tuple[str, list[Any]]]:
    """[(timepoint, [count per category])] in the order the report gives them; a
    published "<5" stays as it is."""
    return [
        (tp, [_count((counts or {}).get(c, 0)) for c in categories])
        for tp, counts in distribution.items()
    ]


def _count(value: Any) -> Any:
    return int(value) if isinstance(value, int | float) else str(value)


def distribution_figures(report: dict[str, Any]) -> list[Figure]:
    figures = []
    ratings = [str(r) for r in range(1, 11)]
    for a in report.get("focus_areas") or []:
        series = _counts_by_timepoint(a.get("distribution") or {}, ratings)
        if not series:
            continue
        slug = a.get("slug") or a["area"]
        table = Table(
            _("%(area)s: number of women at each rating (1-10), by timepoint")
            % {"area": a["area"]},
            [_("Rating"), *(label(tp, TIMEPOINT_LABELS) for tp, _ in series)],
            [[r, *(counts[i] for _, counts in series)] for i, r in enumerate(ratings)],
        )
        chart = bar_chart(
            ratings,
            [
                {"label": label(tp, TIMEPOINT_LABELS), "data": [plotted(n) for n in counts]}
                for tp, counts in series
            ],
            unit=_("women"),
        )
        figures.append(Figure(f"distribution-{slug}", a["area"], table, chart))
    involvement = (report.get("involvement") or {}).get("at") or {}
    if involvement:
        codes = list(INVOLVEMENT_LABELS)
        extra = sorted({c for counts in involvement.values() for c in counts} - set(codes))
        codes += extra
        series = _counts_by_timepoint(involvement, codes)
        table = Table(
            _("Involvement in sex work: number of women, by timepoint"),
            [_("Involvement"), *(label(tp, TIMEPOINT_LABELS) for tp, _ in series)],
            [
                [label(c, INVOLVEMENT_LABELS), *(counts[i] for _, counts in series)]
                for i, c in enumerate(codes)
            ],
        )
        chart = bar_chart(
            [label(c, INVOLVEMENT_LABELS) for c in codes],
            [
                {"label": label(tp, TIMEPOINT_LABELS), "data": [plotted(n) for n in counts]}
                for tp, counts in series
            ],
            unit=_("women"),
        )
        figures.append(Figure("involvement", _("Involvement in sex work"), table, chart))
    return figures


# Process: dose-response and retention (from the process part, when present)


def dose_response_figure(process: dict[str, Any]) -> Figure:
    title = _("Progress by drop-in attendance")
    dose = process.get("dose_response")
    if not dose:
        return _missing("dose-response", title)
    rows = dose.get("rows") or []
    table = Table(
        _("Women who progressed in at least one focus area, by drop-in sessions attended"),
        [_("Sessions attended"), _("Progressed"), _("Assessed"), _("Share")],
        [
            [
                _band(r["band"]),
                r["progressed"],
                r["assessed"],
                percent(r["progressed"], r["assessed"]),
            ]
            for r in rows
        ],
    )
    chart = bar_chart(
        [_band(r["band"]) for r in rows],
        [{"label": _("Progressed (%)"), "data": [r.get("percent") for r in rows]}],
        unit="%",
        maximum=100,
    )
    note = _(
        "%(missing)s of %(consenting)s consenting women have no baseline and later rating, "
        "and are not in this table."
    ) % {"missing": dose.get("not_assessed", 0), "consenting": dose.get("consenting", 0)}
    return Figure("dose-response", title, table, chart if rows else None, note=note)


def retention_figure(process: dict[str, Any]) -> Figure:
    title = _("Retention through each phase")
    retention = process.get("retention")
    if not retention:
        return _missing("retention", title)
    table = Table(
        _("Women who reached each phase, those still in it, and how the others left"),
        [_("Phase"), _("Reached"), _("Still in it"), _("Left from this phase")],
        [
            [
                r["phase"],
                r["reached"],
                r.get("still_in_it", ""),
                "; ".join(
                    f"{exit_reason(reason)}: {n}"
                    for reason, n in (r.get("exits") or {}).items()
                    if n
                ),
            ]
            for r in retention
        ],
    )
    chart = bar_chart(
        [r["phase"] for r in retention],
        [{"label": _("Reached"), "data": [plotted(r["reached"]) for r in retention]}],
        unit=_("women"),
        horizontal=True,
    )
    return Figure("retention", title, table, chart)


def process_figures(report: dict[str, Any]) -> list[Figure]:
    process = report.get("process") or {}
    return [dose_response_figure(process), retention_figure(process)]


# The attendance bands of the dose-response table (process.ATTENDANCE_BANDS), by the
# name the report gives them; a band of figures alone reads the same in both languages.
BAND_WORDS = {"none": gettext_lazy("none"), "20 or more": gettext_lazy("20 or more")}


def _band(band: Any) -> str:
    return str(BAND_WORDS.get(str(band), band))


def exit_reason(code: Any) -> str:
    """How she left, in the words of the enrolment's exit reasons."""
    if str(code) in ExitReason.values:
        return str(ExitReason(str(code)).label)
    return label(code)


def _missing(id: str, title: str) -> Figure:
    return Figure(id, title, Table(title, []), None, note=_("Not computed for this report."))


# Costs


def cost_figure(report: dict[str, Any]) -> Figure:
    cycles = report.get("cycles") or []
    table = Table(
        _("Operating cost per cycle (evaluation costs excluded) and cost per participant"),
        [
            _("Cycle"),
            _("Enrolled"),
            _("Graduated"),
            _("Operating cost"),
            _("Cost per participant"),
            _("Cost per graduate"),
            _("Cost per participant who progressed"),
            _("Evaluation cost (excluded)"),
        ],
        [
            [
                c["cycle"],
                c["enrolled"],
                c.get("graduated", ""),
                money(c.get("operating_cost")),
                money(c.get("cost_per_participant")),
                money(c.get("cost_per_graduate")),
                money(c.get("cost_per_progressed")),
                money(c.get("evaluation_cost")),
            ]
            for c in cycles
        ],
    )
    chart = bar_chart(
        [c["cycle"] for c in cycles],
        [
            {
                "label": _("Cost per participant ($)"),
                "data": [_float(c.get("cost_per_participant")) for c in cycles],
            }
        ],
        unit="$",
    )
    return Figure("costs", _("Cost per participant by cycle"), table, chart if cycles else None)


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


# The funder report: the same figures with small cells suppressed

# Why a bar of the funder report has no length. Only SMALL_NUMBERS is the small-cell
# rule at work; the others say that there is nothing to draw.
SMALL_NUMBERS = gettext_lazy("not shown (small numbers)")
NOBODY_ASSESSED = gettext_lazy("nobody assessed")
NO_COST_LINES = gettext_lazy("no cost lines entered")
NOBODY_ENROLLED = gettext_lazy("nobody enrolled")


@dataclass
class Bar:
    label: str
    value: float | None  # None: no bar, and `text` says why
    text: str


def funder_progress(report: dict[str, Any]) -> tuple[Table, list[Bar]]:
    table = Table(
        _("Progress by focus area; n, the women counted in each area, is its third column"),
        [_("Focus area"), _("Progressed"), _("With baseline and later rating"), _("Share")],
    )
    bars = []
    for a in report.get("focus_areas") or []:
        progressed, assessed = shown(a["progressed"]), shown(a["assessed"])
        share = shown_share(a["progressed"], a["assessed"])
        table.rows.append([a["area"], progressed, assessed, share])
        if assessed == 0:
            bars.append(Bar(a["area"], None, str(NOBODY_ASSESSED)))
        elif share:
            text = _("%(share)s (%(progressed)s of %(assessed)s)") % {
                "share": share,
                "progressed": progressed,
                "assessed": assessed,
            }
            bars.append(Bar(a["area"], 100 * a["progressed"] / a["assessed"], text))
        else:
            bars.append(Bar(a["area"], None, str(SMALL_NUMBERS)))
    return table, bars


def funder_denominators(report: dict[str, Any]) -> dict[str, Any]:
    """Whom the report counts, as published: the women enrolled, those of them who
    consented to the research, and in each focus area those counted (a baseline and a
    later rating) and those missing. Missing is the sum of its two published parts
    when both are shown, so it gives back nothing the parts do not."""
    people = report.get("participants") or {}
    areas = []
    for a in report.get("focus_areas") or []:
        missing = a.get("missing") or {}
        no_baseline = shown(missing.get("no_baseline") or 0)
        no_later = shown(missing.get("no_later") or 0)
        total: int | str = ""
        if isinstance(no_baseline, int) and isinstance(no_later, int):
            total = no_baseline + no_later
        areas.append(
            {
                "area": a["area"],
                "assessed": shown(a["assessed"]),
                "missing": total,
                "no_baseline": no_baseline,
                "no_later": no_later,
            }
        )
    return {
        "enrolled": shown(people.get("enrolled") or 0),
        "consenting": shown(people.get("evaluation") or 0),
        "areas": areas,
    }


def _significant(test: dict[str, Any]) -> bool:
    band = test.get("p_band")
    if band:
        return str(band).startswith("p <")
    return test.get("p_value") is not None and float(test["p_value"]) < 0.05


def _p_text(test: dict[str, Any]) -> str:
    if test.get("p_band"):
        return _p_band(str(test["p_band"]))
    p = float(test["p_value"])
    return f"p < {decimal(0.001, 3)}" if p < 0.001 else f"p = {decimal(p, 3)}"


def signed_rank_result(test: dict[str, Any] | None, *, rose: str, fell: str) -> str:
    """A signed-rank test's result in plain words: its n, p, r, and what they say.
    `rose` and `fell` say what went up or down more than chance would explain."""
    if not test:
        return str(_("Not tested: too few women counted to test."))
    if test.get("p_band") is None and test.get("p_value") is None:
        # Every pair the same before and after: the test has nothing to rank.
        return str(_("Not tested: nobody's answer changed."))
    effect = test.get("effect_size")
    reading = _("A change like this could be chance alone.")
    if _significant(test) and effect is not None and float(effect) != 0:
        reading = rose if float(effect) > 0 else fell
    parts = [f"n = {test.get('n')}", _p_text(test)]
    if effect is not None:
        # Published effect sizes are rounded to one place: no more are printed.
        places = 1 if test.get("p_band") else 2
        parts.append(f"r = {decimal(float(effect), places)}")
    return f"{'; '.join(parts)}. {reading}"


def funder_tests(report: dict[str, Any]) -> dict[str, Any]:
    """The signed-rank tests of the funder report, one plain sentence each: by focus
    area (intake against latest rating) and for involvement (intake against follow-up)."""
    areas = [
        {
            "area": a["area"],
            "result": str(_("Not tested: nobody assessed."))
            if shown(a["assessed"]) == 0
            else signed_rank_result(
                a.get("wilcoxon"),
                rose=_("Ratings rose more than chance alone would explain."),
                fell=_("Ratings fell more than chance alone would explain."),
            ),
        }
        for a in report.get("focus_areas") or []
    ]
    paired = (report.get("involvement") or {}).get("paired") or {}
    involvement = signed_rank_result(
        paired.get("wilcoxon"),
        rose=_("Involvement rose more than chance alone would explain."),
        fell=_("Involvement fell more than chance alone would explain."),
    )
    return {"areas": areas, "involvement": involvement}


def funder_involvement(report: dict[str, Any]) -> Table | None:
    at = (report.get("involvement") or {}).get("at") or {}
    if not at:
        return None
    codes = list(INVOLVEMENT_LABELS)
    codes += sorted({c for counts in at.values() for c in counts} - set(codes))
    columns = {tp: shown_row({c: counts.get(c, 0) for c in codes}) for tp, counts in at.items()}
    totals = {tp: women_asked(report, tp) for tp in at}
    rows: list[list[Any]] = [
        [label(c, INVOLVEMENT_LABELS), *(_with_share(columns[tp][c], totals[tp]) for tp in at)]
        for c in codes
    ]
    rows.append([_("Women asked"), *(shown(totals[tp]) for tp in at)])
    return Table(
        _(
            "Involvement in sex work, by timepoint: women (share of those asked); n, the "
            "women asked, is the last row"
        ),
        [_("Involvement"), *(label(tp, TIMEPOINT_LABELS) for tp in at)],
        rows,
    )


def women_asked(report: dict[str, Any], timepoint: str) -> int | str:
    """Women with an answer at the timepoint: the sum of the exact counts, or the
    published total (a sum of perturbed counts would add up their perturbations, and
    of "<5" cannot be made)."""
    involvement = report.get("involvement") or {}
    counts = (involvement.get("at") or {}).get(timepoint) or {}
    if all(isinstance(n, int) for n in counts.values()) and "disclosure" not in report:
        exact: int = sum(counts.values())
        return exact
    answered = ((involvement.get("summary") or {}).get(timepoint) or {}).get("answered")
    return answered if answered is not None else ""


def _with_share(count: int | str, total: int | str) -> str:
    if isinstance(count, str):
        return count
    share = shown_share(count, total)
    return f"{count} ({share})" if share else str(count)


def funder_costs(report: dict[str, Any]) -> tuple[Table, list[Bar]]:
    table = Table(
        _(
            "Costs by cycle (evaluation costs excluded); n, the women enrolled in each "
            "cycle, is its second column"
        ),
        [
            _("Cycle"),
            _("Enrolled"),
            _("Operating cost"),
            _("Cost per participant"),
            _("Graduated"),
            _("Cost per graduate"),
        ],
    )
    bars = []
    for c in report.get("cycles") or []:
        enrolled = shown(c["enrolled"])
        graduated = shown(c.get("graduated") or 0)
        # A cost per person of a suppressed count would give the count back.
        per_participant = "" if enrolled == SUPPRESSED else money(c.get("cost_per_participant"))
        per_graduate = "" if graduated == SUPPRESSED else money(c.get("cost_per_graduate"))
        table.rows.append(
            [
                c["cycle"],
                enrolled,
                money(c.get("operating_cost")),
                per_participant,
                graduated,
                per_graduate,
            ]
        )
        if c.get("operating_cost") in (None, ""):
            bars.append(Bar(c["cycle"], None, str(NO_COST_LINES)))
        elif enrolled == 0:
            bars.append(Bar(c["cycle"], None, str(NOBODY_ENROLLED)))
        elif per_participant:
            text = _("%(cost)s (%(enrolled)s enrolled)") % {
                "cost": per_participant,
                "enrolled": enrolled,
            }
            bars.append(Bar(c["cycle"], _float(c.get("cost_per_participant")), text))
        else:
            bars.append(Bar(c["cycle"], None, str(SMALL_NUMBERS)))
    return table, bars


def svg_bars(bars: list[Bar], maximum: float | None = None) -> dict[str, Any]:
    """Geometry for a horizontal bar chart the template draws as SVG."""
    top = maximum or max((b.value for b in bars if b.value is not None), default=1) or 1
    row, width = 28, 320
    return {
        "height": row * len(bars) + 8,
        "width": width,
        "rows": [
            {
                "y": row * i + 4,
                "text_y": row * i + 20,
                "label": b.label,
                "length": round(width * (b.value or 0) / top, 1),
                "text": b.text,
            }
            for i, b in enumerate(bars)
        ],
    }
