"""User.has_second_factor, set from the authenticators each account already has."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models
from django.db.models import Exists, OuterRef

# The authenticators that are a second factor (recovery codes alone are not).
SECOND_FACTORS = ("totp", "webauthn")


def set_from_authenticators(apps: Any, schema_editor: Any) -> None:
    User = apps.get_model("people", "User")
    Authenticator = apps.get_model("mfa", "Authenticator")
    factors = Authenticator.objects.filter(user_id=OuterRef("pk"), type__in=SECOND_FACTORS)
    User.objects.update(has_second_factor=Exists(factors))


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0010_consent_scope_and_end"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="has_second_factor",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(set_from_authenticators, migrations.RunPython.noop),
    ]
