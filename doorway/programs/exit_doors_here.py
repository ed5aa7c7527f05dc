"""The Exit Doors Here program template: its phases and focus areas as published.

Installing it is idempotent, so the demo and a real agency can both run it safely.
"""

from __future__ import annotations

from django.db import transaction

from doorway.programs.models import (
    Agency,
    ContactCadence,
    FocusArea,
    KeyIngredient,
    Phase,
    Program,
)

SLUG = "exit-doors-here"

PHASES = [
    # name, expected days, cadence, needs service consent, needs eligibility, description
    (
        "Making the connection",
        None,
        ContactCadence.AS_NEEDED,
        False,
        False,
        "Outreach, in-reach, information about the program, non-judgmental reception.",
    ),
    (
        "Intake and assessment",
        90,
        ContactCadence.WEEKLY,
        True,
        False,
        "Intake, risk factors, eligibility, presenting issues and readiness to change.",
    ),
    (
        "Service implementation and behaviour change",
        90,
        ContactCadence.FORTNIGHTLY,
        True,
        True,
        "The service plan agreed with her, counselling, groups, peer support, referrals.",
    ),
    (
        "Adopting a new identity",
        90,
        ContactCadence.MONTHLY,
        True,
        True,
        "Long-term goals set in motion; care transferred to her long-term supports.",
    ),
]

FOCUS_AREAS = [
    ("support-networks", "Support networks"),
    ("accommodation", "Accommodation"),
    ("money", "Money"),
    ("work-and-learning", "Work and learning"),
    ("physical-health", "Physical health"),
    ("emotional-health", "Emotional health"),
    ("drugs-and-alcohol", "Drugs and alcohol"),
    ("safety", "Safety"),
    ("legal-matters", "Legal matters"),
    ("life-skills", "Life skills"),
]

# Their names in French, as she reads them on her printed plan.
PHASE_NAMES_FR = [
    "Établir le lien",
    "Accueil et évaluation des besoins",
    "Mise en œuvre des services et changement",
    "Adopter une nouvelle identité",
]
FOCUS_AREA_NAMES_FR = {
    "support-networks": "Réseaux de soutien",
    "accommodation": "Logement",
    "money": "Argent",
    "work-and-learning": "Travail et apprentissage",
    "physical-health": "Santé physique",
    "emotional-health": "Santé émotionnelle",
    "drugs-and-alcohol": "Drogues et alcool",
    "safety": "Sécurité",
    "legal-matters": "Questions juridiques",
    "life-skills": "Compétences de vie",
}

# The mechanisms the program's theory of change counts on.
KEY_INGREDIENTS = [
    ("trust-building", "Trust building", "A non-judgmental relationship she can rely on."),
    (
        "collaborative-goal-setting",
        "Collaborative goal setting",
        "Goals set with her, in her words, at her pace.",
    ),
    (
        "connecting-with-community-supports",
        "Connecting with community supports",
        "Warm links to partner agencies and informal supports that will outlast the program.",
    ),
    ("weekly-drop-in", "Weekly drop-in", "A weekly place to come, eat, and meet peers."),
]


@transaction.atomic
def install(agency: Agency) -> Program:
    program, _ = Program.objects.get_or_create(
        slug=SLUG,
        defaults={
            "agency": agency,
            "name": "Exit Doors Here",
            "description": (
                "Critical Time Intervention for women who want to leave sex work: "
                "outreach, intake and assessment, a service plan she sets with her case "
                "manager, three phases of decreasing support, graduation and follow-up."
            ),
            "minimum_age": 16,
            "caseload_limit": 20,
            "code_prefix": "EDH",
        },
    )
    for order, (name, days, cadence, consent, eligibility, description) in enumerate(PHASES):
        Phase.objects.get_or_create(
            program=program,
            order=order,
            retired=False,
            defaults={
                "name": name,
                "name_fr": PHASE_NAMES_FR[order],
                "expected_days": days,
                "contact_cadence": cadence,
                "requires_service_consent": consent,
                "requires_eligibility": eligibility,
                "description": description,
            },
        )
    for order, (slug, name) in enumerate(FOCUS_AREAS):
        FocusArea.objects.get_or_create(
            program=program,
            slug=slug,
            defaults={"name": name, "name_fr": FOCUS_AREA_NAMES_FR[slug], "order": order},
        )
    for order, (slug, name, description) in enumerate(KEY_INGREDIENTS):
        KeyIngredient.objects.get_or_create(
            program=program,
            slug=slug,
            defaults={"name": name, "description": description, "order": order},
        )
    return program
