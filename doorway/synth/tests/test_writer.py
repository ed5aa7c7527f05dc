"""The synthetic writer's tokens: made a batch at a time, each read by the app's own
decryption, each with an IV of its own, and one token for a value written twice."""

from __future__ import annotations

import uuid

from doorway.casework.models import Contact
from doorway.encryption import decrypt
from doorway.synth.writer import Sealed, Table, make_tokens, seal, use_current_keys

# Every length from empty-but-one to several blocks, across the 16-byte block edges, in
# characters of one, two and three bytes.
TEXTS = [
    *("x" * n for n in range(1, 70)),
    *("é" * n for n in range(1, 20)),
    "Elle préfère qu'on l'appelle le soir ✓",
    "line one\nline two\ttabbed \\ backslash",
]


def test_tokens_made_in_a_batch_are_read_by_the_app() -> None:
    use_current_keys()
    values = [Sealed(text) for text in TEXTS]
    make_tokens(values)
    for text, value in zip(TEXTS, values, strict=True):
        assert value.token is not None
        assert decrypt(value.token) == text


def test_every_value_has_its_own_token_even_for_the_same_text() -> None:
    use_current_keys()
    values = [Sealed("the same note") for _ in range(50)]
    make_tokens(values)
    assert len({value.token for value in values}) == 50
    assert all(decrypt(str(value.token)) == "the same note" for value in values)


def test_a_value_written_in_two_rows_carries_one_token_and_blank_stays_blank() -> None:
    use_current_keys()
    contacts = Table(Contact, ["id", "note"])
    history = Table(Contact.history.model, ["id", "note"])
    note, blank = seal("Talked about the move."), seal("")
    assert blank == ""
    one, two = uuid.uuid4().hex, uuid.uuid4().hex
    contacts.add((one, note))
    contacts.add((two, blank))
    history.add((one, note))
    history.add((two, blank))
    first, second = contacts.prepared(), history.prepared()
    assert first[0][1] == second[0][1]
    assert decrypt(first[0][1]) == "Talked about the move."
    assert first[1][1] == second[1][1] == ""
