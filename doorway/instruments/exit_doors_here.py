"""The Exit Doors Here instruments: intake assessment, focus-area journey scale,
graduation review and the follow-up one month after graduation.

The journey scale's words are Doorway's own, written for this project and free to use.
A program that holds a licence for a proprietary scale enters that as an instrument of
its own. `install(program)` is idempotent: an instrument already there is left alone.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from doorway.instruments.actions import create_instrument
from doorway.instruments.models import Instrument, Timepoint
from doorway.programs.models import Program

INTAKE = "intake-assessment"
JOURNEY = "journey-scale"
GRADUATION = "graduation-review"
FOLLOW_UP = "follow-up"

# Doorway's own open wording for the ten steps of the journey scale, in her voice.
JOURNEY_STEPS = [
    "This is hard right now and I can't see a way to change it.",
    "I know something here needs to change, but it feels out of reach.",
    "I have started to talk about it with someone I trust.",
    "I have taken a first small step, with a lot of support.",
    "I am trying things out with support; some work, some don't.",
    "I am doing more of it myself, and still lean on support at times.",
    "Things are steadier; I know where to go when it gets hard.",
    "I am mostly handling this on my own.",
    "This is going well, and I can get through setbacks.",
    "This part of my life is where I want it, and I can keep it there.",
]

RISK_FACTORS = [
    ("law", "Conflict with the law"),
    ("supports", "Lacks positive supports"),
    ("substances", "Harmful substance use"),
    ("employment", "Un- or under-employment"),
    ("life_skills", "Lacks life skills"),
    ("abuser", "Unsafe because of an abuser"),
    ("housing", "Homeless or at risk of it"),
]

PRESENTING_ISSUES = [
    ("housing", "Housing"),
    ("income", "Money and income"),
    ("safety", "Safety and violence"),
    ("physical_health", "Physical health"),
    ("mental_health", "Mental health"),
    ("substances", "Drugs and alcohol"),
    ("legal", "Legal matters"),
    ("immigration", "Immigration"),
    ("children", "Children and family"),
    ("work", "Work and education"),
    ("other", "Something else"),
]

STAGES = [
    ("precontemplation", "Precontemplation: not yet thinking about change"),
    ("contemplation", "Contemplation: thinking about change"),
    ("preparation", "Preparation: getting ready to change"),
    ("action", "Action: making the change"),
    ("maintenance", "Maintenance: keeping the change going"),
]

# Ordinal: 0 (not involved) to 4 (always); "at risk of returning" has no score.
INVOLVEMENT: dict[str, Any] = {
    "code": "sex_work_involvement",
    "kind": "single_choice",
    "prompt": "How involved in sex work is she now?",
    "required": True,
    "choices": [
        {"code": "not_at_all", "label": "Not at all", "score": 0},
        {"code": "rarely", "label": "Rarely", "score": 1},
        {"code": "sometimes", "label": "Sometimes", "score": 2},
        {"code": "often", "label": "Often", "score": 3},
        {"code": "always", "label": "Always", "score": 4},
        {"code": "at_risk", "label": "Not involved now, but at risk of returning"},
    ],
}

YES_NO_CHOICES = [{"code": "yes", "label": "Yes"}, {"code": "no", "label": "No"}]


def _choices(pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"code": code, "label": label} for code, label in pairs]


INTAKE_DEFINITION: dict[str, Any] = {
    "sections": [
        {
            "title": "Who she is and what she wants",
            "items": [
                {
                    "code": "identifies_as_woman",
                    "kind": "yes_no",
                    "required": True,
                    "prompt": "Does she identify as a woman?",
                },
                {
                    "code": "wants_to_leave",
                    "kind": "yes_no",
                    "required": True,
                    "prompt": "Does she want to leave sex work?",
                },
                {
                    "code": "age",
                    "kind": "number",
                    "min": 10,
                    "max": 100,
                    "prompt": "Her age, if her date of birth is not on record",
                    "help": "Used for eligibility only when her date of birth is unknown.",
                },
            ],
        },
        {
            "title": "What brings her here",
            "items": [
                {
                    "code": "presenting_issues",
                    "kind": "multiple_choice",
                    "required": True,
                    "prompt": "Presenting issues",
                    "help": "Choose all that apply.",
                    "choices": _choices(PRESENTING_ISSUES),
                },
                {
                    "code": "presenting_other",
                    "kind": "text",
                    "prompt": "What else brings her here?",
                    "show_if": {"item": "presenting_issues", "op": "includes", "value": "other"},
                },
            ],
        },
        {
            "title": "Risk factors",
            "help": "The program is for women with at least two of these.",
            "items": [
                {
                    "code": "risk_factors",
                    "kind": "multiple_choice",
                    "prompt": "Which of these apply to her now?",
                    "help": "Choose all that apply.",
                    "choices": _choices(RISK_FACTORS),
                },
            ],
        },
        {
            "title": "Sex work and readiness to change",
            "items": [
                dict(INVOLVEMENT),
                {
                    "code": "readiness_stage",
                    "kind": "single_choice",
                    "required": True,
                    "prompt": "Readiness to change: which stage is she at?",
                    "choices": _choices(STAGES),
                },
            ],
        },
    ],
    "scores": [
        {
            "code": "risk_factor_count",
            "label": "Risk factors",
            "kind": "count",
            "items": ["risk_factors"],
        },
        {
            "code": "involvement",
            "label": "Sex-work involvement (0 none to 4 always)",
            "kind": "sum",
            "items": ["sex_work_involvement"],
        },
    ],
    "rules": [
        {
            "code": "eligibility",
            "label": "Eligible for Exit Doors Here",
            "conditions": [
                {
                    "item": "identifies_as_woman",
                    "op": "equals",
                    "value": "yes",
                    "label": "She identifies as a woman",
                },
                {
                    "age": "at_least",
                    "value": "program_minimum",
                    "item": "age",
                    "label": "She is at least the program's minimum age",
                },
                {
                    "item": "wants_to_leave",
                    "op": "equals",
                    "value": "yes",
                    "label": "She wants to leave sex work",
                },
                {
                    "score": "risk_factor_count",
                    "op": "at_least",
                    "value": 2,
                    "label": "At least two of the seven risk factors",
                },
            ],
        }
    ],
}


def journey_items(program: Program) -> list[dict[str, Any]]:
    return [
        {
            "code": area.slug,
            "kind": "scale",
            "prompt": f"{area.name}: where are you now?",
            "help": "Read the steps together; she chooses the one closest to where she is.",
            "focus_area": area.slug,
            "steps": JOURNEY_STEPS,
        }
        for area in program.active_focus_areas()
    ]


def journey_definition(program: Program) -> dict[str, Any]:
    items = journey_items(program)
    return {
        "sections": [{"title": "Her journey, area by area", "items": items}],
        "scores": [
            {
                "code": "journey_mean",
                "label": "Mean of the areas rated",
                "kind": "mean",
                "items": [i["code"] for i in items],
            }
        ]
        if items
        else [],
        "rules": [],
    }


def graduation_definition(program: Program) -> dict[str, Any]:
    journey = journey_definition(program)
    return {
        "sections": [
            *journey["sections"],
            {"title": "Sex work", "items": [dict(INVOLVEMENT)]},
        ],
        "scores": [
            *journey["scores"],
            {
                "code": "involvement",
                "label": "Sex-work involvement (0 none to 4 always)",
                "kind": "sum",
                "items": ["sex_work_involvement"],
            },
        ],
        "rules": [],
    }


FOLLOW_UP_DEFINITION: dict[str, Any] = {
    "sections": [
        {
            "title": "One month after graduation",
            "items": [
                dict(INVOLVEMENT),
                {
                    "code": "housing",
                    "kind": "single_choice",
                    "required": True,
                    "prompt": "Where is she living now?",
                    "choices": _choices(
                        [
                            ("own_place", "Her own place (rented or owned)"),
                            ("supportive", "Supportive or transitional housing"),
                            ("with_others", "With family or friends"),
                            ("shelter", "Shelter"),
                            ("no_home", "No fixed address"),
                            ("unknown", "Does not say"),
                        ]
                    ),
                },
                {
                    "code": "connected_to_supports",
                    "kind": "yes_no",
                    "required": True,
                    "prompt": "Is she still connected to the supports she was linked to?",
                },
                {
                    "code": "supports_in_touch",
                    "kind": "multiple_choice",
                    "prompt": "Which supports is she in touch with?",
                    "show_if": {"item": "connected_to_supports", "op": "equals", "value": "yes"},
                    "choices": _choices(
                        [
                            ("counselling", "Counselling"),
                            ("health", "Health care"),
                            ("housing_worker", "Housing worker"),
                            ("employment", "Employment or school"),
                            ("peer", "Peer or group support"),
                            ("legal", "Legal help"),
                            ("other", "Other"),
                        ]
                    ),
                },
                {
                    "code": "what_helped",
                    "kind": "text",
                    "prompt": "In her words: what helped most?",
                },
            ],
        }
    ],
    "scores": [
        {
            "code": "involvement",
            "label": "Sex-work involvement (0 none to 4 always)",
            "kind": "sum",
            "items": ["sex_work_involvement"],
        }
    ],
    "rules": [],
}


def definitions(program: Program) -> list[tuple[str, str, str, list[str], dict[str, Any]]]:
    """(slug, name, description, timepoints, definition) of each instrument."""
    return [
        (
            INTAKE,
            "Intake assessment",
            "Presenting issues, risk factors, eligibility, sex-work involvement and readiness "
            "to change.",
            [Timepoint.INTAKE],
            INTAKE_DEFINITION,
        ),
        (
            JOURNEY,
            "Focus-area journey scale",
            "A 1-10 rating per focus area in Doorway's own open wording: her baseline at "
            "intake, then at each phase change.",
            [Timepoint.INTAKE, Timepoint.PHASE_CHANGE, Timepoint.AD_HOC],
            journey_definition(program),
        ),
        (
            GRADUATION,
            "Graduation review",
            "The journey scale and sex-work involvement, at graduation.",
            [Timepoint.GRADUATION],
            graduation_definition(program),
        ),
        (
            FOLLOW_UP,
            "Follow-up one month after graduation",
            "Sex-work involvement, housing, supports, and what helped.",
            [Timepoint.FOLLOW_UP],
            FOLLOW_UP_DEFINITION,
        ),
    ]


@transaction.atomic
def install(program: Program) -> list[Instrument]:
    """Give the program the Exit Doors Here instruments it does not have yet."""
    installed = []
    for slug, name, description, timepoints, definition in definitions(program):
        instrument = Instrument.objects.filter(program=program, slug=slug).first()
        if instrument is None:
            instrument = create_instrument(
                program,
                by=None,
                slug=slug,
                name=name,
                description=description,
                timepoints=[str(t) for t in timepoints],
                definition=definition,
            )
        installed.append(instrument)
    return installed
