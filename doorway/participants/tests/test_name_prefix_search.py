"""Finding her from the first letters of a name: "Ros", "Rosa M", never less than three
letters, and never through a name the searcher may not read."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from doorway.conftest import World
from doorway.encryption import name_prefix_digest, name_prefix_digests, name_words_start
from doorway.people.models import NameDigest, Participant
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

LIST = reverse("participant_list")


def codes_on(response) -> set[str]:
    return set(re.findall(r'class="font-monospace">([A-Z0-9-]+)</a>', response.content.decode()))


def rename(person: Participant, *, preferred: str, legal: str = "") -> None:
    person.preferred_name = preferred
    person.legal_name = legal
    person.save()
    person.refresh_name_index()


def test_the_first_three_letters_find_her(client, world: World) -> None:
    signed_in(client, world.alice)
    assert codes_on(client.post(LIST, {"q": "Ros"})) == {world.rosa.code}
    assert codes_on(client.post(LIST, {"q": "ROSA"})) == {world.rosa.code}
    assert codes_on(client.post(LIST, {"q": "exam"})) == {world.rosa.code, world.tess.code}


def test_a_first_name_and_a_surnames_first_letter_find_her(client, world: World) -> None:
    rename(world.rosa, preferred="Rosa", legal="Rosa Martinez")
    rename(world.tess, preferred="Rosalind", legal="Rosalind Brown")
    signed_in(client, world.alice)
    assert codes_on(client.post(LIST, {"q": "Ros"})) == {world.rosa.code, world.tess.code}
    assert codes_on(client.post(LIST, {"q": "Rosa M"})) == {world.rosa.code}
    assert codes_on(client.post(LIST, {"q": "mart ros"})) == {world.rosa.code}
    assert codes_on(client.post(LIST, {"q": "Rosa Z"})) == set()


def test_fewer_than_three_letters_are_refused_with_a_clear_message(client, world) -> None:
    signed_in(client, world.alice)
    page = client.post(LIST, {"q": "Ro"})
    assert codes_on(page) == set()
    assert "Type at least 3 letters of a name" in page.content.decode()


def test_a_prefix_finds_nobody_out_of_reach(client, world: World) -> None:
    signed_in(client, world.alice)
    # Uma is on another team; Vera in another agency.
    assert codes_on(client.post(LIST, {"q": "Um"})) == set()
    assert codes_on(client.post(LIST, {"q": "Uma"})) == set()
    assert codes_on(client.post(LIST, {"q": "Ver"})) == set()


def test_a_peer_mentor_finds_her_mentee_only_by_the_beginning_of_her_preferred_name(
    client, world: World
) -> None:
    rename(world.rosa, preferred="Rosa", legal="Quintana Rosalind")
    signed_in(client, world.pat)
    assert codes_on(client.post(LIST, {"q": "Ros"})) == {world.rosa.code}
    for legal in ["Qui", "Rosal", "Rosa Q"]:
        assert codes_on(client.post(LIST, {"q": legal})) == set(), legal


def test_prefix_digests_are_kept_in_step_with_her_names(world: World) -> None:
    rename(world.rosa, preferred="Rosa", legal="Maribel Ortiz")
    stored = set(world.rosa.name_digests.values_list("digest", flat=True))
    assert name_prefix_digests("Maribel Ortiz", "Rosa") <= stored
    rename(world.rosa, preferred="Rosa", legal="Dana Ortiz")
    stored = set(world.rosa.name_digests.values_list("digest", flat=True))
    assert name_prefix_digest("Maribel") not in stored
    assert name_prefix_digest("Dana") in stored
    preferred = NameDigest.objects.get(participant=world.rosa, digest=name_prefix_digest("Ros"))
    assert preferred.preferred


def test_one_prefix_digest_per_word_whatever_its_length() -> None:
    # Every longer prefix digested too would tell a copy of the database each word's length.
    assert len(name_prefix_digests("Rosalind Maximiliana")) == 2
    assert name_prefix_digests("Rosalind") == name_prefix_digests("Rosa")
    assert name_prefix_digests("Jo Li") == set()


def test_the_backfill_migration_adds_the_prefix_digests(world: World) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("doorway.people.migrations.0009_name_prefix_digests")
    prefix = name_prefix_digest("Rosa")
    NameDigest.objects.filter(digest=prefix).delete()
    migration.add_prefix_digests(apps, None)
    migration.add_prefix_digests(apps, None)  # a second run adds nothing
    assert NameDigest.objects.filter(participant=world.rosa, digest=prefix).count() == 1


words = st.lists(st.text(alphabet="abcdeéfgh", min_size=1, max_size=8), min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(name=words, data=st.data())
def test_any_word_beginnings_of_one_name_in_any_order_match(name: list[str], data) -> None:
    chosen = data.draw(st.permutations(name))
    typed = [w[: data.draw(st.integers(1, len(w)))] for w in chosen]
    assert name_words_start([" ".join(name)], " ".join(typed))


def test_a_typed_word_must_begin_a_word_of_the_same_name() -> None:
    assert not name_words_start(["Rosa Martinez"], "Rosa Rosa")
    assert not name_words_start(["Rosa", "Martinez"], "Rosa M")
    assert not name_words_start(["Rosa Martinez"], "osa")
    assert name_words_start(["Rosé Martínez"], "rose mart")
