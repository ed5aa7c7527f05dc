"""How much memory `doorway backup` and `doorway restore` take as the database grows.

    .venv/bin/python bench/backup_memory.py
    SIZE_MB=500 .venv/bin/python bench/backup_memory.py

Makes a scratch SQLite database (`doorway migrate`), pads it with SIZE_MB of random bytes
in a table of its own (random, so nothing compresses it away), then runs `doorway backup`
and `doorway restore` into a new file, each in its own process, and prints the database's
and the backup's size, the time and each process's peak resident memory, beside that of a
command that only starts Doorway. Streaming means the peaks stay near that baseline
whatever SIZE_MB is. Nothing here asserts a figure: it only measures.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZE_MB = int(os.environ.get("SIZE_MB", "200"))
ROOT = Path(__file__).resolve().parents[1]


def doorway(*args: str, env: dict[str, str]) -> tuple[float, float]:
    """Run one command in a child process: its seconds and its peak memory in MB. Each
    child is started from a fresh helper process, so RUSAGE_CHILDREN is its alone."""
    started = time.perf_counter()
    measured = subprocess.run(  # noqa: S603 - this interpreter, our own arguments
        [
            sys.executable,
            "-c",
            "import resource, subprocess, sys; "
            "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
            sys.executable,
            "-m",
            "doorway.manage",
            *args,
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return time.perf_counter() - started, int(measured.stdout.split()[-1]) / 1024


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="doorway-bench-backup-") as folder:
        work = Path(folder)
        source = work / "source.sqlite3"
        base = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "doorway.settings_test",
            "DOORWAY_AUDIT_CHECKPOINTS": str(work / "checkpoints"),
        }
        env = {**base, "DATABASE_URL": f"sqlite:///{source}"}
        subprocess.run(
            [sys.executable, "-m", "doorway.manage", "migrate", "--verbosity", "0"],
            env=env,
            check=True,
            cwd=ROOT,
        )
        with sqlite3.connect(source) as database:
            database.execute("CREATE TABLE bench_padding (id INTEGER PRIMARY KEY, data BLOB)")
            chunk = 1024 * 1024
            for _ in range(SIZE_MB):
                database.execute("INSERT INTO bench_padding (data) VALUES (?)", [os.urandom(chunk)])
        identity = work / "identity.txt"
        _, baseline = doorway("backup-key", "new", str(identity), env=env)
        recipient = identity.read_text().splitlines()[1].split(": ", 1)[1]
        backups = work / "backups"
        backups.mkdir()
        backup_seconds, backup_mb = doorway(
            "backup", str(backups), "--recipient", recipient, env=env
        )
        (made,) = backups.iterdir()
        restored = work / "restored.sqlite3"
        restore_seconds, restore_mb = doorway(
            "restore",
            str(made),
            "--identity",
            str(identity),
            env={**base, "DATABASE_URL": f"sqlite:///{restored}"},
        )
        mb = 1024 * 1024
        sizes = source.stat().st_size / mb, made.stat().st_size / mb
        print(f"database {sizes[0]:.0f} MB, backup {sizes[1]:.0f} MB")
        print(f"doorway starting only (backup-key new): peak {baseline:.0f} MB")
        print(f"doorway backup:  {backup_seconds:.1f} s, peak {backup_mb:.0f} MB")
        print(f"doorway restore: {restore_seconds:.1f} s, peak {restore_mb:.0f} MB")
        # This process did none of the work: its own peak, for comparison.
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"(this script: peak {own:.0f} MB)")


if __name__ == "__main__":
    main()
