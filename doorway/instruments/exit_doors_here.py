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
# Each wording has its French beside it in the same version (codes and scores are shared).
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

JOURNEY_STEPS_FR = [
    "C'est difficile en ce moment et je ne vois pas comment changer les choses.",
    "Je sais que quelque chose doit changer ici, mais ça me semble hors de portée.",
    "J'ai commencé à en parler avec une personne de confiance.",
    "J'ai fait un premier petit pas, avec beaucoup de soutien.",
    "J'essaie des choses avec du soutien; certaines marchent, d'autres non.",
    "J'en fais davantage moi-même, et je m'appuie encore parfois sur du soutien.",
    "Les choses sont plus stables; je sais où aller quand ça devient difficile.",
    "Je m'en occupe surtout par moi-même.",
    "Ça va bien, et je peux traverser les reculs.",
    "Cette partie de ma vie est là où je la veux, et je peux la garder ainsi.",
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
RISK_FACTORS_FR = {
    "law": "Démêlés avec la justice",
    "supports": "Manque de soutiens positifs",
    "substances": "Consommation nuisible de substances",
    "employment": "Sans emploi ou sous-employée",
    "life_skills": "Manque de compétences de vie",
    "abuser": "En danger à cause d'un agresseur",
    "housing": "Sans logement ou à risque de l'être",
}

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
PRESENTING_ISSUES_FR = {
    "housing": "Logement",
    "income": "Argent et revenu",
    "safety": "Sécurité et violence",
    "physical_health": "Santé physique",
    "mental_health": "Santé mentale",
    "substances": "Drogues et alcool",
    "legal": "Questions juridiques",
    "immigration": "Immigration",
    "children": "Enfants et famille",
    "work": "Travail et études",
    "other": "Autre chose",
}

STAGES = [
    ("precontemplation", "Precontemplation: not yet thinking about change"),
    ("contemplation", "Contemplation: thinking about change"),
    ("preparation", "Preparation: getting ready to change"),
    ("action", "Action: making the change"),
    ("maintenance", "Maintenance: keeping the change going"),
]
STAGES_FR = {
    "precontemplation": "Précontemplation : ne pense pas encore au changement",
    "contemplation": "Contemplation : pense au changement",
    "preparation": "Préparation : se prépare au changement",
    "action": "Action : fait le changement",
    "maintenance": "Maintien : maintient le changement",
}

# Ordinal: 0 (not involved) to 4 (always); "at risk of returning" has no score.
INVOLVEMENT: dict[str, Any] = {
    "code": "sex_work_involvement",
    "kind": "single_choice",
    "prompt": "How involved in sex work is she now?",
    "prompt_fr": "Dans quelle mesure participe-t-elle au travail du sexe en ce moment?",
    "required": True,
    "choices": [
        {"code": "not_at_all", "label": "Not at all", "label_fr": "Pas du tout", "score": 0},
        {"code": "rarely", "label": "Rarely", "label_fr": "Rarement", "score": 1},
        {"code": "sometimes", "label": "Sometimes", "label_fr": "Parfois", "score": 2},
        {"code": "often", "label": "Often", "label_fr": "Souvent", "score": 3},
        {"code": "always", "label": "Always", "label_fr": "Toujours", "score": 4},
        {
            "code": "at_risk",
            "label": "Not involved now, but at risk of returning",
            "label_fr": "N'y participe pas en ce moment, mais risque d'y retourner",
        },
    ],
}


def _choices(
    pairs: list[tuple[str, str]], french: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    return [
        {"code": code, "label": label, "label_fr": (french or {}).get(code, "")}
        for code, label in pairs
    ]


INTAKE_DEFINITION: dict[str, Any] = {
    "sections": [
        {
            "title": "Who she is and what she wants",
            "title_fr": "Qui elle est et ce qu'elle souhaite",
            "items": [
                {
                    "code": "identifies_as_woman",
                    "kind": "yes_no",
                    "required": True,
                    "prompt": "Does she identify as a woman?",
                    "prompt_fr": "S'identifie-t-elle comme femme?",
                },
                {
                    "code": "wants_to_leave",
                    "kind": "yes_no",
                    "required": True,
                    "prompt": "Does she want to leave sex work?",
                    "prompt_fr": "Souhaite-t-elle quitter le travail du sexe?",
                },
                {
                    "code": "age",
                    "kind": "number",
                    "min": 10,
                    "max": 100,
                    "prompt": "Her age, if her date of birth is not on record",
                    "prompt_fr": "Son âge, si sa date de naissance n'est pas au dossier",
                    "help": "Used for eligibility only when her date of birth is unknown.",
                    "help_fr": (
                        "Sert à l'admissibilité seulement si sa date de naissance est inconnue."
                    ),
                },
            ],
        },
        {
            "title": "What brings her here",
            "title_fr": "Ce qui l'amène ici",
            "items": [
                {
                    "code": "presenting_issues",
                    "kind": "multiple_choice",
                    "required": True,
                    "prompt": "Presenting issues",
                    "prompt_fr": "Difficultés présentées",
                    "help": "Choose all that apply.",
                    "help_fr": "Cochez tout ce qui s'applique.",
                    "choices": _choices(PRESENTING_ISSUES, PRESENTING_ISSUES_FR),
                },
                {
                    "code": "presenting_other",
                    "kind": "text",
                    "prompt": "What else brings her here?",
                    "prompt_fr": "Qu'est-ce qui l'amène ici d'autre?",
                    "show_if": {"item": "presenting_issues", "op": "includes", "value": "other"},
                },
            ],
        },
        {
            "title": "Risk factors",
            "title_fr": "Facteurs de risque",
            "help": "The program is for women with at least two of these.",
            "help_fr": "Le programme s'adresse aux femmes qui en ont au moins deux.",
            "items": [
                {
                    "code": "risk_factors",
                    "kind": "multiple_choice",
                    "prompt": "Which of these apply to her now?",
                    "prompt_fr": "Lesquels s'appliquent à elle en ce moment?",
                    "help": "Choose all that apply.",
                    "help_fr": "Cochez tout ce qui s'applique.",
                    "choices": _choices(RISK_FACTORS, RISK_FACTORS_FR),
                },
            ],
        },
        {
            "title": "Sex work and readiness to change",
            "title_fr": "Travail du sexe et disposition au changement",
            "items": [
                dict(INVOLVEMENT),
                {
                    "code": "readiness_stage",
                    "kind": "single_choice",
                    "required": True,
                    "prompt": "Readiness to change: which stage is she at?",
                    "prompt_fr": "Disposition au changement : à quelle étape en est-elle?",
                    "choices": _choices(STAGES, STAGES_FR),
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
            "prompt_fr": f"{area.name_fr or area.name} : où en êtes-vous maintenant?",
            "help": "Read the steps together; she chooses the one closest to where she is.",
            "help_fr": (
                "Lisez les étapes ensemble; elle choisit celle qui est la plus proche de "
                "là où elle en est."
            ),
            "focus_area": area.slug,
            "steps": JOURNEY_STEPS,
            "steps_fr": JOURNEY_STEPS_FR,
        }
        for area in program.active_focus_areas()
    ]


def journey_definition(program: Program) -> dict[str, Any]:
    items = journey_items(program)
    return {
        "sections": [
            {
                "title": "Her journey, area by area",
                "title_fr": "Son parcours, domaine par domaine",
                "items": items,
            }
        ],
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
            {"title": "Sex work", "title_fr": "Travail du sexe", "items": [dict(INVOLVEMENT)]},
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
            "title_fr": "Un mois après la fin de parcours",
            "items": [
                dict(INVOLVEMENT),
                {
                    "code": "housing",
                    "kind": "single_choice",
                    "required": True,
                    "prompt": "Where is she living now?",
                    "prompt_fr": "Où habite-t-elle maintenant?",
                    "choices": _choices(
                        [
                            ("own_place", "Her own place (rented or owned)"),
                            ("supportive", "Supportive or transitional housing"),
                            ("with_others", "With family or friends"),
                            ("shelter", "Shelter"),
                            ("no_home", "No fixed address"),
                            ("unknown", "Does not say"),
                        ],
                        {
                            "own_place": "Son propre logement (loué ou à elle)",
                            "supportive": "Logement supervisé ou de transition",
                            "with_others": "Chez de la famille ou des amis",
                            "shelter": "Refuge",
                            "no_home": "Sans adresse fixe",
                            "unknown": "Ne le dit pas",
                        },
                    ),
                },
                {
                    "code": "connected_to_supports",
                    "kind": "yes_no",
                    "required": True,
                    "prompt": "Is she still connected to the supports she was linked to?",
                    "prompt_fr": (
                        "Est-elle toujours en lien avec les soutiens vers lesquels on l'a orientée?"
                    ),
                },
                {
                    "code": "supports_in_touch",
                    "kind": "multiple_choice",
                    "prompt": "Which supports is she in touch with?",
                    "prompt_fr": "Avec quels soutiens est-elle en contact?",
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
                        ],
                        {
                            "counselling": "Counseling",
                            "health": "Soins de santé",
                            "housing_worker": "Intervenante en logement",
                            "employment": "Emploi ou études",
                            "peer": "Soutien par les pairs ou en groupe",
                            "legal": "Aide juridique",
                            "other": "Autre",
                        },
                    ),
                },
                {
                    "code": "what_helped",
                    "kind": "text",
                    "prompt": "In her words: what helped most?",
                    "prompt_fr": "Dans ses mots : qu'est-ce qui l'a le plus aidée?",
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


# The instruments' names as a French-speaking worker reads them.
NAMES_FR = {
    INTAKE: "Évaluation des besoins à l'accueil",
    JOURNEY: "Échelle de parcours par domaine d'intervention",
    GRADUATION: "Bilan de fin de parcours",
    FOLLOW_UP: "Suivi un mois après la fin de parcours",
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
            instrument.name_fr = NAMES_FR[slug]
            instrument.save(update_fields=["name_fr"])
        installed.append(instrument)
    return installed
