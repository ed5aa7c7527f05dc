"""The home page, as the caseload helper left it: the same caseload count as the
caseload page, the peer mentor's mentees one tap from a peer contact, and the cycles'
women found not eligible said plainly."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from doorway.caseload import refresh
from doorway.casework.models import ContactKind
from doorway.conftest import World
from doorway.enrolments.models import Eligibility, ExitReason
from doorway.testing.signin import signed_in

from .helpers import enrol, phases

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def test_home_and_caseload_show_the_same_count(client, world: World) -> None:
    p = phases(world)
    today = timezone.localdate()
    enrol(world, phase=p[1], started_on=today - 12 * DAY)
    # A recent graduate with a follow-up due: on the caseload page, not on her caseload.
    graduate = enrol(
        world,
        phase=p[3],
        started_on=today - 300 * DAY,
        exit_reason=ExitReason.GRADUATED,
        exited_on=today - 40 * DAY,
    )
    world.program.caseload_limit = 20
    world.program.save()
    refresh.refresh_everyone()
    signed_in(client, world.alice)
    home = client.get(reverse("home"))
    page = client.get(reverse("caseload"))
    assert graduate.pk in {r.enrolment.pk for r in page.context["rows"]}
    assert home.context["caseload_size"] == page.context["size"]
    assert (page.context["size"].open, page.context["size"].limit) == (2, 20)  # Rosa too
    assert len(home.context["caseload"]) == 2
    assert "2 of 20" in home.content.decode()
    assert "2 of 20 women on this caseload" in page.content.decode()


def test_the_peer_mentors_mentees_link_to_the_peer_contact_form(client, world: World) -> None:
    signed_in(client, world.pat)
    body = client.get(reverse("home")).content.decode()
    form_url = reverse("contact_record", args=[world.rosa_enrolment.pk])
    assert f'href="{form_url}"' in body
    # One page: the form, for her, with the peer contact already chosen.
    form = client.get(form_url)
    assert form.status_code == 200
    assert form.context["form"]["kind"].value() == ContactKind.PEER_CONTACT


def test_the_cycles_say_how_many_were_found_not_eligible(client, world: World) -> None:
    p = phases(world)
    today = timezone.localdate()
    for eligibility in (Eligibility.ELIGIBLE, Eligibility.NOT_ELIGIBLE, Eligibility.NOT_ELIGIBLE):
        enrol(world, phase=p[1], started_on=today - 5 * DAY, eligibility=eligibility)
    signed_in(client, world.morgan)
    body = client.get(reverse("home")).content.decode()
    # Rosa and Tess and Uma, and the three above.
    line = re.search(r"(\d+) enrolled, of whom (\d+) were found not eligible", body)
    assert line is not None
    assert line.groups() == ("6", "2")
    assert "are not counted in the evaluation" in body


def test_the_home_table_scrolls_in_a_region_a_keyboard_reaches(client, world: World) -> None:
    signed_in(client, world.alice)
    body = client.get(reverse("home")).content.decode()
    assert re.search(
        r'<div class="table-responsive" tabindex="0" role="region" aria-label="[^"]+">', body
    )
