"""Disclosure control for everyone who does not reach the women's records: what an
evaluator sees (page, API, deployment table, research export) and what leaves the
building (the funder report).

Three rules, each simple enough to explain to the women the figures are about:

1. **Cohorts are whole cycles.** No referral dates, no "reached at least phase", no
   filter that could put one woman on one side of a line and nobody else: a published
   cohort is a set of whole cycles. Two cohorts anyone may ask for therefore differ by
   at least one whole cycle.
2. **A minimum size.** A cycle is published only when at least `MINIMUM_COHORT` of its
   enrolled women consented to the evaluation research (`publishable_cycles`). Smaller
   cycles are left out of every published cohort, "all cycles" included, so that
   "all cycles" minus "the others" is never a small group.
3. **Every published count is perturbed, then small counts are shown as "<5"** (the
   cell-key method of the Australian Bureau of Statistics' TableBuilder). Each woman
   has a record key: a keyed hash (HMAC) of her record's id under a server secret,
   read as a number between 0 and 1. A cohort's key is the sum of its women's record
   keys, modulo 1. A count's cell key is the cohort's key shifted by a keyed hash of
   the cell's name and its true count; the fixed table `PERTURBATION` turns the cell
   key into a small offset (-2 to +2, zero on average). The same cohort and the same
   count always get the same offset, so asking again, or in another way, averages
   nothing away; a count that changes gets a fresh offset, so two readings a day apart
   do not give the change exactly. A figure whose women do not depend on the cohort
   (a cycle's own row: enrolled, graduated, progressed in cycle A) is keyed on those
   women's records, not the cohort's, so it reads the same in every cohort holding A.
   Zero stays zero, nothing is made negative. A perturbed count of 1 to 4 is shown as
   "<5". Percentages, costs per head and the like are worked out from the published
   counts, never from the true ones; means are rounded, a test statistic is reduced to
   its effect size and a band of its p-value, and minima, maxima and lists of women are
   left out.

A program manager, who reaches every record of her program, sees exact figures on the
evaluation page; `doorway evaluate`, run by whoever holds the server, prints them
exactly too. The published figures are built from those same exact figures.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doorway.evaluation.cohort import Cohort, all_enrolments, evaluation_enrolments
from doorway.evaluation.suppress import SUPPRESSED, THRESHOLD
from doorway.programs.models import Cycle, Program

# Consenting women a cycle needs before it appears in any published figure.
MINIMUM_COHORT = 10

# The perturbation table: where the cell key (0 to 1) falls, and the offset it gives.
# Symmetric, so a count is right on average; variance 1.2.
PERTURBATION: tuple[tuple[float, int], ...] = (
    (0.10, -2),
    (0.30, -1),
    (0.70, 0),
    (0.90, +1),
    (1.00, +2),
)

# The cohort parameters a published cohort takes: whole cycles, nothing finer.
PUBLISHED_PARAMETERS = frozenset({"cycles"})

RULE = format_lazy(
    gettext_lazy(
        "Disclosure control: figures are for whole cycles only, each with at least "
        "{minimum} women who consented to the evaluation research. Every count carries "
        "a small fixed perturbation (between -2 and +2, the same every time the same "
        "figure is asked for), then counts of 1 to 4 are shown as “<5”. Shares and "
        "costs per head are worked out from the published counts, so totals and shares "
        "may differ slightly from the sum of their parts."
    ),
    minimum=MINIMUM_COHORT,
)

_SPACE = 2**64


class CohortRefused(Exception):
    """A published cohort that cannot be given: too small, or asked for with finer
    parameters than whole cycles. `errors` names what was refused."""

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        self.errors = {name: [str(m) for m in messages] for name, messages in errors.items()}
        super().__init__("; ".join(m for ms in self.errors.values() for m in ms))


# --- keys ----------------------------------------------------------------------------------


def _secret() -> bytes:
    """The disclosure key, derived from the blind-index key under a label of its own:
    a secret of the server, never in the database, and as stable as that key."""
    return hmac.new(
        settings.BLIND_INDEX_KEY.encode(), b"doorway disclosure control v1", hashlib.sha256
    ).digest()


def _draw(*parts: object) -> int:
    """A keyed pseudo-random integer in [0, 2**64) for these parts."""
    message = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hmac.new(_secret(), message, hashlib.sha256).digest()[:8], "big")


def record_key(participant_id: UUID | str) -> int:
    """Her record key (as an integer of 64 bits: the key is this divided by 2**64)."""
    return _draw("record", participant_id)


def offset(cell_key: float) -> int:
    for upper, change in PERTURBATION:
        if cell_key < upper:
            return change
    return PERTURBATION[-1][1]


@dataclass(frozen=True)
class CellKeys:
    """The perturbation of one cohort's figures."""

    cohort_key: int  # the sum of its women's record keys, modulo 2**64
    # {cycle name: that cycle's own key}, for the figures of one cycle (its row of
    # costs), whose women are the same whatever cohort they are read in.
    cycle_keys: Mapping[str, int] = field(default_factory=dict)

    def for_cycle(self, name: str) -> CellKeys:
        """The keys of a figure about this cycle alone: keyed on the cycle's own
        records, so that it reads the same in every cohort that holds the cycle (keyed
        on the cohort, each cohort would give it a fresh offset, and the readings
        averaged would give the true count)."""
        if name in self.cycle_keys:
            return CellKeys(self.cycle_keys[name])
        return self

    def perturbed(self, cell: str, count: int) -> int:
        """The count as published before the small-cell rule: the same cohort, cell and
        count always give the same answer."""
        if count <= 0:
            return 0
        position = (self.cohort_key + _draw("cell", cell, count)) % _SPACE
        return max(1, count + offset(position / _SPACE))

    def count(self, cell: str, count: int) -> int | str:
        """The count as published: perturbed, and "<5" when 1 to 4."""
        shown = self.perturbed(cell, count)
        return SUPPRESSED if 0 < shown < THRESHOLD else shown


