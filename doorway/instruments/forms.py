"""Forms built from an instrument version's items, and the setup page's editor.

Every item field is optional to Django: which items are required depends on the skip
conditions, which `actions.check_answers` applies (the same check the action runs), so
a skipped item is neither required nor saved."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doorway.instruments.actions import check_answers, field_name
from doorway.instruments.definition import compact, flat_items, worded
from doorway.instruments.models import ItemKind, Timepoint
from doorway.people.forms import DateInput
from doorway.web.forms import BootstrapForm

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def item_field(item: dict[str, Any]) -> forms.Field:
    kind = item["kind"]
    # In the worker's language; the codes, and so the scores, are the same in both.
    common: dict[str, Any] = {
        "label": worded(item, "prompt"),
        "required": False,
        "help_text": worded(item, "help"),
    }
    if kind == ItemKind.SINGLE_CHOICE:
        return forms.ChoiceField(
            choices=[(c["code"], worded(c, "label")) for c in item["choices"]],
            widget=forms.RadioSelect,
            **common,
        )
    if kind == ItemKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=[(c["code"], worded(c, "label")) for c in item["choices"]],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if kind == ItemKind.YES_NO:
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    if kind == ItemKind.SCALE:
        steps = worded(item, "steps") or [""] * 10
        return forms.ChoiceField(
            choices=[
                (str(n), f"{n}. {words}".strip(" .") + ("." if words else ""))
                for n, words in enumerate(steps, 1)
            ],
            widget=forms.RadioSelect,
            **common,
        )
    if kind == ItemKind.NUMBER:
        attrs = {"inputmode": "decimal"}
        return forms.DecimalField(
            min_value=item["min"],
            max_value=item["max"],
            widget=forms.NumberInput(attrs=attrs),
            **common,
        )
    if kind == ItemKind.DATE:
        return forms.DateField(widget=DateInput(), **common)
    return forms.CharField(max_length=10000, widget=forms.Textarea(attrs={"rows": 3}), **common)


class AdministrationForm(BootstrapForm, forms.Form):
    timepoint = forms.ChoiceField(label=_("Timepoint"), choices=Timepoint.choices)
    completed_on = forms.DateField(label=_("Completed on"), widget=DateInput())

    def __init__(self, *args: Any, definition: dict[str, Any], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "assessment_%s")
        self.definition = definition
        self.items = flat_items(definition)
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["completed_on"].initial = timezone.localdate()
        for code, item in self.items.items():
            field = item_field(item)
            field.item = item  # type: ignore[attr-defined]  # an attribute of ours on the field: the item it asks
            # Shown as required; enforced only when the item is not skipped.
            field.required_for_some = item["required"]  # type: ignore[attr-defined]  # a flag of ours on the field, read by the field template
            fields[field_name(code)] = field
        self.style_fields()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = {code: data.get(field_name(code)) for code in self.items}
        answers, errors = check_answers(self.definition, raw)
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name, message)
        self.answers = answers
        return data

    def sections(self) -> list[dict[str, Any]]:
        """The bound fields by section, for fieldsets, with their skip conditions."""
        return [
            {
                "title": worded(s, "title"),
                "help": worded(s, "help"),
                "show_if": json.dumps(s["show_if"]) if s["show_if"] else "",
                "fields": [
                    {
                        "field": self[field_name(i["code"])],
                        "item": i,
                        "show_if": json.dumps(i["show_if"]) if i["show_if"] else "",
                    }
                    for i in s["items"]
                ],
            }
            for s in self.definition["sections"]
        ]


class DefinitionForm(BootstrapForm, forms.Form):
    definition = forms.CharField(
        label=_("Definition (JSON)"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "font-monospace"}),
        help_text=_(
            "Sections with their items, then scores and rules. Saving makes a new "
            "version; the versions already answered stay as they are."
        ),
    )
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    @staticmethod
    def initial_for(definition: dict[str, Any]) -> dict[str, Any]:
        return {"definition": json.dumps(compact(definition), indent=2, ensure_ascii=False)}

    def clean_definition(self) -> Any:
        text = self.cleaned_data["definition"]
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("This is not valid JSON: %(problem)s at line %(line)s, column %(column)s.")
                % {"problem": error.msg, "line": error.lineno, "column": error.colno}
            ) from None
