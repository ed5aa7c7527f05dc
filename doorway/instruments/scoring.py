"""Scores, rules and skip conditions, evaluated from data (never with eval).

An instrument version's definition (see `doorway.instruments.definition`) lists:

- items, each `{"code", "kind", "choices": [{"code", "label", "score"}], ...}`;
- **scores**, computed in order, each over items or over scores defined above it:
  `{"code", "label", "kind": "sum" | "mean" | "count" | "min" | "max" | "weighted_sum",
  "items": [item codes]` *or* `"scores": [score codes]`, and optionally
  `"weights": {code: number}` (weighted_sum), `"choices": [codes]` (count only these
  options), `"min_answered": n` (fewer answered parts: no score)}`. A score over scores
  is a derived (second-order) score, e.g. the mean of subscale means;
- **rules**, e.g. eligibility: `{"code", "label", "conditions": [condition, ...]}`,
  met when every condition is met, with each condition's reason kept;
- **conditions**, for rules and for showing an item or section only sometimes:
  `{"item": code, "op": op, "value": v}`, `{"score": code, "op": op, "value": v}` or
  `{"age": "at_least", "value": "program_minimum" | n, "item": age item code}`, where op
  is answered, equals, not_equals, includes, at_least or at_most, plus an optional
  `"label"`: the reason in words.

An item's numeric value: its number or 1-10 rating; yes 1, no 0; a single choice's
score; the sum of the scores of a multiple choice's chosen options.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

SCORE_KINDS = ("sum", "mean", "count", "min", "max", "weighted_sum")
OPS = ("answered", "equals", "not_equals", "includes", "at_least", "at_most")
PROGRAM_MINIMUM = "program_minimum"


@dataclass
class Context:
    """What conditions and scores are evaluated against."""

    items: Mapping[str, Mapping[str, Any]]  # item code -> item definition
    answers: Mapping[str, Any]  # item code -> value (absent or None: not answered)
    scores: dict[str, float | None] = field(default_factory=dict)
    # Her age on the completion date from her date of birth, when it is known.
    known_age: int | None = None
    minimum_age: int | None = None


def is_answered(value: Any) -> bool:
    return value is not None and value != "" and value != []


def numeric_value(item: Mapping[str, Any], value: Any) -> float | None:
    if not is_answered(value):
        return None
    kind = item.get("kind")
    if kind in ("number", "scale"):
        return float(value)
    if kind == "yes_no":
        return 1.0 if value else 0.0
    scores = {c["code"]: c.get("score") for c in item.get("choices", [])}
    if kind == "single_choice":
        score = scores.get(value)
        return None if score is None else float(score)
    if kind == "multiple_choice":
        if all(s is None for s in scores.values()):
            return None
        return float(sum(Decimal(str(scores.get(c) or 0)) for c in value))
    return None


def _count(item: Mapping[str, Any], value: Any, only: Iterable[str] | None) -> int:
    if not is_answered(value):
        return 0
    wanted = set(only) if only else None
    if isinstance(value, list):
        return len([c for c in value if wanted is None or c in wanted])
    if item.get("kind") == "single_choice":
        return int(wanted is None or value in wanted)
    if item.get("kind") == "yes_no":
        return int(bool(value))
    return 1


def compute_score(score: Mapping[str, Any], ctx: Context) -> float | None:
    kind = score["kind"]
    if kind == "count":
        total = sum(
            _count(ctx.items[code], ctx.answers.get(code), score.get("choices"))
            for code in score.get("items", [])
        )
        return float(total)
    if "scores" in score:
        parts = {code: ctx.scores.get(code) for code in score["scores"]}
    else:
        parts = {
            code: numeric_value(ctx.items[code], ctx.answers.get(code))
            for code in score.get("items", [])
        }
    present = {code: v for code, v in parts.items() if v is not None}
    if len(present) < max(1, int(score.get("min_answered", 1))):
        return None
    values = list(present.values())
    if kind == "sum":
        result = sum(values)
    elif kind == "mean":
        result = sum(values) / len(values)
    elif kind == "min":
        result = min(values)
    elif kind == "max":
        result = max(values)
    elif kind == "weighted_sum":
        weights = score.get("weights", {})
        result = sum(float(weights.get(code, 1)) * v for code, v in present.items())
    else:  # pragma: no cover - the definition check refuses other kinds
        raise ValueError(f"Unknown score kind {kind!r}")
    return round(result, 4)


def compute_scores(scores: Iterable[Mapping[str, Any]], ctx: Context) -> dict[str, float | None]:
    """Every score, in order, so that a derived score reads those above it."""
    for score in scores:
        ctx.scores[score["code"]] = compute_score(score, ctx)
    return dict(ctx.scores)


# --- conditions ----------------------------------------------------------------------


def _same(item: Mapping[str, Any] | None, actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool):
        if isinstance(expected, str):
            return actual == (expected.lower() in ("yes", "true", "1"))
        return actual == bool(expected)
    if isinstance(actual, int | float | Decimal) and not isinstance(actual, bool):
        try:
            return float(actual) == float(expected)
        except (TypeError, ValueError):
            return False
    if isinstance(actual, datetime.date):
        return actual.isoformat() == str(expected)
    return str(actual) == str(expected)


def _as_number(actual: Any) -> float | None:
    if isinstance(actual, list):
        return float(len(actual))
    if isinstance(actual, bool):
        return 1.0 if actual else 0.0
    try:
        return float(actual)
    except (TypeError, ValueError):
        return None


def compare(
    actual: Any, op: str, expected: Any, item: Mapping[str, Any] | None = None
) -> bool | None:
    """True or False, or None when there is nothing to compare (not answered)."""
    if op == "answered":
        return is_answered(actual)
    if not is_answered(actual):
        return None
    if op == "equals":
        return _same(item, actual, expected)
    if op == "not_equals":
        return not _same(item, actual, expected)
    if op == "includes":
        wanted = expected if isinstance(expected, list) else [expected]
        chosen = actual if isinstance(actual, list) else [actual]
        return any(str(w) in {str(c) for c in chosen} for w in wanted)
    number = _as_number(actual)
    if number is None:
        return None
    if op == "at_least":
        return number >= float(expected)
    if op == "at_most":
        return number <= float(expected)
    raise ValueError(f"Unknown comparison {op!r}")


def _describe(item: Mapping[str, Any] | None, actual: Any) -> str:
    if not is_answered(actual):
        return "not answered"
    if item is not None and item.get("kind") == "text":
        return "answered"  # her own words never go into a reason
    labels = {c["code"]: c["label"] for c in (item or {}).get("choices", [])}
    if isinstance(actual, bool):
        return "yes" if actual else "no"
    if isinstance(actual, list):
        chosen = [str(labels.get(c, c)) for c in actual]
        return f"{len(chosen)} chosen" + (f": {', '.join(chosen)}" if chosen else "")
    if isinstance(actual, float):
        return f"{actual:g}"
    return str(labels.get(actual, actual))


def default_label(condition: Mapping[str, Any]) -> str:
    op = str(condition.get("op", "")).replace("_", " ")
    if "age" in condition:
        value = condition.get("value")
        minimum = "the program's minimum age" if value == PROGRAM_MINIMUM else str(value)
        return f"Age is {op} {minimum}"
    subject = condition.get("item") or condition.get("score")
    if op == "answered":
        return f"{subject} is answered"
    return f"{subject} {op} {condition.get('value')}"


def evaluate(condition: Mapping[str, Any], ctx: Context) -> tuple[bool | None, str]:
    """Whether the condition holds (None: not known), and what was found."""
    op = condition.get("op", "answered")
    if "age" in condition:
        expected = condition.get("value")
        if expected == PROGRAM_MINIMUM:
            expected = ctx.minimum_age
        age: Any = ctx.known_age
        source = "from her date of birth"
        if age is None and condition.get("item"):
            age = ctx.answers.get(condition["item"])
            source = "as answered"
        if age is None or expected is None:
            return None, "age not known"
        met = compare(age, condition.get("age", "at_least"), expected)
        wanted = str(condition.get("age", "at_least")).replace("_", " ")
        return met, f"{int(float(age))} {source}; needs {wanted} {expected}"
    if "score" in condition:
        actual = ctx.scores.get(condition["score"])
        return compare(actual, op, condition.get("value")), (
            "not scored" if actual is None else f"scored {actual:g}"
        )
    item = ctx.items.get(condition["item"])
    actual = ctx.answers.get(condition["item"])
    return compare(actual, op, condition.get("value"), item), _describe(item, actual)


def shown(condition: Mapping[str, Any] | None, ctx: Context) -> bool:
    """A skip condition: shown when there is none, or when it holds (unknown: hidden)."""
    if not condition:
        return True
    met, _found = evaluate(condition, ctx)
    return bool(met)


def evaluate_rule(rule: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """Met only when every condition is; not known (None) when none fails but one is
    not known yet. Each condition's reason is kept, met or not."""
    reasons = []
    for condition in rule.get("conditions", []):
        met, found = evaluate(condition, ctx)
        reasons.append(
            {"text": condition.get("label") or default_label(condition), "met": met, "found": found}
        )
    if any(r["met"] is False for r in reasons):
        overall: bool | None = False
    elif any(r["met"] is None for r in reasons):
        overall = None
    else:
        overall = True
    return {
        "code": rule["code"],
        "label": rule.get("label", rule["code"]),
        "met": overall,
        "reasons": reasons,
    }


def reasons_text(result: Mapping[str, Any]) -> str:
    """A rule's result in words, one reason a line: for an eligibility decision."""
    marks = {True: "met", False: "NOT met", None: "not known"}
    lines = [f"{r['text']}: {marks[r['met']]} ({r['found']})" for r in result["reasons"]]
    return "\n".join(lines)
