"""The Wilcoxon signed-rank test against published values and independent computations."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from doorway.evaluation.stats import (
    average_ranks,
    exact_distribution,
    normal_approximation_p,
    normal_approximation_p_by_hand,
    wilcoxon_from_counts,
    wilcoxon_signed_rank,
)


def brute_force_p(differences: Sequence[float], zero_method: str = "wilcox") -> float:
    """Every one of the 2^n sign assignments, counted one by one."""
    if zero_method == "wilcox":
        nonzero = [d for d in differences if d != 0]
        ranks = average_ranks([abs(d) for d in nonzero])
    else:
        all_ranks = average_ranks([abs(d) for d in differences])
        nonzero = [d for d in differences if d != 0]
        ranks = [r for d, r in zip(differences, all_ranks, strict=True) if d != 0]
    observed = sum(r for d, r in zip(nonzero, ranks, strict=True) if d > 0)
    lower = upper = 0
    for signs in itertools.product((0, 1), repeat=len(ranks)):
        v = sum(r for s, r in zip(signs, ranks, strict=True) if s)
        lower += v <= observed + 1e-9
        upper += v >= observed - 1e-9
    return min(1.0, 2 * min(lower, upper) / 2 ** len(ranks))


def test_r_documentation_depression_example() -> None:
    # R, ?wilcox.test: Hollander & Wolfe (1973), p. 29, depression scale before (x) and
    # after (y) a tranquilizer. R prints V = 40, p-value = 0.03906 (paired, two-sided).
    x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    result = wilcoxon_signed_rank(y, x)  # V counts x - y > 0, as R does
    assert result.statistic == 40
    assert round(result.p_value or 0, 5) == 0.03906
    assert result.n_used == 9
    assert result.zeros == 0
    assert "exact" in result.method
    # SciPy's exact test is right here (no ties, no zeros): it agrees.
    assert result.p_value == pytest.approx(scipy_stats.wilcoxon(x, y, method="exact").pvalue)
    # Rank-biserial: (40 - 5) / 45.
    assert result.effect_size == pytest.approx(35 / 45)


# Bortz, Lienert & Boehnke, "Verteilungsfreie Methoden in der Biostatistik": paired
# scores with five zero differences and tied absolute differences. Published with R:
# exactRankTests::wilcox.exact(x1, x2, paired=TRUE) gives V = 13, p-value = 0.1367
# (exact, zeros dropped, average ranks); stats::wilcox.test(..., correct=TRUE) gives the
# normal approximation V = 13, p-value = 0.1436.
BLB_X1 = [9, 14, 8, 11, 14, 10, 8, 14, 12, 14, 13, 9, 15, 12, 9]
BLB_X2 = [13, 15, 9, 12, 16, 10, 8, 13, 12, 16, 9, 10, 16, 12, 9]


def test_textbook_example_with_ties_and_zeros_exact() -> None:
    result = wilcoxon_signed_rank(BLB_X2, BLB_X1)  # V counts x1 - x2 > 0
    assert result.statistic == 13
    assert result.zeros == 5
    assert result.n_used == 10
    assert round(result.p_value or 0, 4) == 0.1367
    assert "with ties" in result.method
    differences = [a - b for a, b in zip(BLB_X1, BLB_X2, strict=True)]
    assert result.p_value == pytest.approx(brute_force_p(differences), abs=1e-12)


def test_textbook_example_with_ties_and_zeros_normal_approximation() -> None:
    differences = [a - b for a, b in zip(BLB_X1, BLB_X2, strict=True)]
    assert round(normal_approximation_p(differences, "wilcox"), 4) == 0.1436
    assert normal_approximation_p(differences, "wilcox") == pytest.approx(
        normal_approximation_p_by_hand(differences, "wilcox")
    )
    # Forcing the approximation through the public function gives the same value.
    forced = wilcoxon_signed_rank(BLB_X2, BLB_X1, exact_limit=0)
    assert round(forced.p_value or 0, 4) == 0.1436
    assert "normal approximation" in forced.method


def test_one_sample_with_a_zero_and_ties() -> None:
    # R-help, 9 February 2010 (Steele, Ehlers): exactRankTests::wilcox.exact(x, mu=119)
    # prints V = 65.5, p-value = 0.771 (one zero difference, tied ranks).
    x = [136, 103, 91, 122, 96, 145, 140, 138, 126, 120, 99, 125, 91, 142, 119, 137]
    result = wilcoxon_signed_rank([119] * len(x), x)
    assert result.statistic == 65.5
    assert result.zeros == 1
    assert round(result.p_value or 0, 3) == 0.771
    assert result.p_value == pytest.approx(brute_force_p([v - 119 for v in x]), abs=1e-12)


def test_pratt_zero_handling_matches_brute_force_and_scipy() -> None:
    before = [110, 122, 125, 120, 140, 124, 123, 137, 135, 145]
    after = [125, 115, 130, 140, 140, 115, 140, 125, 140, 135]
    differences = [a - b for a, b in zip(after, before, strict=True)]
    result = wilcoxon_signed_rank(before, after, zero_method="pratt")
    assert result.zeros == 1
    # Pratt ranks the zero (rank 1) and drops it: the other ranks move up by one.
    assert result.statistic == 32
    assert result.p_value == pytest.approx(brute_force_p(differences, "pratt"), abs=1e-12)
    assert normal_approximation_p(differences, "pratt") == pytest.approx(
        normal_approximation_p_by_hand(differences, "pratt")
    )


def test_no_difference_at_all() -> None:
    result = wilcoxon_signed_rank([3, 4, 5], [3, 4, 5])
    assert result.n_used == 0
    assert result.zeros == 3
    assert result.p_value is None
    assert result.effect_size is None


def test_all_up_by_the_same_amount() -> None:
    # Five ties at rank 3: V = 15 is the most extreme of 2^5 outcomes, p = 2/32.
    result = wilcoxon_signed_rank([1, 2, 3, 4, 5], [2, 3, 4, 5, 6])
    assert result.statistic == 15
    assert result.p_value == pytest.approx(2 / 32)
    assert result.effect_size == 1


def test_exact_distribution_counts_every_assignment() -> None:
    ranks = average_ranks([1, 1, 2, 3, 3, 3])
    assert sum(exact_distribution(ranks).values()) == 2**6


def test_unequal_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="paired"):
        wilcoxon_signed_rank([1, 2], [1])


pairs = st.lists(st.tuples(st.integers(1, 10), st.integers(1, 10)), min_size=1, max_size=14)


@settings(max_examples=60, deadline=None)
@given(pairs)
def test_properties(data: list[tuple[int, int]]) -> None:
    before = [b for b, _ in data]
    after = [a for _, a in data]
    result = wilcoxon_signed_rank(before, after)
    mirrored = wilcoxon_signed_rank(after, before)
    assert result.n_used == mirrored.n_used
    if result.p_value is None:
        assert result.n_used == 0
        return
    # p in (0, 1]; swapping the samples keeps p and turns the effect around.
    assert 0 < result.p_value <= 1
    assert result.p_value == pytest.approx(mirrored.p_value)
    assert result.effect_size is not None
    assert mirrored.effect_size is not None
    assert -1 <= result.effect_size <= 1
    assert result.effect_size == pytest.approx(-mirrored.effect_size)
    differences = [a - b for b, a in data]
    assert result.p_value == pytest.approx(brute_force_p(differences), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-6, 6), min_size=1, max_size=12))
def test_exact_agrees_with_scipy_when_there_are_no_ties(differences: list[int]) -> None:
    nonzero = [d for d in differences if d != 0]
    if not nonzero or len({abs(d) for d in nonzero}) < len(nonzero):
        return
    result = wilcoxon_signed_rank([0] * len(nonzero), nonzero)
    assert result.p_value == pytest.approx(scipy_stats.wilcoxon(nonzero, method="exact").pvalue)


# The histogram form the database can count: {difference: pairs}.
rating_pairs = st.lists(st.tuples(st.integers(1, 10), st.integers(1, 10)), min_size=1, max_size=200)


@settings(max_examples=150, deadline=None)
@given(rating_pairs, st.sampled_from(["wilcox", "pratt"]))
def test_counts_form_is_the_list_form(data: list[tuple[int, int]], zero_method) -> None:
    before = [b for b, _ in data]
    after = [a for _, a in data]
    listed = wilcoxon_signed_rank(before, after, zero_method=zero_method)
    counted = wilcoxon_from_counts(
        Counter(float(a) - float(b) for b, a in data), zero_method=zero_method
    )
    assert (counted.n, counted.n_used, counted.zeros) == (listed.n, listed.n_used, listed.zeros)
    assert counted.statistic == listed.statistic
    assert counted.effect_size == listed.effect_size
    assert counted.method == listed.method
    if listed.n_used <= 50:
        # The exact test: the very same number.
        assert counted.p_value == listed.p_value
    else:
        # The normal approximation written out from the counts, against SciPy's.
        assert counted.p_value == pytest.approx(listed.p_value, rel=1e-9, abs=1e-300)


def test_counts_form_with_the_approximation_forced() -> None:
    differences = [a - b for a, b in zip(BLB_X1, BLB_X2, strict=True)]
    counted = wilcoxon_from_counts(Counter(differences), exact_limit=0)
    assert round(counted.p_value or 0, 4) == 0.1436  # R, as above
    pratt = [
        a - b for a, b in zip([125, 115, 130, 140, 140], [110, 122, 125, 140, 124], strict=True)
    ]
    assert wilcoxon_from_counts(
        Counter(pratt), zero_method="pratt", exact_limit=0
    ).p_value == pytest.approx(normal_approximation_p(pratt, "pratt"), rel=1e-12)


def test_counts_form_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="negative"):
        wilcoxon_from_counts({1: -2})
    with pytest.raises(ValueError, match="zero_method"):
        wilcoxon_from_counts({1: 2}, zero_method="zsplit")  # type: ignore[arg-type]  # the refusal of a method it does not know
