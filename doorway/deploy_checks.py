"""`doorway check --deploy`: the keys and modes a production deployment must not run with.

- Demo mode off: it lets the demo accounts skip the second factor.
- Django's secret key, the blind-index key and the audit-chain key each hold at least
  32 bytes (256 bits) of randomness, as far as their length and alphabet can show it:
  a short or guessable key lets whoever guesses it forge sessions, test names against
  the blind index, or rebuild the audit chain after tampering.
- Every field key is a Fernet key (32 random bytes, URL-safe base64), and its bytes
  look random: a key of few distinct bytes (all `A`, a repeated pattern) is refused.

Entropy is estimated from the key's length and the smallest alphabet it is written in
(hex: 4 bits a character, base64: 6, other printable text: 6.5), and a key of few
distinct characters or a placeholder is refused whatever its length. Make keys with
`python -c "import secrets; print(secrets.token_urlsafe(32))"` (43 characters).
"""

from __future__ import annotations

import base64
import math
import string
from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.utils.translation import gettext as _

MINIMUM_BITS = 256
HEX = set(string.hexdigits)
BASE64 = set(string.ascii_letters + string.digits + "+/-_")
PLACEHOLDERS = ("change-me", "changeme", "secret", "password", "django-insecure")
# 32 random bytes hold about 30 distinct values; fewer than 16 is no random key.
MINIMUM_DISTINCT_BYTES = 16
HINT = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'
FERNET_HINT = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


def estimated_bits(key: str) -> float:
    """An upper estimate of the randomness in `key`, in bits."""
    text = key.rstrip("=")
    if not text:
        return 0.0
    chars = set(text)
    if len(chars) < 10 or any(word in text.lower() for word in PLACEHOLDERS):
        return 0.0
    if chars <= HEX:
        per_char = 4.0
    elif chars <= BASE64:
        per_char = 6.0
    else:
        per_char = math.log2(94)
    return len(text) * per_char


def is_fernet_key(key: str) -> bool:
    """A Fernet key whose 32 bytes look random."""
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return False
    raw = base64.urlsafe_b64decode(key.encode())
    return len(set(raw)) >= MINIMUM_DISTINCT_BYTES


@register(Tags.security, deploy=True)
def keys_and_modes_are_safe(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    if getattr(settings, "DEMO", False):
        found.append(
            Error(
                _(
                    "DOORWAY_DEMO is on: demo accounts may skip the second factor and every "
                    "page says it is a demo."
                ),
                hint=_("Leave DOORWAY_DEMO unset (or false) in production."),
                id="doorway.E001",
            )
        )
    keys = {
        "DOORWAY_SECRET_KEY": settings.SECRET_KEY,
        "DOORWAY_BLIND_INDEX_KEY": getattr(settings, "BLIND_INDEX_KEY", ""),
        "DOORWAY_AUDIT_KEY": getattr(settings, "AUDIT_CHAIN_KEY", ""),
    }
    for name, key in keys.items():
        if estimated_bits(str(key or "")) < MINIMUM_BITS:
            found.append(
                Error(
                    _("%(name)s is too short or too simple to hold 32 bytes of randomness.")
                    % {"name": name},
                    hint=_("Make one with: %(command)s (or longer).") % {"command": HINT},
                    id="doorway.E002",
                )
            )
    field_keys = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", []) or [])
    if not field_keys:
        found.append(Error(_("DOORWAY_FIELD_KEYS holds no key."), id="doorway.E003"))
    for position, key in enumerate(field_keys, start=1):
        if not is_fernet_key(str(key)):
            found.append(
                Error(
                    _(
                        "Key %(position)s of DOORWAY_FIELD_KEYS is not a Fernet key of random "
                        "bytes (32 random bytes in URL-safe base64, 44 characters)."
                    )
                    % {"position": position},
                    hint=_("Make one with: %(command)s") % {"command": FERNET_HINT},
                    id="doorway.E003",
                )
            )
    return found
