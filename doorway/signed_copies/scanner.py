"""A virus scan of an uploaded file with ClamAV, when Debian's clamav is installed.

The file's bytes go to the scanner on its standard input (`-`): nothing is written to
disk. `clamdscan` (the daemon's client: fast, signatures already loaded) is tried first,
then `clamscan`; an exit status of 0 is clean, 1 is a virus found, anything else (no
daemon running, no signatures yet) means that scanner could not say, and the next one
is tried. When no scanner is installed the file is accepted and recorded as not scanned;
when scanners are installed and none could say, the upload is refused.

Which commands are tried is `settings.SIGNED_COPY_SCANNERS` (names looked up on PATH, or
paths): the tests put a fake scanner there.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

CLEAN, INFECTED = 0, 1
# A scan of the largest file allowed takes a few seconds; a stuck scanner is not waited on.
TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Verdict:
    # "clean", "infected", "not_scanned" (no scanner installed) or "failed".
    outcome: str
    # The scanner that answered (its command's name), if any.
    scanner: str = ""
    # What the scanner named (for an infected file: the signature), else "".
    found: str = ""

    @property
    def infected(self) -> bool:
        return self.outcome == "infected"


def installed(commands: list[str] | None = None) -> list[str]:
    """The scanners of `commands` (default: the setting) that can be run here."""
    found = []
    for command in settings.SIGNED_COPY_SCANNERS if commands is None else commands:
        path = shutil.which(command)
        if path:
            found.append(path)
    return found


def _signature(output: str) -> str:
    """ "stdin: Eicar-Test-Signature FOUND" -> "Eicar-Test-Signature"."""
    for line in output.splitlines():
        line = line.strip()
        if line.endswith(" FOUND"):
            return line.removesuffix(" FOUND").split(": ", 1)[-1].strip()
    return ""


def scan(data: bytes, commands: list[str] | None = None) -> Verdict:
    scanners = installed(commands)
    if not scanners:
        return Verdict("not_scanned")
    for path in scanners:
        name = Path(path).name
        try:
            done = subprocess.run(  # noqa: S603 - a configured scanner, the file on stdin
                [path, "--no-summary", "-"],
                input=data,
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == CLEAN:
            return Verdict("clean", scanner=name)
        if done.returncode == INFECTED:
            output = done.stdout.decode("utf-8", "replace")
            return Verdict("infected", scanner=name, found=_signature(output))
    return Verdict("failed")
