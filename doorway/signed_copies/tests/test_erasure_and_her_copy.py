"""Erasure finds the signed copy through its consent: whether or not her research
consent keeps her de-identified consent rows, the scan is gone, its row too. Her own
copy says which consents have a signed copy on file, never the scan."""

from __future__ import annotations

import pytest

from doorway.conftest import World
from doorway.erasure.eraser import erase_participant, her_tables
from doorway.people.models import ConsentKind
from doorway.signed_copies import actions
from doorway.signed_copies.models import SignedCopy
from doorway.signed_copies.tests.conftest import PDF
from doorway.testing.factories import ConsentFactory


def test_the_eraser_knows_the_signed_copies_table() -> None:
    found = {t.label: t.paths for t in her_tables()}
    assert found["signed_copies.signedcopy"] == ("consent__participant",)


@pytest.mark.parametrize("research_consent", [False, True], ids=["no-research", "research"])
def test_her_signed_copies_are_erased_with_her(
    world: World, no_clamav: None, research_consent: bool
) -> None:
    if research_consent:
        ConsentFactory(participant=world.rosa, kind=ConsentKind.EVALUATION, recorded_by=world.alice)
    for consent in world.rosa.consents.all():
        actions.attach(consent, PDF, by=world.alice)
    tess = actions.attach(world.tess.consents.get(), PDF, by=world.amira)
    erased = erase_participant(world.rosa)
    assert erased.kept_for_evaluation is research_consent
    assert erased.deleted["signed_copies.signedcopy"] == (2 if research_consent else 1)
    assert list(SignedCopy.objects.values_list("pk", flat=True)) == [tess.pk]


def test_her_own_copy_says_which_consents_have_a_signed_copy_on_file(
    world: World, no_clamav: None
) -> None:
    from doorway.subject_access.gather import consents

    consent = world.rosa.consents.get()
    assert [c["signed_copy_on_file"] for c in consents(world.rosa)] == [False]
    actions.attach(consent, PDF, by=world.alice)
    assert [c["signed_copy_on_file"] for c in consents(world.rosa)] == [True]
    assert "PDF" not in str(consents(world.rosa))
