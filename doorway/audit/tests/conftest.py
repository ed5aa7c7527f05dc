from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def checkpoint_directory(settings, tmp_path: Path) -> Path:
    """Each test writes its checkpoints to a directory of its own."""
    directory = tmp_path / "audit-checkpoints"
    settings.AUDIT_CHECKPOINTS = directory
    return directory
