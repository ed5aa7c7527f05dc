"""The words of synthetic records: case notes, plans, reasons. Written for this
generator; about no one."""

from __future__ import annotations

from doorway.enrolments.models import ExitReason
from doorway.people.models import FlagKind
from doorway.referrals.models import ReferralStatus

SAFE_CONTACT = [
    "Text first; call only after she replies.",
    "Calls after 7 pm only. If someone else answers, say it is the clinic.",
    "Reach her at the drop-in; no calls to the shared phone.",
    "E-mail only; she reads it at the library.",
    "Leave no message. Call back later if there is no answer.",
    "",
    "",
]

FLAG_NOTES: dict[str, str] = {
    FlagKind.NO_VOICEMAIL: "Shares the phone with her roommate.",
    FlagKind.NO_CONTACT_AT_HOME: "Her family does not know she is in the program.",
    FlagKind.SAFE_WORD: "Safe word is on her intake form.",
    FlagKind.SOMEONE_LOOKING: "Someone has been asking for her at other agencies.",
}

EXIT_NOTES: dict[str, str] = {
    ExitReason.GRADUATED: "Care handed over to her long-term supports; closing note to follow.",
    ExitReason.WITHDREW: "She decided to leave the program and asked that we stop contacting her.",
    ExitReason.LOST_CONTACT: "No contact for several weeks despite outreach at her usual places.",
    ExitReason.TRANSFERRED: "Moved away; warm hand-over to a program where she lives now.",
    ExitReason.NOT_ELIGIBLE: "Does not meet the program's criteria; referred to partners.",
    ExitReason.DECEASED: "The program was informed of her death. Closing the file.",
}

WITHDRAWAL_NOTE = "She asked for this to stop when she left."

OPENINGS = [
    "Met at the office.",
    "Phone check-in.",
    "Met her at the drop-in.",
    "Went with her to her appointment.",
    "Met at the coffee shop she chose.",
    "Home visit, as agreed last week.",
    "Short text exchange, then a call.",
    "She came in without an appointment.",
]
MIDDLES = [
    "We went over her week and what is coming up.",
    "Worked on the housing application together.",
    "Talked through the budget and the benefits forms.",
    "Reviewed her safety plan; she knows who to call.",
    "She is keeping her appointments and sleeping better.",
    "A hard week; we talked about what helps when it gets bad.",
    "She set the next step on her goal herself.",
    "Practised for the job interview on Thursday.",
    "Sorted out her ID replacement; the form is in.",
    "Talked about reconnecting with her sister.",
    "She asked about the school program; gave her the details.",
    "Discussed her court date and what to expect.",
]
ENDINGS = [
    "Next contact booked.",
    "Will follow up by text on Monday.",
    "She will call if anything changes.",
    "See her at the drop-in next week.",
    "",
]


# Every short case note the pieces above make.
NOTES = [
    " ".join(part for part in (opening, middle, ending) if part)
    for opening in OPENINGS
    for middle in MIDDLES
    for ending in ENDINGS
]


PEER_NOTES = [
    "Coffee and a walk.",
    "Came to the group together.",
    "Checked in by text.",
    "Talked about her first weeks in the new place.",
]

WISHES = [
    "A safe place of my own and a steady routine.",
    "To finish school and get a job I am proud of.",
    "To be out of the life for good and have my kids back on weekends.",
    "Money of my own, and people around me I can trust.",
    "To feel calm again and sleep through the night.",
    "My own apartment, my own key, my own rules.",
]
PRIVATE_NOTES = [
    "Prefers morning appointments; check in before court dates.",
    "Anniversary of her mother's death in March: a hard month.",
    "Do not book her with the male intake worker.",
]
REVIEWS = [
    "Went over her goals after the phase change; kept them and set new steps.",
    "Housing goal achieved; the next focus is work and learning.",
    "She wants to slow down on the school goal; changed its target date.",
    "Reviewed together; her supports are taking on more of the work.",
]

# focus-area slug: (goal in her words, steps)
GOALS: dict[str, tuple[str, list[str]]] = {
    "accommodation": (
        "Move into a place of my own",
        ["Fill in the housing application", "Visit two rooms", "Sign the lease"],
    ),
    "money": (
        "Open a bank account and save a little each week",
        ["Replace my ID", "Open the account", "Set up a weekly transfer"],
    ),
    "support-networks": (
        "Have two people I can call when it gets hard",
        ["Come to the drop-in every week", "Call my cousin on Sundays"],
    ),
    "work-and-learning": (
        "Start an employment program",
        ["Meet the employment counsellor", "Write a first CV", "Apply to two programs"],
    ),
    "school-and-training": (
        "Finish my high school credits",
        ["Meet the guidance counsellor", "Register for the spring term"],
    ),
    "emotional-health": (
        "Feel less anxious day to day",
        ["See the counsellor every two weeks", "Try the breathing exercises"],
    ),
    "physical-health": (
        "Get a family doctor",
        ["Register at the health centre", "Book a check-up"],
    ),
    "safety": (
        "Feel safe where I live and work",
        ["Make a safety plan", "Change my phone number"],
    ),
}
GOAL_ANY = (
    "Take the next step I choose in this area",
    ["Talk it through with my worker", "Try the first step", "Look back at how it went"],
)

REFERRAL_NOTES: dict[str, str] = {
    ReferralStatus.MADE: "Called the intake line together; they will call back.",
    ReferralStatus.ACCEPTED: "Partner confirmed; appointment booked.",
    ReferralStatus.FIRST_APPOINTMENT: "She went; went with her to the first one.",
    ReferralStatus.SERVICE_RECEIVED: "Service in place.",
    ReferralStatus.CLOSED: "Nothing more needed from this referral.",
    ReferralStatus.DECLINED: "Partner has no space this month.",
    ReferralStatus.NO_SHOW: "She did not go; will talk it through at the next contact.",
}

SUPPORTS = [
    "Her aunt",
    "Her family doctor",
    "The counsellor at the health centre",
    "A friend from the drop-in",
    "Her sponsor",
    "The housing worker at her building",
]
AGREED = [
    "Her supports know how to reach each other; she will call us if anything slips.",
    "Monthly check-ins with her counsellor continue; the housing worker takes the lead.",
    "She leads; her aunt and her doctor are her first calls.",
]
CLOSING = [
    "She completed the program and her long-term supports are in place.",
    "Graduated. She knows how to reach us and agreed to the follow-up in a month.",
]
WHAT_HELPED = [
    "Having someone who did not judge me.",
    "The drop-in, and my worker coming with me to appointments.",
    "Getting my own place first.",
]

OUTREACH_PLACES: dict[str, list[str]] = {
    "street": ["East-side stroll", "Near the bus depot", "Downtown strip", "Truck stop lot"],
    "in_reach": ["Women's shelter", "Remand centre", "Hospital emergency", "Detox centre"],
    "phone_online": ["Text line", "Online ads outreach", "Chat line"],
}
OUTREACH_NOTES = [
    "Took a card; asked about the drop-in hours.",
    "Talked about the program; will think about it.",
    "Asked for harm-reduction supplies only.",
]
SUPERVISION = [
    "Keep weekly contact; accompany her to the housing appointment.",
    "Ready to try more on her own: propose the next phase at the review.",
    "Safety plan reviewed; the peer mentor joins the next drop-in with her.",
    "Referral stalled: call the partner this week.",
    "Missed two appointments: outreach at her usual places before closing anything.",
]
