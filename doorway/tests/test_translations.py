"""Every string a person reads has its French: the catalogues are complete, compiled and
current with the source (scripts/messages keeps them so)."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import shutil
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _messages_script():
    path = ROOT / "scripts" / "messages"
    loader = importlib.machinery.SourceFileLoader("doorway_messages_script", str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


messages = _messages_script()
CATALOGUES = [messages.PROJECT, *messages.packages()]


def _po_path(name: str) -> Path:
    return messages.catalogue_dir(name) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _committed(name: str) -> polib.POFile:
    path = _po_path(name)
    return polib.pofile(str(path)) if path.exists() else polib.POFile()


def _keys(catalogue: polib.POFile) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in catalogue if not e.obsolete}


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_string_has_its_french(name: str) -> None:
    catalogue = _committed(name)
    missing = [e.msgid for e in catalogue.untranslated_entries() if not e.obsolete]
    doubtful = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not missing, f"{_po_path(name)}: no French for {missing[:10]} ({len(missing)})"
    assert not doubtful, f"{_po_path(name)}: marked fuzzy, check and unmark {doubtful[:10]}"


@pytest.mark.parametrize("name", CATALOGUES)
def test_placeholders_are_kept_in_french(name: str) -> None:
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
    wrong = []
    for entry in _committed(name).translated_entries():
        pairs = [(entry.msgid, entry.msgstr)]
        if entry.msgid_plural:
            pairs = [(entry.msgid_plural, s) for s in entry.msgstr_plural.values()]
        for source, french in pairs:
            if sorted(set(placeholder.findall(source))) != sorted(set(placeholder.findall(french))):
                wrong.append(entry.msgid)
    assert not wrong, f"{_po_path(name)}: placeholders differ in {wrong[:10]}"


@pytest.mark.parametrize("name", CATALOGUES)
def test_compiled_catalogue_is_the_committed_one(name: str) -> None:
    po_path = _po_path(name)
    if not po_path.exists():
        assert not po_path.with_suffix(".mo").exists()
        return
    compiled = {
        (e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(po_path.with_suffix(".mo")))
    }
    source = {(e.msgctxt, e.msgid): e.msgstr for e in _committed(name).translated_entries()}
    assert compiled == source, f"{po_path.with_suffix('.mo')} is stale: run scripts/messages {name}"


@pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="GNU gettext's xgettext is not installed (apt-get install gettext)",
)
@pytest.mark.parametrize("name", CATALOGUES)
def test_catalogue_holds_every_string_of_its_package(name: str, tmp_path: Path) -> None:
    """A string marked for translation but missing from the catalogue is shown in English."""
    copy = tmp_path / "source"
    if name == messages.PROJECT:
        copy.mkdir()
        for item in messages.SOURCE.iterdir():
            if item.suffix == ".py":
                shutil.copy(item, copy)
        shutil.copytree(messages.SOURCE / "templates", copy / "templates")
    else:
        shutil.copytree(messages.catalogue_dir(name), copy, ignore=shutil.ignore_patterns("locale"))
    fresh_path = messages.extract(name, into=copy)
    fresh = polib.pofile(str(fresh_path)) if fresh_path.exists() else polib.POFile()
    assert _keys(fresh) or not _keys(_committed(name)), "extraction found nothing"
    new = _keys(fresh) - _keys(_committed(name))
    assert not new, (
        f"not in {_po_path(name)}: {sorted(m for _, m in new)[:10]}; run scripts/messages {name}"
    )
