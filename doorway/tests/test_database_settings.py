"""The connection settings the app's speed and correctness depend on, on whichever
database the suite runs against (CI runs it on both)."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_connection_settings_of_each_database() -> None:
    if connection.vendor == "postgresql":
        # Compiling each report query costs more than it saves.
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone() == ("off",)
    else:
        assert connection.vendor == "sqlite"
        # Two writers never read the same audit chain head.
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
