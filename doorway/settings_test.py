"""Settings for the test suite: fixed throw-away keys, fast hashing, plain HTTP."""

from __future__ import annotations

import os

# Throw-away keys that protect nothing real; production keys come from the environment.
_TEST_ENV = {
    "DOORWAY_SECRET_KEY": "test-secret-key-not-for-production-0123456789abcdef",
    "DOORWAY_FIELD_KEYS": "h4MaOqu2mAnndttPG40t62VzQrHVrwg0AQFnkQqR4GE=",
    "DOORWAY_BLIND_INDEX_KEY": "test-blind-index-key",
    "DOORWAY_AUDIT_KEY": "test-audit-chain-key",
    "DOORWAY_AUDIT_CHECKPOINT_KEY": "dGVzdC1jaGVja3BvaW50LWtleS0wMTIzNDU2Nzg5YWI=",
    "DOORWAY_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "DOORWAY_SECURE_COOKIES": "false",
    "DOORWAY_SSL_REDIRECT": "false",
    "DOORWAY_HSTS_SECONDS": "0",
    # The tests never read a developer's local .env.
    "DOORWAY_ENV_FILE": "/nonexistent",
}
for _name, _value in _TEST_ENV.items():
    os.environ.setdefault(_name, _value)

from doorway.settings import *  # noqa: E402,F403

# A spare key the rotation tests put first.
SPARE_FIELD_KEY = "gN7-JJ5laLL4VWFQtwzs3OTaz7W09geFSGo9vgBWChQ="

# Argon2 is deliberately slow; the tests sign in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Tasks run at once, inside the test, so their effects can be asserted.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# A second alias on the test database itself (a mirror, not a database of its own), so
# that the routing tests (doorway/tests/test_replica.py) can turn the replica on with
# DOORWAY_READ_REPLICA="replica". Off otherwise: every test reads the one database.
if "replica" not in DATABASES:  # noqa: F405
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
DOORWAY_READ_REPLICA = ""
