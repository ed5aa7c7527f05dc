"""The demo's outreach, supervision and closing notes go through the actions."""

from __future__ import annotations

import random

import pytest

from doorway.casework import demo
from doorway.casework.models import ClosingNote, OutreachContact, SupervisionReview
from doorway.casework.tests.helpers import graduated

pytestmark = pytest.mark.django_db


def test_the_demo_adds_outreach_supervision_and_closing_notes(world):
    rng = random.Random(7)
    made = demo.add_outreach(
        rng, world.program, [world.alice, world.pat], [world.rosa_enrolment], count=10
    )
    assert len(made) == 10
    assert OutreachContact.objects.filter(participant=world.rosa).exists()
    assert demo.add_supervision(rng, world.alice.teams.get(), world.alice, weeks=3) >= 3
    assert SupervisionReview.objects.exists()
    graduated(world.rosa_enrolment)
    assert demo.add_closing_notes(rng, [world.rosa_enrolment], share=1.0) == 1
    assert ClosingNote.objects.filter(enrolment=world.rosa_enrolment).exists()
