"""The Wilcoxon signed-rank test for paired ratings, with the matched-pairs rank-biserial
correlation as its effect size.

Ratings on a 1-10 scale have many ties and many zero differences, which is where the
usual exact tables (and SciPy's `method="exact"`) stop being right. So:

- Zero differences: Wilcoxon's own rule by default (`zero_method="wilcox"`: drop them,
  as R's `wilcox.test` does); Pratt's rule (`"pratt"`: rank them with the rest, then
  drop them) on request. The number dropped is reported either way.
- Ties: average ranks.
- Exact p-value when at most `EXACT_LIMIT` non-zero differences remain: the permutation
  distribution of V (the sum of the positive ranks) over all 2^n sign assignments of the
  non-zero differences, with their actual (average) ranks, counted by dynamic programming
  over doubled ranks (integers, so nothing is rounded). Two-sided p = twice the smaller
  tail, capped at 1 (the distribution is symmetric, so this equals P(|V - E V| >= |v - E V|)).
- Above that: SciPy's normal approximation with the tie correction of the variance and a
  continuity correction (`scipy.stats.wilcoxon(method="approx", correction=True)`), the
  same as R's `wilcox.test(..., exact=FALSE, correct=TRUE)`.

The test needs only how many pairs gave each difference: `wilcoxon_from_counts` takes
that histogram ({difference: pairs}), which the database can count, and gives the same
result as the list form (the same exact p-value; the same normal approximation, written
out from the counts).

Effect size (Kerby's simple difference formula): r = (V+ - V-) / (V+ + V-), the share of
favourable minus unfavourable rank mass, from -1 (all went down) to 1 (all went up);
zeros do not enter it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Literal

from scipy import stats as scipy_stats

EXACT_LIMIT = 50
ZeroMethod = Literal["wilcox", "pratt"]


@dataclass(frozen=True)
class SignedRank:
    n: int  # pairs given
    n_used: int  # non-zero differences the test is on
    zeros: int  # zero differences dropped
    statistic: float  # V: the sum of the ranks of the positive differences
    p_value: float | None  # two-sided; None when no difference is left
    effect_size: float | None  # matched-pairs rank-biserial correlation
    method: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks 1..n of the values, ties sharing the average of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        rank = (start + end) / 2 + 1
        for k in range(start, end + 1):
            ranks[order[k]] = rank
        start = end + 1
    return ranks


def _ranked_differences(
    differences: Sequence[float], zero_method: ZeroMethod
) -> tuple[list[float], list[float], int]:
    """(non-zero differences, their ranks, number of zeros)."""
    zeros = sum(1 for d in differences if d == 0)
    if zero_method == "pratt":
        ranks = average_ranks([abs(d) for d in differences])
        kept = [(d, r) for d, r in zip(differences, ranks, strict=True) if d != 0]
        return [d for d, _ in kept], [r for _, r in kept], zeros
    if zero_method != "wilcox":
        raise ValueError(f"Unknown zero_method {zero_method!r}: use 'wilcox' or 'pratt'.")
    nonzero = [d for d in differences if d != 0]
    return nonzero, average_ranks([abs(d) for d in nonzero]), zeros


def exact_distribution(ranks: Sequence[float]) -> dict[int, int]:
    """For the given ranks (integers or halves), the number of sign assignments giving
    each value of 2 * V: a dict {2V: count} whose counts add up to 2^n."""
    doubled = [round(2 * r) for r in ranks]
    if any(abs(2 * r - d) > 1e-9 for r, d in zip(ranks, doubled, strict=True)):
        raise ValueError("Ranks must be whole or half numbers.")
    counts = [0] * (sum(doubled) + 1)
    counts[0] = 1
    reach = 0
    for d in doubled:
        # Each rank is either in V (shift by d) or not; go down so each is used once.
        for total in range(reach, -1, -1):
            if counts[total]:
                counts[total + d] += counts[total]
        reach += d
    return {total: c for total, c in enumerate(counts) if c}


def exact_p_value(ranks: Sequence[float], statistic: float) -> float:
    """Two-sided exact p-value of V = `statistic` under the sign-flip null."""
    distribution = exact_distribution(ranks)
    observed = round(2 * statistic)
    all_ = sum(distribution.values())
    lower = sum(c for total, c in distribution.items() if total <= observed)
    upper = sum(c for total, c in distribution.items() if total >= observed)
    return float(min(Fraction(1), Fraction(2 * min(lower, upper), all_)))


def wilcoxon_signed_rank(
    before: Sequence[float],
    after: Sequence[float],
    *,
    zero_method: ZeroMethod = "wilcox",
    exact_limit: int = EXACT_LIMIT,
) -> SignedRank:
    """Test whether `after` tends to differ from `before` (paired, same order).
    V counts the ranks of after - before > 0, so a large V means ratings went up."""
    if len(before) != len(after):
        raise ValueError("The two samples must be paired: same length.")
    differences = [float(a) - float(b) for b, a in zip(before, after, strict=True)]
    nonzero, ranks, zeros = _ranked_differences(differences, zero_method)
    plus = sum(r for d, r in zip(nonzero, ranks, strict=True) if d > 0)
    minus = sum(r for d, r in zip(nonzero, ranks, strict=True) if d < 0)
    n_used = len(nonzero)
    zero_words = (
        "zeros dropped (Wilcoxon)"
        if zero_method == "wilcox"
        else "zeros ranked then dropped (Pratt)"
    )
    effect = (plus - minus) / (plus + minus) if n_used else None
    if n_used == 0:
        return SignedRank(
            len(differences), 0, zeros, 0.0, None, None, f"no non-zero difference; {zero_words}"
        )
    tied = len({abs(d) for d in nonzero}) < n_used
    if n_used <= exact_limit:
        p_value = exact_p_value(ranks, plus)
        words = "with ties, average ranks" if tied else "no ties"
        method = f"exact permutation distribution ({words}); {zero_words}"
    else:
        p_value = normal_approximation_p(differences, zero_method)
        method = "normal approximation with tie and continuity correction (SciPy); " + zero_words
    return SignedRank(len(differences), n_used, zeros, plus, p_value, effect, method)


def normal_approximation_p(differences: Sequence[float], zero_method: ZeroMethod) -> float:
    """Two-sided p-value by the normal approximation, tie- and continuity-corrected."""
    result = scipy_stats.wilcoxon(
        differences, zero_method=zero_method, correction=True, method="approx"
    )
    return float(result.pvalue)


def normal_approximation_p_by_hand(
    differences: Sequence[float], zero_method: ZeroMethod = "wilcox"
) -> float:
    """The same approximation written out (R's formula), to check SciPy against."""
    nonzero, ranks, _zeros = _ranked_differences(differences, zero_method)
    plus = sum(r for d, r in zip(nonzero, ranks, strict=True) if d > 0)
    mean = sum(ranks) / 2
    variance = sum(r * r for r in ranks) / 4
    z = plus - mean
    z = (z - math.copysign(0.5, z)) / math.sqrt(variance) if z else 0.0
    return min(1.0, math.erfc(abs(z) / math.sqrt(2)))


def _ranks_from_counts(
    counts: Mapping[int, int] | Mapping[float, int], zero_method: ZeroMethod
) -> tuple[list[tuple[float, int, float]], int]:
    """[(difference, pairs, average rank)] of the non-zero differences, and the zeros."""
    if zero_method not in ("wilcox", "pratt"):
        raise ValueError(f"Unknown zero_method {zero_method!r}: use 'wilcox' or 'pratt'.")
    zeros = sum(n for d, n in counts.items() if d == 0)
    by_size: dict[float, list[tuple[float, int]]] = {}
    for d, n in counts.items():
        if n < 0:
            raise ValueError("A count of pairs cannot be negative.")
        if d != 0 and n:
            by_size.setdefault(abs(d), []).append((d, n))
    # Pratt ranks the zeros with the rest: they take the lowest ranks, then are dropped.
    below = zeros if zero_method == "pratt" else 0
    ranked: list[tuple[float, int, float]] = []
    for size in sorted(by_size):
        tied = sum(n for _d, n in by_size[size])
        rank = below + (tied + 1) / 2
        ranked.extend((d, n, rank) for d, n in by_size[size])
        below += tied
    return ranked, zeros


def wilcoxon_from_counts(
    counts: Mapping[int, int] | Mapping[float, int],
    *,
    zero_method: ZeroMethod = "wilcox",
    exact_limit: int = EXACT_LIMIT,
) -> SignedRank:
    """The signed-rank test from the histogram of differences after - before
    ({difference: number of pairs}): the same result as `wilcoxon_signed_rank` on the
    pairs themselves, without them."""
    ranked, zeros = _ranks_from_counts(counts, zero_method)
    plus = sum(n * r for d, n, r in ranked if d > 0)
    minus = sum(n * r for d, n, r in ranked if d < 0)
    n_used = sum(n for _d, n, _r in ranked)
    given = n_used + zeros
    zero_words = (
        "zeros dropped (Wilcoxon)"
        if zero_method == "wilcox"
        else "zeros ranked then dropped (Pratt)"
    )
    if n_used == 0:
        return SignedRank(given, 0, zeros, 0.0, None, None, f"no non-zero difference; {zero_words}")
    effect = (plus - minus) / (plus + minus)
    tied = len({abs(d) for d, _n, _r in ranked}) < n_used
    if n_used <= exact_limit:
        ranks = [r for _d, n, r in ranked for _ in range(n)]
        p_value = exact_p_value(ranks, plus)
        words = "with ties, average ranks" if tied else "no ties"
        method = f"exact permutation distribution ({words}); {zero_words}"
    else:
        p_value = _normal_p_from_ranks(ranked, plus, zeros, zero_method)
        method = "normal approximation with tie and continuity correction (SciPy); " + zero_words
    return SignedRank(given, n_used, zeros, plus, p_value, effect, method)


def _normal_p_from_ranks(
    ranked: Sequence[tuple[float, int, float]], plus: float, zeros: int, zero_method: ZeroMethod
) -> float:
    """SciPy's approximation (tie- and continuity-corrected) from the ranked counts."""
    n_used = sum(n for _d, n, _r in ranked)
    if zero_method == "pratt":
        # SciPy keeps the zeros' ranks out of the sum but in the count, as R's
        # coin::wilcoxsign_test does: mean and variance over all ranks, less the zeros'.
        everyone = n_used + zeros
        mean = everyone * (everyone + 1) / 4 - zeros * (zeros + 1) / 4
        variance = (
            everyone * (everyone + 1) * (2 * everyone + 1) - zeros * (zeros + 1) * (2 * zeros + 1)
        ) / 24
    else:
        mean = n_used * (n_used + 1) / 4
        variance = n_used * (n_used + 1) * (2 * n_used + 1) / 24
    ties = Counter[float]()
    for d, n, _r in ranked:
        ties[abs(d)] += n
    variance -= sum(t * t * t - t for t in ties.values()) / 48
    z = plus - mean
    z = (z - math.copysign(0.5, z)) / math.sqrt(variance) if z else 0.0
    return float(min(1.0, math.erfc(abs(z) / math.sqrt(2))))
