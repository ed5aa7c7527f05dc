from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doorway.settings")
application = get_wsgi_application()

# Django's system checks do not run under gunicorn: refuse here to serve with keys that
# cannot read what is stored (every record page would answer 500, and anyone registered
# meanwhile would be written under the wrong key).
from doorway.keycheck import refuse_to_start  # noqa: E402

refuse_to_start()
