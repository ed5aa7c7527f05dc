"""Reports read from a PostgreSQL streaming replica, when there is one.

With `DATABASE_REPLICA_URL` set, settings add a second database alias, "replica" (a
hot standby of the primary, read-only), and `DOORWAY_READ_REPLICA` names it. The
evaluation's pages and API, the funder report, the research export and the
deployment table run inside `replica_reads()` (the `reads_replica` decorator on their
views): their queries go to the replica, so a few managers opening whole-program
reports do not take the primary's CPU and disk from the caseworkers.

Everything else reads and writes the primary (`default`), and so does a report's own
bookkeeping:
- every write goes to the primary (`db_for_write`), whatever database the object was
  read from;
- a read inside a transaction on the primary reads the primary (what is about to be
  written is decided on what the primary holds, never on the replica's older copy);
- the session, sign-in, lock-out and audit tables are always read on the primary.

Without `DATABASE_REPLICA_URL` there is one database and this router sends everything
to it. The replica is behind the primary by its replay lag (usually well under a
second on a local network): a report shows the figures as of the replica's last replay
(README, "A replica for the reports").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models import Model

ALIAS = "replica"

# Tables always read on the primary, even inside `replica_reads()`: the staff, their
# programs, teams and broken glass (who may see what is decided on the primary), the
# session, sign-in and API-token state a request may rewrite, lock-out counts, drafts,
# queued tasks, the key check and the audit log.
PRIMARY_ONLY_APPS = frozenset(
    {
        "auth",
        "sessions",
        "usersessions",
        "account",
        "mfa",
        "axes",
        "api",
        "drafts",
        "django_tasks_database",
        "keys",
        "audit",
    }
)
PRIMARY_ONLY_MODELS = frozenset(
    {
        "people.user",
        "people.user_programs",
        "people.team",
        "people.team_members",
        "people.breakglass",
        "people.accesschangerequest",
    }
)

_reading: ContextVar[bool] = ContextVar("doorway_replica_reads", default=False)


def replica_database(
    url: str, primary: dict[str, Any], parse: Callable[[str], dict[str, Any]]
) -> dict[str, Any] | None:
    """The "replica" alias's settings for `DATABASE_REPLICA_URL` (None when it is empty):
    the primary's connection options (kept connections, health checks, JIT off), and in
    the tests a mirror of the primary rather than a database of its own."""
    if not url:
        return None
    config = parse(url)
    postgresql = "django.db.backends.postgresql"
    if config.get("ENGINE") != postgresql or primary.get("ENGINE") != postgresql:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL is a PostgreSQL streaming replica of DATABASE_URL: both "
            "must be postgres:// addresses."
        )
    for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
        if key in primary:
            config[key] = primary[key]
    config["OPTIONS"] = {**primary.get("OPTIONS", {}), **config.get("OPTIONS", {})}
    config["TEST"] = {"MIRROR": DEFAULT_DB_ALIAS}
    return config


def replica_alias() -> str | None:
    """The replica's alias when one is configured, else None."""
    alias = getattr(settings, "DOORWAY_READ_REPLICA", "")
    return alias if alias and alias in connections.settings else None


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within it, reads go to the replica (when there is one), but for the exceptions
    the module describes. Writes never do."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reads_replica[**P, R](view: Callable[P, R]) -> Callable[P, R]:
    """Runs a read-only report view (a page's function, or an API action) inside
    `replica_reads()`. Who is asking is read on the primary first."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        request = next((a for a in args if isinstance(a, HttpRequest)), None)
        if request is not None and hasattr(request, "user"):
            request.user.is_authenticated  # noqa: B018 (loads her session and account)
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


def reads_replica_patterns(patterns: list[URLPattern | URLResolver]) -> None:
    """Puts the view of each page in `patterns` (not of the URL confs they include)
    under `reads_replica`: for a URL conf whose pages are all read-only reports."""
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = reads_replica(pattern.callback)


def writing() -> bool:
    """Whether the primary's connection is inside a transaction (atomic block)."""
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


def read_alias(model: type[Model] | None = None) -> str:
    alias = replica_alias()
    if alias is None or not _reading.get() or writing():
        return DEFAULT_DB_ALIAS
    if model is not None and (
        model._meta.app_label in PRIMARY_ONLY_APPS or model._meta.label_lower in PRIMARY_ONLY_MODELS
    ):
        return DEFAULT_DB_ALIAS
    return alias


def reading_connection(model: type[Model] | None = None) -> BaseDatabaseWrapper:
    """The connection hand-written report SQL runs on: the one the router reads `model`
    from (the replica inside `replica_reads()`)."""
    return connections[router.db_for_read(model) if model is not None else read_alias()]


class ReplicaRouter:
    """DATABASE_ROUTERS: reads as `read_alias` says, writes and migrations on the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return read_alias(model)

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        # Explicit, so that an object read on the replica is saved to the primary
        # (Django would otherwise save it where it was read).
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: an object read there may stand in a
        # relation with one read on the primary.
        dbs = {obj1._state.db, obj2._state.db}
        if dbs <= {DEFAULT_DB_ALIAS, ALIAS, None}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # A hot standby is read-only; it takes the primary's schema by replication.
        return db != ALIAS
