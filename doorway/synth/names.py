"""Invented names, put together from syllables: they belong to nobody.

Nothing here comes from the demo's people or from any list of real names; phone
numbers are in the fictional 555-01xx range and e-mail addresses at example.org.
"""

from __future__ import annotations

import random

FIRST_STARTS = [
    "Ab", "Ael", "Bri", "Cel", "Dae", "Ely", "Fae", "Gil", "Hal", "Isa", "Jol", "Kes",
    "Lio", "Mar", "Nel", "Ori", "Pel", "Quin", "Ros", "Sel", "Tam", "Ula", "Vey", "Wyn",
    "Xan", "Yse", "Zel", "Ari", "Bel", "Cor",
]  # fmt: skip
FIRST_ENDS = [
    "a", "ah", "ana", "ara", "ene", "ette", "ia", "ine", "ira", "is", "ita", "lyn",
    "na", "ne", "ora", "ria", "sa", "wen", "ys", "elle",
]  # fmt: skip
LAST_STARTS = [
    "Ald", "Bex", "Car", "Dray", "Elm", "Fenn", "Gor", "Hask", "Ivers", "Jarr", "Kell",
    "Lorn", "Mab", "Norr", "Ost", "Pell", "Quar", "Rask", "Stav", "Tull", "Ves", "Wold",
    "Yarr", "Zenn",
]  # fmt: skip
LAST_ENDS = [
    "ard", "by", "combe", "dell", "er", "feld", "gard", "holt", "ington", "kin", "ley",
    "mere", "ock", "quist", "ridge", "sen", "stow", "thorpe", "wick", "worth",
]  # fmt: skip
NICKNAMES = [
    "Bee", "Cece", "Dot", "Fifi", "Gigi", "Jojo", "Kiki", "Lulu", "Mimi", "Nini", "Pip",
    "Sasa", "Tee", "Vivi", "Zaza",
]  # fmt: skip
PLACE_STARTS = ["Ash", "Birch", "Clear", "Elder", "Fern", "Glen", "Hollow", "Iron", "Kings",
                "Lark", "Mill", "North", "Oak", "Pine", "Quarry", "Reed", "Stone", "Thorn",
                "Vale", "West", "Wren", "Yew"]  # fmt: skip
PLACE_ENDS = ["bank", "brook", "croft", "field", "ford", "gate", "haven", "hurst", "leigh",
              "mead", "mount", "side", "stead", "vale", "water", "wood"]  # fmt: skip


def first_name(rng: random.Random) -> str:
    return rng.choice(FIRST_STARTS) + rng.choice(FIRST_ENDS)


def last_name(rng: random.Random) -> str:
    return rng.choice(LAST_STARTS) + rng.choice(LAST_ENDS)


def place(rng: random.Random) -> str:
    return rng.choice(PLACE_STARTS) + rng.choice(PLACE_ENDS)


def phone(rng: random.Random) -> str:
    """A number in the range set aside for fiction (555-0100 to 555-0199)."""
    return (
        f"{rng.choice(['416', '647', '613', '604', '514', '902'])}-555-01{rng.randrange(100):02d}"
    )
