"""Administrators beside the named world's ada, for the staff-access tests."""

from __future__ import annotations

import pytest

from doorway.conftest import World
from doorway.people.models import User
from doorway.people.roles import Role
from doorway.testing.factories import UserFactory


@pytest.fixture
def abe(world: World) -> User:
    """A second administrator of ada's agency."""
    return UserFactory(username="abe", role=Role.ADMINISTRATOR, agency=world.agency, is_staff=True)


@pytest.fixture
def otto(world: World) -> User:
    """An administrator of the other agency."""
    return UserFactory(
        username="otto", role=Role.ADMINISTRATOR, agency=world.other_agency, is_staff=True
    )