def keys_from(everyone: Iterable[UUID | str], consenting: Iterable[UUID | str] = ()) -> CellKeys:
    """The cohort's key: everyone referred into it, and (under another label) those of
    them whose evaluation consent is in force, so that a consent given or withdrawn
    changes every perturbation of the cohort at once."""
    total = sum(record_key(p) for p in set(everyone))
    total += sum(_draw("consenting", p) for p in set(consenting))
    return CellKeys(total % _SPACE)


def cohort_keys(cohort: Cohort) -> CellKeys:
    """The cohort's key and each of its cycles' own keys (from that cycle's records,
    whatever else the cohort holds). Two queries for a cohort of whole cycles (every
    published cohort), four otherwise."""
    whole = Cohort(program=cohort.program, cycles=cohort.cycles)
    everyone: dict[str, set[Any]] = {}
    consenting: dict[str, set[Any]] = {}
    for cycle, woman in all_enrolments(whole).values_list("cycle__name", "participant_id"):
        everyone.setdefault(cycle, set()).add(woman)
    for cycle, woman in evaluation_enrolments(whole).values_list("cycle__name", "participant_id"):
        consenting.setdefault(cycle, set()).add(woman)
    cycles = {
        name: keys_from(women, consenting.get(name, ())).cohort_key
        for name, women in everyone.items()
    }
    if cohort == whole:
        overall = keys_from(set().union(*everyone.values()), set().union(*consenting.values()))
    else:
        overall = keys_from(
            all_enrolments(cohort).values_list("participant_id", flat=True),
            evaluation_enrolments(cohort).values_list("participant_id", flat=True),
        )
    return CellKeys(overall.cohort_key, cycles)


# --- cohorts -------------------------------------------------------------------------------


def consenting_by_cycle(programs: QuerySet[Program]) -> dict[UUID, int]:
    """{cycle id: enrolled women whose evaluation consent is in force}. One query."""
    from doorway.evaluation.outcomes import as_uuid, consenting_enrolments

    rows = consenting_enrolments(programs).values("cycle").annotate(n=Count("pk")).order_by()
    return {as_uuid(cycle): int(n) for cycle, n in rows.values_list("cycle", "n")}


def publishable_cycles(program: Program) -> list[Cycle]:
    """The program's cycles with at least `MINIMUM_COHORT` consenting women, oldest
    first. Two queries."""
    sizes = consenting_by_cycle(Program.objects.filter(pk=program.pk))
    return [
        c
        for c in program.cycles.order_by("starts_on", "name")
        if sizes.get(c.pk, 0) >= MINIMUM_COHORT
    ]


def too_small_message() -> str:
    return _(
        "No cycle of this program has yet %(minimum)s women who consented to the "
        "evaluation research. Figures this small could identify them, so none are shown."
    ) % {"minimum": MINIMUM_COHORT}


