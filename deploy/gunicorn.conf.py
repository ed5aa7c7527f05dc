"""Gunicorn for Doorway in production: `gunicorn --config deploy/gunicorn.conf.py`.

Run by deploy/systemd/doorway-web.service (and the Procfile's web line) behind the
proxy in deploy/nginx/. Settings come from the environment, as Doorway's own do:

- DOORWAY_BIND: where to listen; loopback only, so that nothing but the proxy on this
  machine reaches it (its X-Forwarded-Proto is trusted). Default 127.0.0.1:8000.
- DOORWAY_WEB_WORKERS: processes; each holds the whole app (~150 MB). Default 3.
"""

from __future__ import annotations

import os

wsgi_app = "doorway.wsgi:application"
bind = [os.environ.get("DOORWAY_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("DOORWAY_WEB_WORKERS", "3"))

# Spreadsheets are read in the background worker, so no request should come near this;
# one that does is stuck, and its worker is replaced.
timeout = 60
# On SIGTERM (systemctl stop, a deploy): requests under way get this long to finish.
graceful_timeout = 20
# A worker is replaced after this many requests (spread out), so that memory a large
# report leaves behind is given back.
max_requests = 2000
max_requests_jitter = 200

# Only the proxy on this machine may say the request came over HTTPS; Django reads the
# same header when DOORWAY_BEHIND_PROXY is set.
forwarded_allow_ips = "127.0.0.1,::1"
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# Logs to standard output and error, which systemd gives to journald. An access line is
# the method, the path WITHOUT its query string (a search for a name would be there),
# the status, the size and the time taken: no address, no referrer, no user agent, no
# cookie. Paths carry only opaque ids.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("DOORWAY_LOG_LEVEL", "info").lower()
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms"
# The process name in `ps` and the journal.
proc_name = "doorway-web"

# Gunicorn's control socket is not used, and its default place (the home directory) is
# read-only under the unit's hardening.
control_socket_disable = True
# Gunicorn's worker heartbeat files in memory, not on a disk that may stall (its docs'
# advice); nothing else is written there.
worker_tmp_dir = "/dev/shm"  # noqa: S108
