"""How long `doorway synth` takes to build a deployment, at several sizes.

    .venv/bin/python bench/synth.py                       # 1,000 and 10,000 on PostgreSQL
    .venv/bin/python bench/synth.py --sizes 100000 --keep # and keep the database
    .venv/bin/python bench/synth.py --sqlite --sizes 1000

For each size it creates a scratch database (`doorway_bench_synth_<N>` on the server
of --server, dropped again unless --keep; or a SQLite file under /tmp), migrates it,
runs `doorway synth --participants N --seed S` in a child process with throw-away
keys and DOORWAY_DEMO on, and prints the wall time, the child's CPU time, the rows
written and the rate, then the command's own stage times and row counts.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOORWAY = ROOT / ".venv" / "bin" / "doorway"

# Throw-away keys, as in doorway/settings_test.py: they protect nothing real.
KEYS = {
    "DOORWAY_SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdef",
    "DOORWAY_FIELD_KEYS": "h4MaOqu2mAnndttPG40t62VzQrHVrwg0AQFnkQqR4GE=",
    "DOORWAY_BLIND_INDEX_KEY": "bench-blind-index-key",
    "DOORWAY_AUDIT_KEY": "bench-audit-chain-key",
    "DOORWAY_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DOORWAY_DEMO": "true",
    "DOORWAY_ENV_FILE": "/nonexistent",
}


def postgres(server: str, name: str, *, drop_only: bool = False) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop_only:
            admin.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def run(size: int, seed: int, url: str) -> None:
    env = {**os.environ, **KEYS, "DATABASE_URL": url}
    migrate = [str(DOORWAY), "migrate", "--noinput", "-v0", "--skip-checks"]
    subprocess.run(migrate, env=env, check=True)  # noqa: S603 - our own command
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own command, our own arguments
        [DOORWAY, "synth", "--participants", str(size), "--seed", str(seed), "--skip-checks"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rows = int(re.search(r"(\d+) rows", done.stdout).group(1))  # type: ignore[union-attr]
    print(
        f"{size:>8} participants  {wall:8.1f} s wall  {cpu:8.1f} s CPU (Python)  "
        f"{rows:>11} rows  {rows / wall:9.0f} rows/s  {size / wall:7.1f} participants/s"
    )
    print("\n".join("    " + line for line in done.stdout.splitlines()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--sqlite", action="store_true", help="SQLite files instead")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()
    load = os.getloadavg()
    print(
        f"doorway synth on {platform.node()}: {os.cpu_count()} CPUs, "
        f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, Python {platform.python_version()}, "
        f"{'SQLite' if args.sqlite else 'PostgreSQL at ' + args.server.split('@')[-1]}"
    )
    for size in args.sizes:
        name = f"doorway_bench_synth_{size}"
        if args.sqlite:
            path = Path(tempfile.gettempdir()) / f"{name}.sqlite3"
            path.unlink(missing_ok=True)
            run(size, args.seed, f"sqlite:///{path}")
            if not args.keep:
                path.unlink(missing_ok=True)
        else:
            run(size, args.seed, postgres(args.server, name))
            if not args.keep:
                postgres(args.server, name, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
