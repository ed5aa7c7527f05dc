from __future__ import annotations

import pytest

from doorway.caseload import refresh

OWN_RULES = [rule for rule in refresh.RULES if rule.__module__ == "doorway.caseload.due"]


@pytest.fixture
def only_caseload_rules(monkeypatch):
    """The caseload's own rules only, so that a test of the cadence is not about the plan
    review or referral rules of the other parts (tested beside their code)."""
    monkeypatch.setattr(refresh, "RULES", OWN_RULES)
