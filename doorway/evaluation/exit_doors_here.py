"""Exit Doors Here's theory of change, as a starting template the program's managers and
evaluators then edit. `install(program)` adds what is missing and changes nothing that
is there (steps are found by their key, links by their two steps), so it can run twice.

Written for Doorway from the program's published description (CTI for women leaving sex
work: outreach, intake, case management in three phases, weekly drop-ins, peer
mentoring, referrals); the wording is Doorway's own.
"""

from __future__ import annotations

from django.db import transaction

from doorway.evaluation.models import ChangeLink, ChangeStep, LinkIndicator, StepKind
from doorway.programs.models import Program

ACT, OUT, IMM, MID, LONG = (
    StepKind.ACTIVITY,
    StepKind.OUTPUT,
    StepKind.IMMEDIATE,
    StepKind.INTERMEDIATE,
    StepKind.LONG_TERM,
)

# (key, kind, title, description)
STEPS = [
    (
        "outreach",
        ACT,
        "Outreach",
        "Street outreach, in-reach to jails, shelters and hospitals, "
        "phone and online outreach; harm-reduction supplies and information.",
    ),
    (
        "intake",
        ACT,
        "Intake and assessment",
        "Eligibility, consent, the intake assessment and "
        "the first journey-scale ratings, at her pace.",
    ),
    (
        "case-management",
        ACT,
        "Case management (CTI)",
        "A case manager for nine months in three "
        "phases of decreasing intensity, a service plan in her words, one to three focus areas "
        "per phase.",
    ),
    (
        "drop-ins",
        ACT,
        "Weekly drop-ins",
        "A weekly drop-in with food, transit fare and peers, and psycho-education groups.",
    ),
    (
        "peer-mentoring",
        ACT,
        "Peer mentoring",
        "A mentor who has left sex work herself, paid an honorarium.",
    ),
    (
        "referrals",
        ACT,
        "Referrals to partner agencies",
        "Warm referrals to housing, income, "
        "health, legal, counselling and employment partners, followed until served.",
    ),
    (
        "women-engaged",
        OUT,
        "Women reached, enrolled and engaged",
        "Women contacted, assessed and enrolled; contacts kept at each phase's cadence.",
    ),
    (
        "plans-made",
        OUT,
        "Service plans set with her",
        "Goals in her words in each focus area she chose.",
    ),
    ("dropins-attended", OUT, "Drop-ins attended", "Regular attendance at the weekly drop-in."),
    (
        "referrals-completed",
        OUT,
        "Referrals completed",
        "Referrals in which she received the service.",
    ),
    (
        "trust",
        IMM,
        "Trust in her workers and peers",
        "She returns, tells the truth about her situation, and asks for help.",
    ),
    (
        "supports",
        IMM,
        "Stronger support networks",
        "People and services she can call on outside the program.",
    ),
    (
        "needs-met",
        IMM,
        "Urgent needs met",
        "Safety, health, identification, income support applied for.",
    ),
    (
        "housing-income",
        MID,
        "Stable housing and income",
        "Accommodation and money that do not depend on sex work.",
    ),
    ("work-learning", MID, "Work and learning", "Training, school or employment under way."),
    (
        "wellbeing",
        MID,
        "Better health and safety",
        "Physical and emotional health, less harm from drugs and alcohol, safety from violence.",
    ),
    (
        "left-sex-work",
        LONG,
        "Left sex work",
        "Not involved, or rarely involved, at follow-up and after.",
    ),
    (
        "new-life",
        LONG,
        "A stable life of her choosing",
        "Housed, with an income and people "
        "around her, supported by community services after the program ends.",
    ),
]

