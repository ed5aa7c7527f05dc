"""An instrument version as one JSON-able definition: checked, built into rows, read back.

The same shape is installed by program templates, edited on the setup page, exported
and imported:

    {"sections": [{"title", "help", "show_if",
                   "items": [{"code", "kind", "prompt", "help", "required", "show_if",
                              "focus_area": slug, "min", "max", "steps": [10 words],
                              "choices": [{"code", "label", "score"}]}]}],
     "scores": [...], "rules": [...]}

Every wording has its French beside it in the same version: "title_fr", "help_fr",
"prompt_fr", "steps_fr" (10 words, or none) and a choice's "label_fr". Codes, scores
and rules are the language's neither, so an answer scores the same in both. French is
optional: where it is blank the English is shown (a version answered before its French
was written cannot change, and would otherwise be unusable in French).

Scores, rules and conditions are described in `doorway.instruments.scoring`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max, Prefetch

from doorway.instruments.models import (
    CHOICE_KINDS,
    SCALE_STEPS,
    Choice,
    Instrument,
    InstrumentVersion,
    Item,
    ItemKind,
    Section,
)
from doorway.instruments.scoring import OPS, PROGRAM_MINIMUM, SCORE_KINDS, Context, shown
from doorway.people.models import User
from doorway.programs.models import FocusArea, Program, in_active_language

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
NUMERIC_KINDS = {ItemKind.NUMBER, ItemKind.SCALE, ItemKind.YES_NO}


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


class _Checker:
    def __init__(self, program: Program) -> None:
        self.program = program
        self.errors: list[str] = []
        self.items: dict[str, dict[str, Any]] = {}
        self.scores: set[str] = set()
        self.area_slugs = set(program.focus_areas.values_list("slug", flat=True))

    def error(self, message: str) -> None:
        self.errors.append(message)

    def condition(
        self, where: str, condition: Any, *, known_items: Mapping[str, Any], rule: bool = False
    ) -> dict[str, Any] | None:
        if condition in (None, {}):
            return None
        if not isinstance(condition, dict):
            self.error(
                f"{where}: a condition is an object like "
                '{"item": code, "op": "equals", "value": ...}.'
            )
            return None
        out = dict(condition)
        if "age" in condition:
            if not rule:
                self.error(f"{where}: an age condition belongs in a rule, not a skip condition.")
            if condition["age"] not in ("at_least", "at_most"):
                self.error(f'{where}: "age" is at_least or at_most.')
            value = condition.get("value")
            if value != PROGRAM_MINIMUM and _number(value) is None:
                self.error(f'{where}: the age\'s value is a number or "{PROGRAM_MINIMUM}".')
            age_item = condition.get("item")
            if age_item and known_items.get(age_item, {}).get("kind") != ItemKind.NUMBER:
                self.error(
                    f'{where}: the age item "{age_item}" must be a number item of this instrument.'
                )
            return out
        op = condition.get("op", "answered")
        out["op"] = op
        if op not in OPS:
            self.error(f'{where}: "op" must be one of {", ".join(OPS)}.')
        if "score" in condition:
            if not rule:
                self.error(f"{where}: a skip condition is about an item, not a score.")
            elif condition["score"] not in self.scores:
                self.error(f'{where}: there is no score "{condition["score"]}".')
            if op not in ("at_least", "at_most", "equals", "not_equals", "answered"):
                self.error(f"{where}: a score is compared with at_least, at_most or equals.")
            return out
        code = str(condition.get("item"))
        if code not in known_items:
            later = " above this one" if not rule else ""
            self.error(f'{where}: there is no item "{code}"{later} to depend on.')
            return out
        item = known_items[code]
        value = condition.get("value")
        if op in ("at_least", "at_most") and _number(value) is None:
            self.error(f'{where}: "{op}" needs a number as its value.')
        if op in ("equals", "not_equals", "includes") and item["kind"] in CHOICE_KINDS:
            codes = {c["code"] for c in item["choices"]}
            wanted = value if isinstance(value, list) else [value]
            missing = [str(w) for w in wanted if w not in codes]
            if missing:
                self.error(f'{where}: item "{code}" has no choice "{", ".join(missing)}".')
        if (
            op in ("equals", "not_equals")
            and item["kind"] == ItemKind.YES_NO
            and value not in ("yes", "no", True, False)
        ):
            self.error(f'{where}: item "{code}" is answered yes or no.')
        if op == "includes" and item["kind"] != ItemKind.MULTIPLE_CHOICE:
            self.error(f'{where}: "includes" is for multiple-choice items.')
        return out

    def item(self, raw: Any, where: str) -> dict[str, Any] | None:
        if not isinstance(raw, dict):
            self.error(f"{where}: an item is an object with a code, a kind and a prompt.")
            return None
        code = str(raw.get("code", ""))
        name = f'Item "{code}"' if code else where
        if not CODE.match(code):
            self.error(f"{name}: the code is lower-case letters, digits, - and _ (at most 80).")
        elif code in self.items:
            self.error(f"{name}: another item already has this code.")
        kind = raw.get("kind")
        if kind not in ItemKind.values:
            self.error(f"{name}: the kind must be one of {', '.join(ItemKind.values)}.")
        prompt = str(raw.get("prompt", "")).strip()
        if not prompt:
            self.error(f"{name}: write the question (prompt).")
        elif len(prompt) > 500:
            self.error(f"{name}: the question is longer than 500 characters.")
        prompt_fr = str(raw.get("prompt_fr", "") or "").strip()
        if len(prompt_fr) > 500:
            self.error(f"{name}: the question in French is longer than 500 characters.")
        item: dict[str, Any] = {
            "code": code,
            "kind": kind,
            "prompt": prompt,
            "prompt_fr": prompt_fr,
            "help": str(raw.get("help", "") or ""),
            "help_fr": str(raw.get("help_fr", "") or ""),
            "required": bool(raw.get("required", False)),
            "show_if": None,
            "focus_area": raw.get("focus_area") or None,
            "min": None,
            "max": None,
            "steps": [],
            "steps_fr": [],
            "choices": [],
        }
        choices = raw.get("choices") or []
        if kind in CHOICE_KINDS:
            if not isinstance(choices, list) or len(choices) < 2:
                self.error(f"{name}: a {kind.replace('_', ' ')} item needs at least two choices.")
                choices = []
            seen: set[str] = set()
            for index, choice in enumerate(choices, 1):
                if not isinstance(choice, dict):
                    self.error(f"{name}, choice {index}: a choice has a code and a label.")
                    continue
                ccode = str(choice.get("code", ""))
                if not CODE.match(ccode):
                    self.error(
                        f"{name}, choice {index}: the code is lower-case letters, digits, - and _."
                    )
                elif ccode in seen:
                    self.error(f'{name}: two choices have the code "{ccode}".')
                seen.add(ccode)
                label = str(choice.get("label", "")).strip()
                if not label:
                    self.error(f'{name}, choice "{ccode}": give it a label.')
                score = choice.get("score")
                if score is not None and _number(score) is None:
                    self.error(f'{name}, choice "{ccode}": the score must be a number.')
                item["choices"].append(
                    {
                        "code": ccode,
                        "label": label,
                        "label_fr": str(choice.get("label_fr", "") or "").strip(),
                        "score": None
                        if score is None
                        else float(Decimal(str(_number(score) or 0))),
                    }
                )
        elif choices:
            self.error(f"{name}: only single- and multiple-choice items have choices.")
        if kind == ItemKind.NUMBER:
            low, high = _number(raw.get("min")), _number(raw.get("max"))
            for key in ("min", "max"):
                if raw.get(key) is not None and _number(raw.get(key)) is None:
                    self.error(f'{name}: "{key}" must be a number.')
            if low is not None and high is not None and low > high:
                self.error(f"{name}: the minimum is above the maximum.")
            item["min"] = None if low is None else float(low)
            item["max"] = None if high is None else float(high)
        if kind == ItemKind.SCALE:
            steps = raw.get("steps") or []
            if (
                not isinstance(steps, list)
                or len(steps) != SCALE_STEPS
                or not all(isinstance(s, str) and s.strip() for s in steps)
            ):
                self.error(
                    f"{name}: a 1-10 scale needs the words of each of its {SCALE_STEPS} steps."
                )
            else:
                item["steps"] = [s.strip() for s in steps]
            steps_fr = raw.get("steps_fr") or []
            if steps_fr and (
                not isinstance(steps_fr, list)
                or len(steps_fr) != SCALE_STEPS
                or not all(isinstance(s, str) and s.strip() for s in steps_fr)
            ):
                self.error(
                    f"{name}: in French too, a 1-10 scale needs the words of each of its "
                    f"{SCALE_STEPS} steps (or none, to show the English)."
                )
            elif steps_fr:
                item["steps_fr"] = [s.strip() for s in steps_fr]
        if item["focus_area"]:
            if kind != ItemKind.SCALE:
                self.error(f"{name}: only a 1-10 scale item rates a focus area.")
            if item["focus_area"] not in self.area_slugs:
                self.error(f'{name}: the program has no focus area "{item["focus_area"]}".')
        item["show_if"] = self.condition(
            f"{name}, show only if", raw.get("show_if"), known_items=self.items
        )
        return item

    def score(self, raw: Any, index: int) -> dict[str, Any] | None:
        if not isinstance(raw, dict):
            self.error(f"Score {index}: a score is an object with a code and a kind.")
            return None
        code = str(raw.get("code", ""))
        name = f'Score "{code}"'
        if not CODE.match(code):
            self.error(f"Score {index}: the code is lower-case letters, digits, - and _.")
        elif code in self.scores:
            self.error(f"{name}: another score already has this code.")
        kind = raw.get("kind")
        if kind not in SCORE_KINDS:
            self.error(f"{name}: the kind must be one of {', '.join(SCORE_KINDS)}.")
        out: dict[str, Any] = {"code": code, "label": str(raw.get("label") or code), "kind": kind}
        has_items, has_scores = "items" in raw, "scores" in raw
        if has_items == has_scores:
            self.error(f'{name}: give either "items" or "scores" (a derived score), not both.')
        elif has_items:
            codes = raw["items"] if isinstance(raw["items"], list) else []
            if not codes:
                self.error(f"{name}: list the item codes it is computed from.")
            for item_code in codes:
                item = self.items.get(item_code)
                if item is None:
                    self.error(f'{name}: there is no item "{item_code}".')
                elif kind != "count" and not (
                    item["kind"] in NUMERIC_KINDS
                    or any(c["score"] is not None for c in item["choices"])
                ):
                    self.error(
                        f'{name}: item "{item_code}" has no numeric value '
                        "(give its choices scores)."
                    )
            out["items"] = list(codes)
        else:
            codes = raw["scores"] if isinstance(raw["scores"], list) else []
            if not codes:
                self.error(f"{name}: list the score codes it is derived from.")
            if kind == "count":
                self.error(f"{name}: a count is over items, not scores.")
            for score_code in codes:
                if score_code not in self.scores:
                    self.error(f'{name}: there is no score "{score_code}" above it to derive from.')
            out["scores"] = list(codes)
        if kind == "weighted_sum":
            weights = raw.get("weights")
            parts = set(out.get("items", out.get("scores", [])))
            if not isinstance(weights, dict) or not weights:
                self.error(f'{name}: a weighted sum needs "weights": {{code: number}}.')
            else:
                for key, weight in weights.items():
                    if key not in parts:
                        self.error(f'{name}: the weight "{key}" is not one of its parts.')
                    if _number(weight) is None:
                        self.error(f'{name}: the weight of "{key}" must be a number.')
                out["weights"] = {k: float(_number(w) or 0) for k, w in weights.items()}
        if "choices" in raw:
            if kind != "count":
                self.error(f"{name}: only a count counts particular choices.")
            out["choices"] = list(raw["choices"] or [])
        if "min_answered" in raw:
            if not isinstance(raw["min_answered"], int) or raw["min_answered"] < 1:
                self.error(f'{name}: "min_answered" is a whole number from 1.')
            else:
                out["min_answered"] = raw["min_answered"]
        self.scores.add(code)
        return out

    def rule(self, raw: Any, index: int) -> dict[str, Any] | None:
        if not isinstance(raw, dict):
            self.error(f"Rule {index}: a rule is an object with a code, a label and conditions.")
            return None
        code = str(raw.get("code", ""))
        name = f'Rule "{code}"'
        if not CODE.match(code):
            self.error(f"Rule {index}: the code is lower-case letters, digits, - and _.")
        conditions = raw.get("conditions")
        if not isinstance(conditions, list) or not conditions:
            self.error(f"{name}: list its conditions.")
            conditions = []
        checked = [
            self.condition(f"{name}, condition {i}", c, known_items=self.items, rule=True)
            for i, c in enumerate(conditions, 1)
        ]
        return {
            "code": code,
            "label": str(raw.get("label") or code),
            "conditions": [c for c in checked if c],
        }


def check_definition(data: Any, program: Program) -> dict[str, Any]:
    """The definition, normalised; or a ValidationError listing every problem, each
    naming the item, score or rule it is about."""
    checker = _Checker(program)
    if not isinstance(data, dict):
        raise ValidationError('The definition is an object with "sections", "scores" and "rules".')
    sections_in = data.get("sections")
    if not isinstance(sections_in, list) or not sections_in:
        raise ValidationError("The definition needs at least one section with items.")
    sections = []
    for number, raw in enumerate(sections_in, 1):
        if not isinstance(raw, dict):
            checker.error(f"Section {number}: a section is an object with a title and items.")
            continue
        title = str(raw.get("title", "")).strip()
        where = f"Section {number}" + (f' ("{title}")' if title else "")
        if not title:
            checker.error(f"{where}: give it a title.")
        show_if = checker.condition(
            f"{where}, show only if", raw.get("show_if"), known_items=checker.items
        )
        items_in = raw.get("items")
        if not isinstance(items_in, list) or not items_in:
            checker.error(f"{where}: it has no items.")
            items_in = []
        items = []
        for index, item_raw in enumerate(items_in, 1):
            item = checker.item(item_raw, f"{where}, item {index}")
            if item is not None:
                items.append(item)
                if item["code"]:
                    checker.items[item["code"]] = item
        sections.append(
            {
                "title": title,
                "title_fr": str(raw.get("title_fr", "") or "").strip(),
                "help": str(raw.get("help", "") or ""),
                "help_fr": str(raw.get("help_fr", "") or ""),
                "show_if": show_if,
                "items": items,
            }
        )
    scores = [checker.score(raw, i) for i, raw in enumerate(_list(data, "scores", checker), 1)]
    rules = [checker.rule(raw, i) for i, raw in enumerate(_list(data, "rules", checker), 1)]
    if checker.errors:
        raise ValidationError(checker.errors)
    return {
        "sections": sections,
        "scores": [s for s in scores if s],
        "rules": [r for r in rules if r],
    }


def _list(data: dict[str, Any], key: str, checker: _Checker) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        checker.error(f'"{key}" is a list.')
        return []
    return value


def build_version(
    instrument: Instrument,
    definition: dict[str, Any],
    *,
    by: User | None,
    note: str = "",
) -> InstrumentVersion:
    """Write a checked definition as the instrument's next version (callers hold a
    transaction and have run `check_definition`)."""
    areas = {a.slug: a for a in FocusArea.objects.filter(program=instrument.program_id)}
    last = instrument.versions.aggregate(n=Max("number"))["n"] or 0
    version = InstrumentVersion.objects.create(
        instrument=instrument,
        number=last + 1,
        created_by=by,
        note=note[:300],
        scoring=definition["scores"],
        rules=definition["rules"],
    )
    order = 0
    for section_order, raw in enumerate(definition["sections"]):
        section = Section.objects.create(
            version=version,
            order=section_order,
            title=raw["title"],
            help=raw["help"],
            title_fr=raw.get("title_fr", ""),
            help_fr=raw.get("help_fr", ""),
            show_if=raw["show_if"],
        )
        for item_raw in raw["items"]:
            order += 1
            item = Item.objects.create(
                version=version,
                section=section,
                order=order,
                code=item_raw["code"],
                kind=item_raw["kind"],
                prompt=item_raw["prompt"],
                help=item_raw["help"],
                prompt_fr=item_raw.get("prompt_fr", ""),
                help_fr=item_raw.get("help_fr", ""),
                required=item_raw["required"],
                show_if=item_raw["show_if"],
                focus_area=areas.get(item_raw["focus_area"] or ""),
                min_value=_number(item_raw["min"]),
                max_value=_number(item_raw["max"]),
                step_labels=item_raw["steps"],
                step_labels_fr=item_raw.get("steps_fr", []),
            )
            Choice.objects.bulk_create(
                [
                    Choice(
                        item=item,
                        order=i,
                        code=c["code"],
                        label=c["label"],
                        label_fr=c.get("label_fr", ""),
                        score=_number(c["score"]),
                    )
                    for i, c in enumerate(item_raw["choices"])
                ]
            )
    return version


def load_version(version_id: Any) -> InstrumentVersion:
    """A version with its sections, items and choices, in four queries."""
    version: InstrumentVersion = (
        InstrumentVersion.objects.select_related("instrument__program")
        .prefetch_related(
            Prefetch("sections", queryset=Section.objects.order_by("order")),
            Prefetch(
                "sections__items",
                queryset=Item.objects.select_related("focus_area").order_by("order"),
            ),
            Prefetch("sections__items__choices", queryset=Choice.objects.order_by("order")),
        )
        .get(pk=version_id)
    )
    return version


def _plain(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def definition_of(version: InstrumentVersion) -> dict[str, Any]:
    """The version as a definition: what export writes and the editor starts from.
    Pass a version from `load_version` to read it in a fixed number of queries."""
    sections = []
    for section in version.sections.all():
        items = []
        for item in section.items.all():
            items.append(
                {
                    "code": item.code,
                    "kind": item.kind,
                    "prompt": item.prompt,
                    "prompt_fr": item.prompt_fr,
                    "help": item.help,
                    "help_fr": item.help_fr,
                    "required": item.required,
                    "show_if": item.show_if,
                    "focus_area": item.focus_area.slug if item.focus_area else None,
                    "min": _plain(item.min_value),
                    "max": _plain(item.max_value),
                    "steps": list(item.step_labels),
                    "steps_fr": list(item.step_labels_fr),
                    "choices": [
                        {
                            "code": c.code,
                            "label": c.label,
                            "label_fr": c.label_fr,
                            "score": _plain(c.score),
                        }
                        for c in item.choices.all()
                    ],
                }
            )
        sections.append(
            {
                "title": section.title,
                "title_fr": section.title_fr,
                "help": section.help,
                "help_fr": section.help_fr,
                "show_if": section.show_if,
                "items": items,
            }
        )
    return {"sections": sections, "scores": list(version.scoring), "rules": list(version.rules)}


def compact(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition without empty keys: shorter to read and edit."""

    def item(raw: dict[str, Any]) -> dict[str, Any]:
        kept = {k: v for k, v in raw.items() if v not in (None, "", [], False) or k == "code"}
        if kept.get("choices"):
            kept["choices"] = [
                {k: v for k, v in c.items() if k != "label_fr" or v} for c in kept["choices"]
            ]
        return kept

    return {
        "sections": [
            {
                **{k: v for k, v in s.items() if k != "items" and v not in (None, "")},
                "items": [item(i) for i in s["items"]],
            }
            for s in definition["sections"]
        ],
        "scores": definition["scores"],
        "rules": definition["rules"],
    }


def worded(raw: Mapping[str, Any], key: str) -> Any:
    """A wording of a definition's section, item or choice in the page's language: its
    `<key>_fr` in French when written, else the English ("steps" gives the list)."""
    english, french = raw.get(key), raw.get(f"{key}_fr")
    if key == "steps":
        return list(french if french and in_active_language("en", "fr") == "fr" else english or [])
    return in_active_language(english or "", french or "")


def flat_items(definition: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["code"]: i for s in definition["sections"] for i in s["items"]}


def shown_codes(definition: Mapping[str, Any], answers: Mapping[str, Any]) -> list[str]:
    """The items shown for these answers, in order. A condition reads only items shown
    above it, so an item that depends on a skipped item is skipped too."""
    items = flat_items(definition)
    kept: dict[str, Any] = {}
    codes: list[str] = []
    for section in definition["sections"]:
        if not shown(section.get("show_if"), Context(items=items, answers=kept)):
            continue
        for item in section["items"]:
            if shown(item.get("show_if"), Context(items=items, answers=kept)):
                codes.append(item["code"])
                kept[item["code"]] = answers.get(item["code"])
    return codes