def unaccepted_parameters(names: Iterable[str], accepted: Iterable[str]) -> dict[str, list[str]]:
    """{parameter: [why]} for each parameter given that is not accepted here."""
    allowed = set(accepted)
    message = _(
        "Not accepted here: figures you may see are for whole cycles only (choose them "
        "with “cycles”), so that no two cohorts differ by one woman."
    )
    return {name: [message] for name in sorted(set(names) - allowed)}


def published_cohort(program: Program, chosen: Sequence[Cycle] = ()) -> Cohort:
    """The cohort of those whole cycles (all publishable cycles if none is chosen).
    CohortRefused when a chosen cycle is too small, or no cycle is big enough."""
    allowed = publishable_cycles(program)
    small = [c for c in chosen if c not in allowed]
    if small:
        raise CohortRefused(
            {
                "cycles": [
                    _(
                        "%(cycle)s has fewer than %(minimum)s women who consented to the "
                        "evaluation research: it is not reported on its own or with others."
                    )
                    % {"cycle": c.name, "minimum": MINIMUM_COHORT}
                    for c in small
                ]
            }
        )
    cycles = tuple(sorted(chosen, key=lambda c: (c.starts_on, c.name))) or tuple(allowed)
    if not cycles:
        raise CohortRefused({"cycles": [too_small_message()]})
    return Cohort(program=program, cycles=cycles)


def left_out(program: Program) -> list[Cycle]:
    """The program's cycles in no published figure because they are too small."""
    allowed = set(publishable_cycles(program))
    return [c for c in program.cycles.order_by("starts_on", "name") if c not in allowed]


# --- the published report ------------------------------------------------------------------

# Ints that are not counts of women: kept as they are.
STRUCTURAL = {
    "order",
    "expected_days",
    "cadence_days",
    "limit",
    "sessions_from",
    "sessions_to",
    "score",
    "year",
}
# One woman's value, or a list of women: never published.
LEFT_OUT = {"min", "max", "falling_short", "statistic"}
# Figures over women that are not counts: rounded when the count they are over is
# published, left out otherwise.
AVERAGES = {"mean", "median", "mean_change"}
# (numerator, denominator) of a "percent" beside them.
SHARES = (("n", "of"), ("progressed", "assessed"), ("passed", "assessed"))
# The list entries' own names, so a path names a cell whatever the order.
LABELS = ("slug", "item", "phase", "band", "source", "cycle", "timepoint", "code", "worker")
# The same figure under several names: one cell, one perturbation.
ALIASES = (
    (re.compile(r"^participants/evaluation$"), "consenting"),
    (re.compile(r"^focus_areas/[^/]+/participants$"), "consenting"),
    (re.compile(r"^involvement/summary/[^/]+/participants$"), "consenting"),
    (re.compile(r"^process/dose_response/consenting$"), "consenting"),
    (re.compile(r"^fidelity/participants_assessed$"), "consenting"),
    (re.compile(r"^(focus_areas/[^/]+)/improved_same_worse/improved$"), r"\1/progressed"),
    (re.compile(r"^(focus_areas/[^/]+)/wilcoxon/n$"), r"\1/assessed"),
    (re.compile(r"^involvement/summary/([^/]+)/missing$"), r"involvement/missing/\1"),
    (re.compile(r"^involvement/paired/wilcoxon/n$"), "involvement/paired/scored_pairs"),
)


def cell_name(path: str) -> str:
    for pattern, name in ALIASES:
        if pattern.match(path):
            return pattern.sub(name, path)
    return path


def p_band(p_value: Any) -> str | None:
    if p_value is None:
        return None
    p = float(p_value)
    for limit in (0.001, 0.01, 0.05):
        if p < limit:
            return f"p < {limit}"
    return "p ≥ 0.05"


def share(numerator: Any, denominator: Any, like: Any) -> Any:
    """A percentage of two published counts, in the type of the exact one (whole, or
    to one decimal); None when either is suppressed or the denominator is 0."""
    if not isinstance(numerator, int) or not isinstance(denominator, int) or not denominator:
        return None
    value = Decimal(100 * numerator) / Decimal(denominator)
    if isinstance(like, int):
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _rounded(value: Any) -> Any:
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


