"""Agreement between the reviewer and the computed fidelity: Cohen's kappa against a
textbook example, "not defined" where it is, and the rates beside each other."""

from __future__ import annotations

import pytest

from doorway.fidelity_review.agreement import MET, NOT_MET, item_results, kappa


def pairs(both_met: int, first_only: int, second_only: int, neither: int) -> list[tuple[int, int]]:
    return (
        [(MET, MET)] * both_met
        + [(MET, NOT_MET)] * first_only
        + [(NOT_MET, MET)] * second_only
        + [(NOT_MET, NOT_MET)] * neither
    )


def test_kappa_of_the_textbook_example() -> None:
    # Cohen's kappa as Wikipedia works it out: 50 grant proposals read by two readers,
    # 20 yes by both, 5 yes by A only, 10 yes by B only, 15 no by both. Observed
    # agreement 0.7, chance agreement 0.5 * 0.6 + 0.5 * 0.4 = 0.5, kappa 0.4.
    assert kappa(pairs(20, 5, 10, 15)) == pytest.approx(0.4)


def test_kappa_of_perfect_and_of_chance_agreement() -> None:
    assert kappa(pairs(3, 0, 0, 2)) == pytest.approx(1.0)
    # Observed agreement 0.5 and chance agreement 0.5: nothing beyond chance.
    assert kappa(pairs(1, 1, 1, 1)) == pytest.approx(0.0)


@pytest.mark.parametrize(
    "rated",
    [
        [],  # nobody judged by both
        pairs(4, 0, 0, 0),  # both said "met" of every record
        pairs(0, 0, 0, 3),  # both said "not met" of every record
    ],
)
def test_kappa_is_not_defined_when_chance_agreement_is_total(rated: list) -> None:
    assert kappa(rated) is None


def test_the_rates_agreement_and_kappa_per_item() -> None:
    computed = ["pass", "pass", "fail", "fail", "not yet"]
    reviewed = ["met", "not_met", "not_met", "not_met", "met"]
    records = [
        ({"nine_months": c}, {"nine_months": r}) for c, r in zip(computed, reviewed, strict=True)
    ]
    records.append(({"nine_months": "pass"}, {"nine_months": "cant_tell"}))
    records.append(({"nine_months": "pass"}, {}))
    row = next(r for r in item_results(records) if r["item"] == "nine_months")
    assert (row["computed_passed"], row["computed_judged"], row["computed_not_yet"]) == (4, 6, 1)
    assert (row["reviewer_met"], row["reviewer_judged"]) == (2, 5)
    assert (row["reviewer_cant_tell"], row["unrated"]) == (1, 1)
    # Judged by both: the first four; agreed on three.
    assert (row["n"], row["agreed"], row["agreement_percent"]) == (4, 3, 75.0)
    # Table [[1, 1], [0, 2]]: observed 0.75, chance (2*1 + 2*3) / 16 = 0.5, kappa 0.5.
    assert row["kappa"] == pytest.approx(0.5)
    other = next(r for r in item_results(records) if r["item"] == "equal_phases")
    assert (other["n"], other["kappa"], other["unrated"]) == (0, None, 7)
