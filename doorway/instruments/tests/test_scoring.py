"""Scores as data: sums, means and counts over items, subscales, and derived
(second-order) scores, evaluated without eval."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from doorway.instruments.actions import record_administration
from doorway.instruments.scoring import Context, compute_scores
from doorway.instruments.tests.helpers import make_instrument

LIKERT = [{"code": f"a{n}", "label": f"Answer {n}", "score": n} for n in range(1, 6)]


def likert(code: str) -> dict:
    return {
        "code": code,
        "kind": "single_choice",
        "prompt": f"Statement {code}",
        "required": True,
        "choices": LIKERT,
    }


# A readiness questionnaire, expressed as data only: three subscales of two statements,
# each a subscale mean, and a second-order score from them.
READINESS = {
    "sections": [
        {"title": "Recognition", "items": [likert("r1"), likert("r2")]},
        {"title": "Ambivalence", "items": [likert("m1"), likert("m2")]},
        {"title": "Taking steps", "items": [likert("t1"), likert("t2")]},
    ],
    "scores": [
        {"code": "recognition", "label": "Recognition", "kind": "mean", "items": ["r1", "r2"]},
        {"code": "ambivalence", "label": "Ambivalence", "kind": "mean", "items": ["m1", "m2"]},
        {"code": "steps", "label": "Taking steps", "kind": "mean", "items": ["t1", "t2"]},
        {
            "code": "readiness",
            "label": "Overall readiness",
            "kind": "mean",
            "scores": ["recognition", "ambivalence", "steps"],
        },
        {
            "code": "weighted",
            "label": "Weighted readiness",
            "kind": "weighted_sum",
            "scores": ["recognition", "steps"],
            "weights": {"recognition": 0.25, "steps": 0.75},
        },
        {
            "code": "high_answers",
            "label": "Strong agreements",
            "kind": "count",
            "items": ["r1", "r2", "m1", "m2", "t1", "t2"],
            "choices": ["a4", "a5"],
        },
    ],
    "rules": [],
}


@pytest.mark.django_db
def test_a_readiness_questionnaire_with_subscales_and_a_second_order_score(world) -> None:
    version = make_instrument(world, READINESS, slug="readiness").current_version()
    assert version is not None
    answers = {"r1": "a5", "r2": "a4", "m1": "a2", "m2": "a3", "t1": "a1", "t2": "a3"}
    administration = record_administration(
        world.rosa_enrolment,
        version,
        by=world.alice,
        timepoint="intake",
        completed_on=timezone.localdate(),
        answers=answers,
    )
    assert administration.scores == {
        "recognition": 4.5,
        "ambivalence": 2.5,
        "steps": 2.0,
        "readiness": 3.0,
        "weighted": 2.625,
        "high_answers": 2.0,
    }


ITEMS: dict[str, dict[str, Any]] = {
    "n1": {"code": "n1", "kind": "number", "choices": []},
    "n2": {"code": "n2", "kind": "scale", "choices": []},
    "yes": {"code": "yes", "kind": "yes_no", "choices": []},
    "many": {
        "code": "many",
        "kind": "multiple_choice",
        "choices": [
            {"code": c, "label": c, "score": s} for c, s in [("a", 1), ("b", 2), ("c", None)]
        ],
    },
}


@given(
    n1=st.one_of(st.none(), st.integers(-1000, 1000)),
    n2=st.one_of(st.none(), st.integers(1, 10)),
    yes=st.one_of(st.none(), st.booleans()),
    many=st.lists(st.sampled_from(["a", "b", "c"]), unique=True),
)
def test_sum_mean_count_and_derived_scores_follow_their_definitions(n1, n2, yes, many) -> None:
    answers = {"n1": n1, "n2": n2, "yes": yes, "many": many}
    scores = compute_scores(
        [
            {"code": "total", "kind": "sum", "items": ["n1", "n2", "yes", "many"]},
            {"code": "average", "kind": "mean", "items": ["n1", "n2", "yes"]},
            {"code": "chosen", "kind": "count", "items": ["many", "yes"]},
            {"code": "both", "kind": "sum", "scores": ["total", "chosen"]},
            {"code": "strict", "kind": "mean", "items": ["n1", "n2"], "min_answered": 2},
        ],
        Context(items=ITEMS, answers=answers),
    )
    many_score = sum({"a": 1, "b": 2}.get(c, 0) for c in many)
    present = [float(v) for v in (n1, n2) if v is not None]
    if yes is not None:
        present.append(1.0 if yes else 0.0)
    if present or many:
        assert scores["total"] == pytest.approx(sum(present) + many_score)
    else:
        assert scores["total"] is None  # nothing answered: not scored, not zero
    if present:
        assert scores["average"] == pytest.approx(sum(present) / len(present), abs=1e-4)
    else:
        assert scores["average"] is None
    assert scores["chosen"] == len(many) + (1 if yes else 0)
    assert scores["both"] == pytest.approx((scores["total"] or 0) + scores["chosen"])
    if n1 is None or n2 is None:
        assert scores["strict"] is None
    else:
        assert scores["strict"] == pytest.approx((n1 + n2) / 2)


def test_a_score_with_nothing_answered_is_not_scored() -> None:
    scores = compute_scores(
        [
            {"code": "s", "kind": "sum", "items": ["n1"]},
            {"code": "d", "kind": "mean", "scores": ["s"]},
        ],
        Context(items=ITEMS, answers={}),
    )
    assert scores == {"s": None, "d": None}
