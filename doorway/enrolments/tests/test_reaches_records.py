"""`reaches_records` answers as the access rule does, for every role and state."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from doorway.enrolments.reach import enrolment_rule, reaches_records
from doorway.people.roles import Role
from doorway.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [*Role.values, ""])
@pytest.mark.parametrize("active", [True, False])
def test_it_says_whether_the_rule_gives_her_anything(role: str, active: bool) -> None:
    user = UserFactory(role=role, is_active=active)
    assert reaches_records(user) == (enrolment_rule(user) is not None)


def test_nobody_signed_in_reaches_nothing() -> None:
    assert not reaches_records(AnonymousUser())
    assert not reaches_records(None)
    assert enrolment_rule(AnonymousUser()) is None