# (source, target, assumptions, risks, alternative explanations, indicators)
LINKS = [
    (
        "outreach",
        "women-engaged",
        "Women who want to leave meet outreach workers where they are and trust them enough "
        "to come to an intake.",
        "Outreach reaches only the most visible women (street-based); fear of police or of "
        "a pimp keeps others away.",
        "Women who enrol may already have decided to leave and would have left anyway "
        "(self-selection).",
        [],
    ),
    (
        "intake",
        "plans-made",
        "An unhurried intake in her words lets her name what she wants to change.",
        "A long assessment on a bad day drives her away; eligibility rules turn away women "
        "at risk.",
        "Plans reflect what the worker thinks she needs rather than her own goals.",
        ["tagged-collaborative-goal-setting"],
    ),
    (
        "case-management",
        "women-engaged",
        "Contacts kept at each phase's cadence keep her engaged through crises.",
        "Caseloads above the CTI guide (20) thin the contact; staff turnover breaks trust.",
        "Engagement follows from income support or housing she gets elsewhere.",
        ["tagged-trust-building"],
    ),
    (
        "drop-ins",
        "dropins-attended",
        "Food, transit fare and peers make a weekly drop-in worth coming to.",
        "Unsafe location, clashing with work hours; women meeting people from the trade.",
        "Attendance reflects hunger or the transit fare, not engagement with the program.",
        ["dropin-attendance"],
    ),
    (
        "referrals",
        "referrals-completed",
        "Partner agencies take her on and she goes to the first appointment with support.",
        "Waiting lists, stigma at partner agencies, her consent to share withdrawn.",
        "She would have found the service by herself.",
        ["referrals-completed", "tagged-connecting-with-community-supports"],
    ),
    (
        "women-engaged",
        "trust",
        "A non-judgmental worker who keeps her word, week after week, earns her trust.",
        "A broken promise or a report to authorities undoes months of work.",
        "Trust in the peer mentor, not the case manager, carries the relationship.",
        ["tagged-trust-building"],
    ),
    (
        "peer-mentoring",
        "trust",
        "A mentor who has left sex work herself shows it can be done and is believed.",
        "Mentors without enough support relapse or burn out; boundaries blur.",
        "Women who take a mentor are those already most engaged.",
        [],
    ),
    (
        "dropins-attended",
        "supports",
        "Meeting peers each week builds friendships outside the trade.",
        "Drop-ins reconnect women with the trade or with harmful relationships.",
        "Support networks grow through family reconciliation or faith communities "
        "unrelated to the program.",
        ["progressed-support-networks", "tagged-weekly-drop-in"],
    ),
    (
        "referrals-completed",
        "supports",
        "A completed referral becomes a lasting link to a community service.",
        "The service ends when the referral ends; she is not welcome there.",
        "She was already connected to these services before enrolling.",
        ["progressed-support-networks", "tagged-connecting-with-community-supports"],
    ),
    (
        "referrals-completed",
        "needs-met",
        "Partners provide what she was referred for, quickly enough to matter.",
        "Waiting lists longer than the program; eligibility rules at partners.",
        "Needs met through emergency services she reached by herself.",
        ["referrals-completed"],
    ),
    (
        "plans-made",
        "needs-met",
        "Working on one to three focus areas at a time keeps the plan achievable.",
        "Too many goals at once; goals set for her, not with her.",
        "Crisis services, not the plan, meet urgent needs.",
        ["tagged-collaborative-goal-setting"],
    ),
    (
        "trust",
        "housing-income",
        "She tells her worker what she needs and follows through on applications.",
        "Housing and income support are scarce in Toronto; long waits.",
        "Housing came through a partner or family regardless of the program.",
        ["progressed-accommodation", "progressed-money"],
    ),
    (
        "needs-met",
        "housing-income",
        "With urgent needs met she can work on housing and income.",
        "Rent rises and benefit cuts outpace any gains.",
        "Changes in income-support rules or housing programs during the period.",
        ["progressed-accommodation", "progressed-money"],
    ),
    (
        "supports",
        "work-learning",
        "People around her encourage training and work.",
        "Criminal records and gaps in work history close doors.",
        "The labour market improved for everyone in the period.",
        ["progressed-work-and-learning"],
    ),
    (
        "needs-met",
        "wellbeing",
        "Health care, counselling and treatment reached through referrals improve health "
        "and safety.",
        "Addiction and trauma take longer than nine months to ease.",
        "Natural recovery over time; treatment she started before the program.",
        [],
    ),
    (
        "housing-income",
        "left-sex-work",
        "With a home and an income that do not depend on it, she no longer needs sex work.",
        "Debt, coercion or a partner's demands pull her back; an income shock.",
        "She left because of a relationship, a pregnancy, age or an arrest, not the program.",
        ["not-involved-at-follow-up", "graduated"],
    ),
    (
        "supports",
        "left-sex-work",
        "Friends and services outside the trade replace the ties that kept her in it.",
        "Isolation after leaving; stigma from services and neighbours.",
        "Support from family or faith communities the program did not build.",
        ["not-involved-at-follow-up"],
    ),
    (
        "left-sex-work",
        "new-life",
        "Care transferred to her community supports holds after the program ends "
        "(the third CTI phase).",
        "Supports fall away after follow-up; a crisis with no one to call.",
        "A later change in her life unrelated to the program.",
        ["graduated"],
    ),
    (
        "work-learning",
        "new-life",
        "Work or school gives her income, routine and a new identity.",
        "Precarious, low-paid work that does not cover rent.",
        "General economic conditions.",
        [],
    ),
    (
        "wellbeing",
        "new-life",
        "Better health and safety let her keep housing and work.",
        "Relapse or renewed violence.",
        "Health care she would have had anyway.",
        [],
    ),
]


@transaction.atomic
def install(program: Program) -> list[ChangeStep]:
    """Add Exit Doors Here's theory of change to `program` (idempotent)."""
    steps: dict[str, ChangeStep] = {}
    for order, (key, kind, title, description) in enumerate(STEPS):
        steps[key], _ = ChangeStep.objects.get_or_create(
            program=program,
            key=key,
            defaults={"kind": kind, "title": title, "description": description, "order": order},
        )
    focus_areas = set(program.focus_areas.values_list("slug", flat=True))
    ingredients = set(program.ingredients.values_list("slug", flat=True))
    for source, target, assumptions, risks, alternatives, indicators in LINKS:
        link, created = ChangeLink.objects.get_or_create(
            source=steps[source],
            target=steps[target],
            defaults={
                "program": program,
                "assumptions": assumptions,
                "risks": risks,
                "alternative_explanations": alternatives,
            },
        )
        if not created:
            continue
        for slug in indicators:
            # Only indicators this program can compute (its own areas and ingredients).
            if (
                slug.startswith("progressed-")
                and slug.removeprefix("progressed-") not in focus_areas
            ):
                continue
            if slug.startswith("tagged-") and slug.removeprefix("tagged-") not in ingredients:
                continue
            LinkIndicator.objects.create(link=link, indicator=slug)
    return list(steps.values())
