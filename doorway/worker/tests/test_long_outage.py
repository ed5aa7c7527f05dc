"""A night-long outage does not end the worker: its pause stays at the most after any
number of failures in a row (2 ** 1024 seconds overflowed after about 8.5 hours of
30-second pauses, and the worker exited with OverflowError)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from doorway.worker.management.commands.db_worker import MAX_PAUSE, pause_after


@given(st.integers(min_value=1, max_value=10**9))
def test_the_pause_never_passes_the_most_and_a_quarter(failures: int) -> None:
    assert 0 < pause_after(failures) <= MAX_PAUSE * 1.25


def test_the_pause_after_1025_failures_is_the_most() -> None:
    assert MAX_PAUSE <= pause_after(1025) <= MAX_PAUSE * 1.25
