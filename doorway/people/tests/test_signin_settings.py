"""Production settings hash passwords with Argon2 (the tests use a fast hasher)."""

from __future__ import annotations

import doorway.settings as production


def test_production_settings_hash_passwords_with_argon2() -> None:
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_is_installed() -> None:
    from django.contrib.auth.hashers import Argon2PasswordHasher

    encoded = Argon2PasswordHasher().encode("correct horse battery", "saltsaltsalt")
    assert encoded.startswith("argon2$")


def test_production_settings_lock_sign_in_per_account_and_per_address() -> None:
    assert production.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert production.MFA_FORMS["authenticate"].endswith("LockoutAuthenticateForm")
    assert production.AXES_LOCKOUT_TEMPLATE == "account/locked_out.html"
    assert production.MFA_TRUST_ENABLED is False
