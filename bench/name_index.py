"""What a copy of the database learns from the name digests, on synthetic names.

    .venv/bin/python bench/name_index.py [--women N] [--seed S]

For N invented women (doorway/synth/names.py: a legal name of two words, a preferred
name, now and then an alias), prints for each kind of digest how many distinct values
there are, how many women share the median woman's value, and how many women hold a
value nobody else holds (picked out by it alone). Three kinds: the whole-word digests
(what was there before), the prefix digests Doorway writes (each word's first three
letters), and, for comparison, a digest of every prefix of three letters or more (the
index that was not chosen). Needs no database and no key: an HMAC under any key
partitions the women exactly as the plain text would, which is the point.
"""

from __future__ import annotations

import argparse
import random
import statistics
from collections import Counter

from doorway.encryption import PREFIX_LENGTH, normalise
from doorway.synth import names


def women(count: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)  # noqa: S311 - invented names, not secrets
    out = []
    for _ in range(count):
        given, family = names.first_name(rng), names.last_name(rng)
        preferred = given if rng.random() < 0.7 else rng.choice(names.NICKNAMES)
        alias = [rng.choice(names.NICKNAMES)] if rng.random() < 0.06 else []
        out.append([f"{given} {family}", preferred, *alias])
    return out


def words(person: list[str]) -> set[str]:
    return {w for name in person for w in normalise(name).split()}


def first_letters(person: list[str]) -> set[str]:
    return {w[:PREFIX_LENGTH] for w in words(person) if len(w) >= PREFIX_LENGTH}


def every_prefix(person: list[str]) -> set[str]:
    return {w[:n] for w in words(person) for n in range(PREFIX_LENGTH, len(w) + 1)}


def describe(label: str, people: list[list[str]], digest: object) -> None:
    held = [digest(p) for p in people]  # type: ignore[operator]
    counts = Counter(v for values in held for v in values)
    per_woman = [len(values) for values in held]
    shared = [min(counts[v] for v in values) for values in held if values]
    alone = sum(1 for s in shared if s == 1)
    print(
        f"{label:<22} {len(counts):>8,} values  {statistics.median(per_woman):>4.0f} a woman  "
        f"rarest value she holds shared by {statistics.median(shared):>6.0f} (median)  "
        f"{alone:>6,} women ({alone / len(people):.1%}) hold a value nobody else holds"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--women", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    people = women(args.women, args.seed)
    print(f"{args.women:,} invented women, seed {args.seed}")
    describe("whole words", people, words)
    describe("first three letters", people, first_letters)
    describe("every prefix (not used)", people, every_prefix)
    # A prefix is a function of its word, so together the two kinds single out exactly
    # the women whole words single out: what prefixes add is which words begin alike.
    alone = Counter(frozenset(words(p)) for p in people)
    together = Counter(frozenset(words(p) | first_letters(p)) for p in people)
    only_words = sum(c == 1 for c in alone.values())
    both = sum(c == 1 for c in together.values())
    print(
        f"women picked out by all their digests: whole words {only_words:,}, "
        f"whole words and first letters {both:,}"
    )
    by_prefix = Counter(
        w[:PREFIX_LENGTH] for w in {w for p in people for w in words(p)} if len(w) >= PREFIX_LENGTH
    )
    print(
        f"word values linked to one another by a shared first-letters value: median group of "
        f"{statistics.median(by_prefix.values()):.0f}, largest {max(by_prefix.values())}"
    )
    lengths = Counter(len(every_prefix(p)) for p in people)
    print(
        f"every-prefix index: {len(lengths)} different digest counts a woman, which tell "
        "the total length of her names' words; the first-three-letters index holds one "
        "digest a word, whatever its length"
    )


if __name__ == "__main__":
    main()
