"""The reviewer's ratings beside the computed verdicts, item by item.

For each participant item, over the sample's records still in the research:

- the computed rate: records passed over records judged (pass or fail; "not yet" is not
  judged), as the evaluation page counts it;
- the reviewer's rate: "met" over "met" or "not met" ("can't tell" and unrated records
  are not judged);
- over the records both judged (n): the share where they agree, and Cohen's kappa on the
  2x2 table (statsmodels' `cohens_kappa`). Kappa is not defined when n is 0, or when
  chance agreement is already total (both said the same one thing of every record):
  it is then None, shown as "not defined".
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from doorway.evaluation import fidelity
from doorway.evaluation.process import percent
from doorway.fidelity_review.models import Rating

# The two categories of the table: (computed, reviewer) said "met" or "not met".
MET, NOT_MET = 0, 1
COMPUTED = {fidelity.PASS: MET, fidelity.FAIL: NOT_MET}
REVIEWED = {Rating.MET: MET, Rating.NOT_MET: NOT_MET}


def kappa(pairs: Sequence[tuple[int, int]]) -> float | None:
    """Cohen's kappa of paired ratings in two categories; None when not defined."""
    n = len(pairs)
    if not n:
        return None
    table = [[0, 0], [0, 0]]
    for a, b in pairs:
        table[a][b] += 1
    rows = [sum(r) for r in table]
    cols = [table[0][k] + table[1][k] for k in range(2)]
    chance = sum(rows[k] * cols[k] for k in range(2)) / (n * n)
    if chance >= 1:
        return None
    from statsmodels.stats.inter_rater import cohens_kappa

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = cohens_kappa(table, return_results=False)
    return float(result)


def item_results(records: Iterable[tuple[dict[str, str], dict[str, str]]]) -> list[dict[str, Any]]:
    """`records`: each record's (computed verdicts, reviewer's ratings) by item. One
    row per participant item, in the order of the computed fidelity."""
    rows = list(records)
    results = []
    for item in fidelity.ITEMS:
        key = str(item["item"])
        computed = Counter(c.get(key) for c, _ in rows)
        reviewed = Counter(r.get(key) for _, r in rows)
        pairs = [
            (COMPUTED[c[key]], REVIEWED[Rating(r[key])])
            for c, r in rows
            if c.get(key) in COMPUTED and r.get(key) in REVIEWED
        ]
        agreed = sum(1 for a, b in pairs if a == b)
        k = kappa(pairs)
        results.append(
            {
                "item": key,
                "label": str(item["label"]),
                "records": len(rows),
                "computed_passed": computed[fidelity.PASS],
                "computed_judged": computed[fidelity.PASS] + computed[fidelity.FAIL],
                "computed_percent": percent(
                    computed[fidelity.PASS], computed[fidelity.PASS] + computed[fidelity.FAIL]
                ),
                "computed_not_yet": computed[fidelity.NOT_YET],
                "reviewer_met": reviewed[Rating.MET],
                "reviewer_judged": reviewed[Rating.MET] + reviewed[Rating.NOT_MET],
                "reviewer_percent": percent(
                    reviewed[Rating.MET], reviewed[Rating.MET] + reviewed[Rating.NOT_MET]
                ),
                "reviewer_cant_tell": reviewed[Rating.CANT_TELL],
                "unrated": sum(1 for _, r in rows if key not in r),
                "n": len(pairs),
                "agreed": agreed,
                "agreement_percent": percent(agreed, len(pairs)),
                "kappa": None if k is None else round(k, 3),
            }
        )
    return results
