"""What a reviewer sees of one sampled record: for each fidelity item, the facts the
computed verdict reads, and nothing that names her.

`facts` keeps, from the same load as the computed fidelity (`fidelity._load`: her stays
in the CTI phases and what the database counted in each, `InStay`), every date as a
number of days from her referral (day 0), her counts in each phase, and how she left.
`evidence` writes them out item by item in the reader's language. Where an item's
definition is mechanical (a count against a threshold) the facts shown are the very
numbers the verdict was computed from, so the two agree by construction; where the
reviewer must weigh something (phases "of about equal length"), she sees the lengths.
No name, code, birth date, contact detail, absolute date or free text is kept or shown.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from doorway.enrolments.models import ExitReason
from doorway.evaluation import fidelity
from doorway.evaluation.process import Journey
from doorway.programs.models import in_active_language


def facts(j: Journey, r: fidelity.Records) -> dict[str, Any]:
    """Her record as the fidelity items read it, de-identified (JSON-serialisable)."""
    day0 = j.referred_on

    def day(d: datetime.date) -> int:
        return (d - day0).days

    phases = []
    for index, phase in enumerate(r.phases, start=1):
        stay = j.stays.get(phase.id)
        if stay is None:
            continue
        counted = dataclasses.asdict(r.in_stay[(j.id, phase.id)])
        phases.append(
            {
                "number": index,
                "name": phase.name,
                "name_fr": phase.name_fr,
                "start": day(stay.start),
                "end": day(stay.end),
                "days": stay.days,
                "ongoing": stay.ongoing,
                **counted,
            }
        )
    first = j.stays[r.phases[0].id]
    exited_from = next((i for i, p in enumerate(r.phases, start=1) if p.id == j.exited_from), None)
    left = None
    if j.exit_reason:
        left = {
            "reason": j.exit_reason,
            "day": day(j.exited_on) if j.exited_on is not None else None,
            "from_phase": exited_from,  # None: before CTI phase 1
        }
    return {
        "cti_phases": len(r.phases),
        "draw_day": day(r.today),
        "nine_months_end": day(fidelity.add_months(first.start, fidelity.MAX_MONTHS)),
        "phases": phases,
        "left": left,
    }


def _phase_name(p: dict[str, Any]) -> str:
    return in_active_language(p["name"], p["name_fr"])


def _span(p: dict[str, Any]) -> str:
    if p["ongoing"]:
        return _(
            "%(phase)s: from day %(start)s, still in it on the day of the draw (%(days)s days)"
        ) % {
            "phase": _phase_name(p),
            "start": p["start"],
            "days": p["days"],
        }
    return _("%(phase)s: day %(start)s to day %(end)s (%(days)s days)") % {
        "phase": _phase_name(p),
        "start": p["start"],
        "end": p["end"],
        "days": p["days"],
    }


def _left(f: dict[str, Any], phases: dict[int, dict[str, Any]]) -> str:
    left = f["left"]
    if left is None:
        return _("Still enrolled on the day of the draw (day %(day)s).") % {"day": f["draw_day"]}
    reason = str(ExitReason(left["reason"]).label).lower()
    where = phases.get(left["from_phase"]) if left["from_phase"] else None
    if where is None:
        place = _("before CTI phase 1") if left["from_phase"] is None else _("a CTI phase")
    else:
        place = _phase_name(where)
    return _("Left on day %(day)s from %(place)s: %(reason)s.") % {
        "day": left["day"],
        "place": place,
        "reason": reason,
    }


def _contacts(n: int) -> str:
    return ngettext("%(count)s contact", "%(count)s contacts", n) % {"count": n}


def evidence(f: dict[str, Any]) -> dict[str, list[str]]:
    """Each participant item's facts, in words (day 0: the day she was referred)."""
    phases = {p["number"]: p for p in f["phases"]}
    first = phases[1]
    second = phases.get(2)
    spans = [_span(p) for p in f["phases"]]
    completed = [p for p in f["phases"] if not p["ongoing"]]
    first_state = (
        _("Phase 1 is still under way on the day of the draw.")
        if first["ongoing"]
        else _("Phase 1 is over.")
    )
    month_end = first["start"] + fidelity.FIRST_MONTH_DAYS
    shown: dict[str, list[str]] = {
        "nine_months": [
            _("Phase 1 began on day %(day)s.") % {"day": first["start"]},
            _("%(months)s calendar months after that: day %(day)s.")
            % {"months": fidelity.MAX_MONTHS, "day": f["nine_months_end"]},
            _left(f, phases),
        ],
        "equal_phases": [
            *spans,
            ngettext(
                "%(count)s CTI phase completed.", "%(count)s CTI phases completed.", len(completed)
            )
            % {"count": len(completed)},
        ],
        "focus_areas": [
            (
                _("%(phase)s: no phase plan; %(days)s days in the phase.")
                % {"phase": _phase_name(p), "days": p["days"]}
                if p["focus_areas"] is None
                else ngettext(
                    "%(phase)s: a phase plan naming %(count)s focus area.",
                    "%(phase)s: a phase plan naming %(count)s focus areas.",
                    p["focus_areas"],
                )
                % {"phase": _phase_name(p), "count": p["focus_areas"]}
            )
            for p in f["phases"]
        ],
        "first_month_contacts": [
            _(
                "Contacts from day %(start)s to day %(end)s (the first %(days)s days of "
                "phase 1): %(count)s."
            )
            % {
                "start": first["start"],
                "end": month_end - 1,
                "days": fidelity.FIRST_MONTH_DAYS,
                "count": first["first_month"],
            },
            _("The day of the draw: day %(day)s.") % {"day": f["draw_day"]},
        ],
        "community_meetings": [
            _(
                "Contacts in phase 1 that were outreach or home visits, or accompaniments: "
                "%(count)s."
            )
            % {"count": first["community"]},
            first_state,
        ],
        "support_meetings": [
            _(
                "Contacts in phase 1 that were accompaniments or tagged “connecting with "
                "community supports”: %(count)s."
            )
            % {"count": first["supports"]},
            first_state,
        ],
        "decreasing_contacts": [
            (
                _("%(phase)s: %(contacts)s (still under way)")
                if p["ongoing"]
                else _("%(phase)s: %(contacts)s")
            )
            % {"phase": _phase_name(p), "contacts": _contacts(p["contacts"])}
            for p in f["phases"]
        ],
        "early_linking": [
            _("Referrals to a partner agency made during phase 1: %(count)s.")
            % {"count": first["referrals_made"]},
            first_state,
        ],
        "monitoring_phase2": (
            [
                _("Referral updates (news from a partner) dated during phase 2: %(count)s.")
                % {"count": second["referral_news"]},
                _("Phase 2 is still under way on the day of the draw.")
                if second["ongoing"]
                else _("Phase 2 is over."),
            ]
            if second is not None
            else [_("She has not reached phase 2.")]
        ),
        "no_early_discharge": [
            _left(f, phases),
            ngettext(
                "The program has %(count)s CTI phase.",
                "The program has %(count)s CTI phases.",
                f["cti_phases"],
            )
            % {"count": f["cti_phases"]},
        ],
    }
    return shown


def items(f: dict[str, Any]) -> list[dict[str, Any]]:
    """Each participant item with its label, its rule and her facts, in the order of the
    computed fidelity."""
    shown = evidence(f)
    return [
        {
            "item": str(item["item"]),
            "label": str(item["label"]),
            "rule": str(item["rule"]),
            "evidence": shown[str(item["item"])],
        }
        for item in fidelity.ITEMS
    ]


ITEM_KEYS = tuple(str(item["item"]) for item in fidelity.ITEMS)
