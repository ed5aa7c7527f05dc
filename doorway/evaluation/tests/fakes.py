"""A small evaluation report of the shape `report.evaluation_report` returns, with
counts chosen to exercise suppression: one focus area has 3 of 4 progressed."""

from __future__ import annotations

from typing import Any


def fake_report(slug: str = "edh-test") -> dict[str, Any]:
    return {
        "program": {"slug": slug, "name": "Exit Doors Here"},
        "cohort": {"description": "Exit Doors Here; all cycles"},
        "definitions": [{"term": "Progressed", "text": "Latest rating higher than baseline."}],
        "participants": {"referred": 40, "enrolled": 38, "evaluation": 30},
        "focus_areas": [
            {
                "area": "Support networks",
                "slug": "support-networks",
                "assessed": 30,
                "progressed": 19,
                "percent": 63.3,
                "mean_change": "1.20",
                "distribution": {
                    "intake": {"3": 10, "4": 20},
                    "latest": {"4": 11, "6": 16, "9": 3},
                },
                "wilcoxon": {
                    "n": 30,
                    "statistic": 150.5,
                    "p_value": 0.0123,
                    "effect_size": 0.61,
                    "method": "exact",
                },
                "missing": {"no_baseline": 2, "no_later": 3},
            },
            {
                "area": "Accommodation",
                "slug": "accommodation",
                "assessed": 4,
                "progressed": 3,
                "percent": 75.0,
                "mean_change": "0.50",
                "distribution": {"intake": {"2": 4}, "latest": {"2": 1, "5": 3}},
                "wilcoxon": None,
                "missing": {"no_baseline": 0, "no_later": 26},
            },
        ],
        "involvement": {
            "at": {
                "intake": {"often": 20, "always": 8, "at_risk": 2},
                "follow_up": {"not_at_all": 19, "rarely": 11},
            },
            "paired": {},
            "missing": {},
        },
        "cycles": [
            {
                "cycle": "Cycle 1",
                "enrolled": 30,
                "graduated": 3,
                "operating_cost": "586499.10",
                "evaluation_cost": "12000.00",
                "cost_per_participant": "19549.97",
                "cost_per_graduate": "195499.70",
                "cost_per_progressed": "30868.37",
                "by_category": {"staff": "400000.00"},
            }
        ],
        "process": {
            "dose_response": {
                "rows": [
                    {
                        "band": "0",
                        "sessions_from": 0,
                        "sessions_to": 0,
                        "assessed": 10,
                        "progressed": 4,
                        "percent": 40.0,
                    },
                    {
                        "band": "1-5",
                        "sessions_from": 1,
                        "sessions_to": 5,
                        "assessed": 20,
                        "progressed": 15,
                        "percent": 75.0,
                    },
                ],
                "consenting": 32,
                "not_assessed": 2,
            },
            "retention": [
                {
                    "phase": "Phase 1",
                    "order": 1,
                    "reached": 38,
                    "still_in_it": 5,
                    "exits": {"withdrew": 2},
                },
                {"phase": "Phase 2", "order": 2, "reached": 31, "still_in_it": 9, "exits": {}},
            ],
        },
        "fidelity": None,
    }
