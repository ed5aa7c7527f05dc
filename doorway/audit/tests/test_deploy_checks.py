"""`doorway check --deploy` fails a deployment that would write no audit checkpoint."""

from __future__ import annotations

from pathlib import Path

from doorway.audit.checks import checkpoints_are_configured


def ids(settings) -> set[str]:
    return {message.id for message in checkpoints_are_configured() if message.id}


def test_a_configured_deployment_passes(settings, tmp_path: Path) -> None:
    settings.AUDIT_CHECKPOINTS = tmp_path / "checkpoints"
    assert ids(settings) == set()


def test_a_missing_checkpoint_key_fails(settings, tmp_path: Path) -> None:
    settings.AUDIT_CHECKPOINTS = tmp_path
    settings.AUDIT_CHECKPOINT_KEY = ""
    assert "doorway.audit.E001" in ids(settings)


def test_a_malformed_checkpoint_key_fails(settings, tmp_path: Path) -> None:
    settings.AUDIT_CHECKPOINTS = tmp_path
    settings.AUDIT_CHECKPOINT_KEY = "change-me"
    assert "doorway.audit.E002" in ids(settings)


def test_an_unwritable_checkpoint_directory_is_reported(settings, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    settings.AUDIT_CHECKPOINTS = tmp_path / "a-file" / "checkpoints"
    assert "doorway.audit.W001" in ids(settings)
