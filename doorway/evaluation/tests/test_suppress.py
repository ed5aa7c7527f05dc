"""Small-cell suppression: counts of 1 to 4 are shown as "<5"."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from doorway.evaluation.charts import funder_costs, funder_involvement, funder_progress
from doorway.evaluation.suppress import (
    NOT_SHOWN,
    SUPPRESSED,
    suppress,
    suppress_percent,
    suppress_row,
)
from doorway.evaluation.tests.fakes import fake_report


def test_counts_of_one_to_four_are_suppressed() -> None:
    assert [suppress(n) for n in range(7)] == [0, "<5", "<5", "<5", "<5", 5, 6]


def test_a_percentage_of_a_suppressed_count_is_not_shown() -> None:
    assert suppress_percent(3, 30) == ""
    assert suppress_percent(19, 4) == ""
    assert suppress_percent(19, 30) == "63%"
    assert suppress_percent(0, 30) == "0%"
    assert suppress_percent(0, 0) == ""


def test_a_lone_small_cell_takes_the_next_smallest_with_it() -> None:
    assert suppress_row({"a": 20, "b": 8, "c": 2}) == {"a": 20, "b": NOT_SHOWN, "c": SUPPRESSED}
    assert suppress_row({"a": 20, "b": 3, "c": 2}) == {"a": 20, "b": SUPPRESSED, "c": SUPPRESSED}
    assert suppress_row({"a": 20, "b": 0}) == {"a": 20, "b": 0}


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 40), max_size=6))
def test_no_small_cell_can_be_worked_out_from_the_total(counts) -> None:
    shown = suppress_row(counts)
    hidden = [k for k, v in shown.items() if isinstance(v, str)]
    assert all(shown[k] == SUPPRESSED for k, n in counts.items() if 0 < n < 5)
    assert all(shown[k] == n for k, n in counts.items() if n == 0)
    # Either nothing is hidden, or at least two cells are (when there are two to hide).
    non_zero = [k for k, n in counts.items() if n > 0]
    assert len(hidden) != 1 or len(non_zero) == 1


def test_the_funder_tables_suppress_small_cells() -> None:
    report = fake_report()
    progress, bars = funder_progress(report)
    assert progress.rows[1] == ["Accommodation", "<5", "<5", ""]
    assert bars[1].value is None
    assert progress.rows[0] == ["Support networks", 19, 30, "63%"]
    involvement = funder_involvement(report)
    assert involvement is not None
    at_risk = next(r for r in involvement.rows if r[0] == "At risk of returning")
    assert at_risk[1] == "<5"
    costs, _ = funder_costs(report)
    assert costs.rows[0][4] == "<5"
    assert costs.rows[0][5] == ""
