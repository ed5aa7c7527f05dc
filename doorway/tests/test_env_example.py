"""`.env.example` documents every variable that settings.py reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def variables_read_by_settings() -> set[str]:
    source = (ROOT / "doorway" / "settings.py").read_text()
    return set(re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""", source))


def variables_documented() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, re.M))


def test_the_settings_read_variables_at_all() -> None:
    assert {"DOORWAY_SECRET_KEY", "DOORWAY_FIELD_KEYS", "DATABASE_URL"} <= (
        variables_read_by_settings()
    )


def test_every_variable_settings_reads_is_in_the_env_example() -> None:
    assert variables_read_by_settings() - variables_documented() == set()


def test_the_env_example_documents_nothing_settings_does_not_read() -> None:
    assert variables_documented() - variables_read_by_settings() == set()
