from __future__ import annotations

import pytest

from doorway.caseload import rules

OWN_RULES = [path for path in rules.RULES if path.startswith("doorway.caseload.")]


@pytest.fixture
def only_caseload_rules(monkeypatch):
    """The caseload's own rules only, so that a test of the cadence is not about the plan
    review or referral rules of the other parts (tested beside their code)."""
    monkeypatch.setattr(rules, "RULES", OWN_RULES)
