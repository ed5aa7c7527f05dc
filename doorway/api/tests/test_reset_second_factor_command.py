"""`doorway reset-second-factor`: a lost phone, from the command line. Her tokens go
with her authenticator."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command

from doorway.api.models import AccessToken
from doorway.api.tokens import issue_token
from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.testing.signin import give_totp

pytestmark = pytest.mark.django_db


def test_resetting_her_second_factor_revokes_all_her_tokens(world: World) -> None:
    give_totp(world.alice)
    tokens = [issue_token(world.alice, name=f"T{i}", scope="write", days=30)[0] for i in range(2)]
    give_totp(world.amira)
    theirs, _ = issue_token(world.amira, name="Other", scope="read", days=30)
    out = StringIO()
    call_command("reset-second-factor", "--user", "Alice", stdout=out)
    assert "revoked 2 API token(s)" in out.getvalue()
    assert not Authenticator.objects.filter(user=world.alice).exists()
    assert not AccessToken.objects.filter(pk__in=[t.pk for t in tokens], revoked_at=None).exists()
    # Nobody else's.
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert Authenticator.objects.filter(user=world.amira).exists()
    changes = AuditEntry.objects.filter(action=Action.CHANGE, object_id=str(world.alice.pk))
    assert changes.get().detail == {"second_factor": "totp removed", "via": "command"}


@pytest.mark.parametrize(
    ("username", "message"), [("nobody", "No staff account"), ("bianca", "no second factor")]
)
def test_a_bad_username_or_an_account_without_one_changes_nothing(
    world: World, username: str, message: str
) -> None:
    give_totp(world.alice)
    before = Authenticator.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("reset-second-factor", "--user", username, stdout=StringIO())
    assert Authenticator.objects.count() == before
    assert not AuditEntry.objects.filter(action=Action.CHANGE).exists()