class Publisher:
    """Walks an exact report (`report.evaluation_report`) and gives it as it may be
    published for that cohort's keys."""

    def __init__(self, keys: CellKeys) -> None:
        self.keys = keys

    def count(self, path: str, value: int, keys: CellKeys | None = None) -> int | str:
        return (keys or self.keys).count(cell_name(path), value)

    def value(self, path: str, key: str, value: Any) -> Any:
        if isinstance(value, dict):
            return self.mapping(path, value)
        if isinstance(value, list):
            return self.sequence(path, value)
        if isinstance(value, bool | str) or value is None:
            return value
        if key in STRUCTURAL:
            return value
        if isinstance(value, int):
            return self.count(path, value)
        # Any other number over women (a share, a mean, a p-value) is worked out by
        # `mapping` from its published neighbours, or left out.
        return None

    def mapping(self, path: str, node: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in LEFT_OUT:
                out[key] = [] if isinstance(value, list) else None
            elif key == "wilcoxon":
                out[key] = self.wilcoxon(f"{path}/{key}", value)
            elif key == "participants" and isinstance(value, list):
                out[key] = []  # one row per woman (fidelity): never published
            else:
                out[key] = self.value(f"{path}/{key}".lstrip("/"), key, value)
        for numerator, denominator in SHARES:
            if "percent" in node and numerator in out and denominator in out:
                out["percent"] = share(out[numerator], out[denominator], node["percent"])
        for key in AVERAGES & set(node):
            out[key] = _rounded(node[key]) if self.enough(node, out) else None
        return out

    @staticmethod
    def enough(node: Mapping[str, Any], out: Mapping[str, Any]) -> bool:
        """An average (or a test) is shown only over at least THRESHOLD women, and only
        when the count it is over is itself shown: a mean of two women's changes,
        rounded or not, is nearly their own answers."""
        for key in ("n", "assessed"):
            if key in node:
                return int(node[key] or 0) >= THRESHOLD and isinstance(out.get(key), int)
        return False

    def sequence(self, path: str, items: Sequence[Any]) -> list[Any]:
        out = []
        for index, item in enumerate(items):
            name = str(index)
            if isinstance(item, dict):
                name = next((str(item[k]) for k in LABELS if item.get(k) is not None), name)
            out.append(self.value(f"{path}/{name}", "", item))
        return out

    def wilcoxon(self, path: str, test: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if not test:
            return None
        n = self.count(f"{path}/n", int(test.get("n") or 0))
        if not self.enough(test, {"n": n}):
            return None
        effect = test.get("effect_size")
        return {
            "n": n,
            "statistic": None,
            "p_value": None,
            "p_band": p_band(test.get("p_value")),
            "effect_size": None if effect is None else _rounded(effect),
            "method": test.get("method"),
        }

    def cycles(self, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Costs per cycle: the amounts as they are (they are about the program), the
        heads perturbed, and every cost per head worked out from the published heads."""
        from doorway.evaluation.costs import per

        out = []
        for row in rows:
            name = f"cycles/{row['cycle']}"
            keys = self.keys.for_cycle(str(row["cycle"]))
            heads = {k: self.count(f"{name}/{k}", int(row.get(k) or 0), keys) for k in PER_HEAD}
            operating = row.get("operating_cost")
            amount = None if operating in (None, "") else Decimal(str(operating))
            costs: dict[str, str | None] = {}
            for head, suffix in PER_HEAD.items():
                count = heads[head]
                if amount is not None and isinstance(count, int) and count > 0:
                    costs[f"cost_per_{suffix}"] = str(per(amount, count))
                else:
                    costs[f"cost_per_{suffix}"] = None
            out.append({**row, **heads, **costs})
        return out


PER_HEAD = {"enrolled": "participant", "graduated": "graduate", "progressed": "progressed"}


def publish(report: Mapping[str, Any], keys: CellKeys) -> dict[str, Any]:
    """The report as it may be published: same shape, counts perturbed and small ones
    "<5", derived figures from the published counts, single women's values left out."""
    publisher = Publisher(keys)
    out: dict[str, Any] = {}
    for key, value in report.items():
        if key in ("program", "cohort", "definitions"):
            out[key] = value
        elif key == "cycles":
            out[key] = publisher.cycles(value or [])
        else:
            out[key] = publisher.value(key, key, value)
    out["disclosure"] = {"rule": str(RULE), "minimum_cohort": MINIMUM_COHORT}
    return out
