"""What the key check costs at start-up, how fast `doorway rotate-keys` goes, and whether
edits made while it runs are all kept (issue 14, points 4 and 6).

    .venv/bin/python bench/key_rotation.py                    # 1,000 participants
    .venv/bin/python bench/key_rotation.py --sizes 1000 10000 --keep

For each size: a scratch PostgreSQL database `doorway_bench_keys_<N>` (dropped again
unless --keep), migrated (which writes the key canaries), `doorway synth --participants
N`. Then, with throw-away keys:

1. The key check, `key_problems()`, in this process: wall time (median of 5) and its
   queries, against Django's own start (`django.setup()`) in a child process.
2. A new key put first (`NEW,OLD`); `doorway rotate-keys` in a child process while this
   process edits participants' phone numbers, one save at a time, until it ends. Prints
   the rotation's wall time, rows re-encrypted and rows/s, the edits acknowledged during
   it, and how many of those read back (under `NEW` alone) with another value: lost.
3. `doorway rotate-keys` again: the time of a run that finds nothing left.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.synth import KEYS, postgres  # noqa: E402

DOORWAY = ROOT / ".venv" / "bin" / "doorway"
NEW_KEY = "gN7-JJ5laLL4VWFQtwzs3OTaz7W09geFSGo9vgBWChQ="


def child(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own command, our own arguments
        [str(DOORWAY), *args], env=env, check=True, capture_output=True, text=True
    )
    return time.perf_counter() - started, done.stdout


def measure(size: int, url: str) -> None:
    env = {**os.environ, **KEYS, "DATABASE_URL": url}
    subprocess.run(  # noqa: S603
        [str(DOORWAY), "migrate", "--noinput", "-v0"], env=env, check=True
    )
    subprocess.run(  # noqa: S603
        [str(DOORWAY), "synth", "--participants", str(size), "--seed", "1"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )

    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "doorway.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from doorway.keycheck import key_problems
    from doorway.people.models import Participant

    setup = [
        child_time(env, "import django, os; django.setup()")  # Django's own start
        for _ in range(5)
    ]
    checks = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            problems = key_problems()
            checks.append(time.perf_counter() - started)
    assert problems == [], problems
    print(
        f"  key check: {statistics.median(checks) * 1000:7.1f} ms, {len(queries)} queries; "
        f"Django's start in a child: {statistics.median(setup) * 1000:7.1f} ms (medians of 5)"
    )

    old = settings.FIELD_ENCRYPTION_KEYS[0]
    both = {**env, "DOORWAY_FIELD_KEYS": f"{NEW_KEY},{old}"}
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, old]
    people = list(Participant.objects.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    rotation = subprocess.Popen(  # noqa: S603
        [str(DOORWAY), "rotate-keys"], env=both, stdout=subprocess.PIPE, text=True
    )
    acknowledged: dict[object, str] = {}
    n = 0
    while rotation.poll() is None:
        pk = people[n % len(people)]
        person = Participant.objects.get(pk=pk)
        person.phone = f"416-555-{n % 10000:04d}"
        person.save()
        acknowledged[pk] = person.phone
        n += 1
    wall = time.perf_counter() - started
    out = rotation.stdout.read() if rotation.stdout else ""
    rotated = int(re.search(r"Done: (\d+) rows", out).group(1))  # type: ignore[union-attr]

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    lost = sum(
        1 for pk, phone in acknowledged.items() if Participant.objects.get(pk=pk).phone != phone
    )
    print(
        f"  rotate-keys: {wall:7.1f} s, {rotated} rows re-encrypted, {rotated / wall:8.0f} rows/s; "
        f"{n} edits acknowledged meanwhile ({len(acknowledged)} participants), {lost} lost"
    )
    again, out = child(both, "rotate-keys")
    skipped = re.search(r"Skipped (\d+) rows", out)
    print(
        f"  rotate-keys again: {again:7.1f} s, "
        f"{skipped.group(1) if skipped else 0} rows found already under the new key"
    )
    connection.close()


def child_time(env: dict[str, str], code: str) -> float:
    started = time.perf_counter()
    subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "doorway.settings"},
        check=True,
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()
    if len(args.sizes) > 1:
        # Django is set up once per process, on one database.
        for size in args.sizes:
            extra = ["--keep"] if args.keep else []
            subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--sizes", str(size), "--server", args.server, *extra],
                check=True,
            )
        return 0
    load = os.getloadavg()
    print(
        f"key check and rotation on {platform.node()}: {os.cpu_count()} CPUs, "
        f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, Python {platform.python_version()}"
    )
    size = args.sizes[0]
    name = f"doorway_bench_keys_{size}"
    print(f"{size} participants")
    measure(size, postgres(args.server, name))
    if not args.keep:
        postgres(args.server, name, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
