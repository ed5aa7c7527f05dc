"""Fixtures shared by the evaluation's tests."""

from __future__ import annotations

import pytest

from doorway.evaluation import disclosure


@pytest.fixture
def any_cohort_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Publish cycles of any size, for tests of something other than the minimum size
    whose small worlds hold a handful of women (`disclosure.MINIMUM_COHORT`)."""
    monkeypatch.setattr(disclosure, "MINIMUM_COHORT", 0)


@pytest.fixture
def no_perturbation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Published counts equal to the true ones (an offset of 0 everywhere), for tests of
    the small-cell rule and the derived figures on hand-written reports."""
    monkeypatch.setattr(disclosure, "PERTURBATION", ((1.0, 0),))
