"""The whole deployment's outcome table, computed by the database, against the same
computation in pandas on data already loaded in memory (what an analyst with an export
would do).

    .venv/bin/python bench/outcomes.py                       # 1,000 and 10,000
    .venv/bin/python bench/outcomes.py --sizes --reuse-100k  # only the kept 100,000
    .venv/bin/python bench/outcomes.py --database doorway_bench_synth_10000
    .venv/bin/python bench/outcomes.py --sqlite --sizes 1000

For each size it makes a scratch PostgreSQL database (`doorway_bench_outcomes_<N>`,
dropped again unless --keep; --reuse takes one already there), migrates it and runs
`doorway synth --participants N --seed S` into it with bench/synth.py's throw-away keys
(the helpers of bench/pages.py). --reuse-100k also measures the kept
`doorway_bench_synth_100000` (made by `bench/synth.py --sizes 100000 --keep`), and
--database NAME any database already built, migrating either first if it is behind
(--no-migrate leaves a kept database's schema alone, as when the working tree holds
someone's unfinished migrations). --sqlite builds SQLite files under /tmp instead.

Then, in a child process holding the database's settings:
- SQL: `outcomes.deployment_outcomes(Program.objects.all())`, the table the evaluation
  home page and /api/v1/evaluation/deployment/ show (every program, each active focus
  area: consenting women, assessed, progressed, share, mean change, missing), once to
  warm up, then --runs times; the median is printed.
- pandas: the rows it needs (answers with a number, items, focus areas,
  administrations, enrolments, cycles, evaluation consents) are read into DataFrames
  first, untimed, with ids as categories; then only the computation is timed, --runs
  times after a warm-up: the consenting women, the join of ratings to items and
  administrations, each (woman, area)'s baseline and later rating by sorting and taking
  the first and last of each group, and the counts per area.
The two tables are compared cell by cell, and both timings and their ratio printed.
Nothing is asserted. Load average and machine are printed with the figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"bench/{name}.py is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench_synth = _load("synth")
bench_pages = _load("pages")
SERVER = bench_pages.SERVER
KEPT_100K = bench_pages.KEPT_100K


def environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        **bench_synth.KEYS,
        "DATABASE_URL": url,
        "DOORWAY_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


# --- in the child: the two computations ---------------------------------------------------


def timed(function: Any, runs: int) -> tuple[float, Any]:
    """Median seconds of `runs` calls after one untimed call, and the last result."""
    result = function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def read_frames() -> dict[str, Any]:
    """What the pandas computation starts from, read from the database (untimed)."""
    import pandas as pd
    from django.db import connection

    queries = {
        "answers": (
            "SELECT id, administration_id, item_id, number FROM instruments_answer "
            "WHERE number IS NOT NULL",
            ["answer_id", "administration_id", "item_id", "number"],
        ),
        "items": (
            "SELECT id, kind, focus_area_id FROM instruments_item",
            ["item_id", "kind", "focus_area_id"],
        ),
        "areas": (
            'SELECT id, program_id, name, slug, "order", retired FROM programs_focusarea',
            ["focus_area_id", "program_id", "area", "slug", "order", "retired"],
        ),
        "programs": ("SELECT id, name, slug FROM programs_program", ["program_id", "name", "slug"]),
        "administrations": (
            "SELECT id, enrolment_id, timepoint, completed_on, recorded_at "
            "FROM instruments_administration",
            ["administration_id", "enrolment_id", "timepoint", "completed_on", "recorded_at"],
        ),
        "enrolments": (
            "SELECT id, cycle_id, participant_id, eligibility FROM enrolments_enrolment",
            ["enrolment_id", "cycle_id", "participant_id", "eligibility"],
        ),
        "cycles": ("SELECT id, program_id FROM programs_cycle", ["cycle_id", "program_id"]),
        "consents": (
            "SELECT participant_id, given_on, withdrawn_on FROM people_consent "
            "WHERE kind = 'evaluation'",
            ["participant_id", "given_on", "withdrawn_on"],
        ),
    }
    ids = {
        "answer_id",
        "administration_id",
        "item_id",
        "focus_area_id",
        "program_id",
        "enrolment_id",
        "cycle_id",
        "participant_id",
    }
    frames = {}
    for name, (sql, columns) in queries.items():
        if connection.vendor == "postgresql":
            # COPY as CSV: millions of rows without a Python object per cell.
            buffer = io.BytesIO()
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy,
            ):
                for block in copy:
                    buffer.write(block)
            buffer.seek(0)
            frame = pd.read_csv(buffer, names=columns, header=None)
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                frame = pd.DataFrame(cursor.fetchall(), columns=columns)
        for column in columns:
            if column in ids and column != "answer_id":
                frame[column] = frame[column].astype(str).str.replace("-", "").astype("category")
        for column in ("completed_on", "given_on", "withdrawn_on"):
            if column in frame:
                frame[column] = pd.to_datetime(frame[column])
        if "recorded_at" in frame:
            frame["recorded_at"] = pd.to_datetime(frame["recorded_at"], utc=True, format="mixed")
        if "retired" in frame:
            frame["retired"] = frame["retired"].map(lambda v: v in (True, 1, "t", "True", "1"))
        frames[name] = frame
    return frames


def pandas_table(frames: dict[str, Any], today: Any) -> list[dict[str, Any]]:
    """The deployment table from the DataFrames: the definitions of
    `outcomes.deployment_outcomes`, in pandas."""
    import pandas as pd

    consents = frames["consents"]
    in_force = consents[
        (consents.given_on <= today)
        & (consents.withdrawn_on.isna() | (consents.withdrawn_on > today))
    ]
    enrolments = frames["enrolments"]
    enrolments = enrolments[
        (enrolments.eligibility != "not_eligible")
        & enrolments.participant_id.isin(in_force.participant_id.unique())
    ].merge(frames["cycles"], on="cycle_id")
    everyone = enrolments.groupby("program_id", observed=True).size()
    areas = frames["areas"][~frames["areas"].retired]
    items = frames["items"]
    items = items[(items.kind == "scale") & items.focus_area_id.isin(areas.focus_area_id)]
    administrations = frames["administrations"]
    administrations = administrations[
        administrations.enrolment_id.isin(enrolments.enrolment_id.unique())
    ]
    rated = (
        frames["answers"]
        .merge(items[["item_id", "focus_area_id"]], on="item_id")
        .merge(administrations, on="administration_id")
    )
    rated["later"] = rated.timepoint != "intake"
    # Her baseline opens each (woman, area) group, her latest later rating closes it.
    rated = rated.sort_values(
        ["enrolment_id", "focus_area_id", "later", "completed_on", "recorded_at", "answer_id"]
    )
    keys = ["enrolment_id", "focus_area_id"]
    first = rated.drop_duplicates(keys, keep="first").set_index(keys)
    last = rated.drop_duplicates(keys, keep="last").set_index(keys)
    pairs = pd.DataFrame(
        {
            "area": first.index.get_level_values("focus_area_id"),
            "baseline": first.number.where(~first.later).to_numpy(),
            "base_on": first.completed_on.to_numpy(),
            "has_base": (~first.later).to_numpy(),
        }
    )
    assessed = (
        pairs.has_base.to_numpy()
        & last.later.to_numpy()
        & (last.completed_on.to_numpy() >= pairs.base_on.to_numpy())
    )
    pairs["assessed"] = assessed
    pairs["change"] = (last.number.to_numpy() - pairs.baseline.to_numpy()) * assessed
    pairs["progressed"] = assessed & (pairs.change > 0)
    per_area = pairs.groupby("area", observed=True).agg(
        with_baseline=("has_base", "sum"),
        assessed=("assessed", "sum"),
        progressed=("progressed", "sum"),
        change=("change", "sum"),
    )
    table = areas.merge(frames["programs"], on="program_id").sort_values(
        ["name", "program_id", "order"]
    )
    rows = []
    for area in table.itertuples():
        found = per_area.loc[area.focus_area_id] if area.focus_area_id in per_area.index else None
        rows.append(
            {
                "program": str(area.slug_y),
                "area": str(area.slug_x),
                "participants": int(everyone.get(area.program_id, 0)),
                "with_baseline": 0 if found is None else int(found.with_baseline),
                "assessed": 0 if found is None else int(found.assessed),
                "progressed": 0 if found is None else int(found.progressed),
                "change": 0 if found is None else round(float(found.change)),
            }
        )
    return rows


def sql_rows(table: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The SQL table in the shape compared: the counts before they are rounded."""
    rows = []
    for row in table:
        missing = row["missing"]
        assessed = row["assessed"]
        rows.append(
            {
                "program": row["program"]["slug"],
                "area": row["slug"],
                "participants": row["participants"],
                "with_baseline": row["participants"] - missing["no_baseline"],
                "assessed": assessed,
                "progressed": row["progressed"],
                # The mean is rounded to the cent: compare what it rounds from.
                "mean_change": row["mean_change"],
            }
        )
    return rows


def measure(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from doorway.evaluation.outcomes import deployment_outcomes, mean
    from doorway.programs.models import Program

    with CaptureQueriesContext(connection) as captured:
        deployment_outcomes(Program.objects.all())
    queries = len(captured)
    sql_time, table = timed(lambda: deployment_outcomes(Program.objects.all()), args.runs)

    started = time.perf_counter()
    frames = read_frames()
    load_time = time.perf_counter() - started
    rows_loaded = sum(len(f) for f in frames.values())
    today = timezone.localdate()
    import pandas as pd

    pandas_time, computed = timed(lambda: pandas_table(frames, pd.Timestamp(today)), args.runs)

    ours = sql_rows(table)
    theirs = [
        {
            "program": r["program"],
            "area": r["area"],
            "participants": r["participants"],
            "with_baseline": r["with_baseline"],
            "assessed": r["assessed"],
            "progressed": r["progressed"],
            "mean_change": mean(r["change"], r["assessed"]),
        }
        for r in computed
    ]
    differences = [(a, b) for a, b in zip(ours, theirs, strict=False) if a != b] + [
        ("rows", (len(ours), len(theirs)))
    ] * (len(ours) != len(theirs))
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "enrolments": int(frames["enrolments"].shape[0]),
                "rating_rows": int(frames["answers"].shape[0]),
                "table_rows": len(table),
                "queries": queries,
                "sql": sql_time,
                "pandas": pandas_time,
                "load": load_time,
                "rows_loaded": rows_loaded,
                "equal": not differences,
                "differences": [str(d) for d in differences[:3]],
            }
        )
    )
    return 0


# --- in the parent ------------------------------------------------------------------------


def run_child(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", "--runs", str(args.runs)]
    done = subprocess.run(  # noqa: S603 - this script, our own arguments
        command,
        env={**env, "DJANGO_SETTINGS_MODULE": "doorway.settings"},
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def report(label: str, result: dict[str, Any]) -> None:
    ratio = result["sql"] / result["pandas"] if result["pandas"] else float("nan")
    print(
        f"{label:>16}  {result['vendor']:<10} {result['enrolments']:>8} enrolments "
        f"{result['rating_rows']:>9} numeric answers  {result['table_rows']:>3} table rows  "
        f"{result['queries']} queries\n"
        f"{'':>16}  SQL {result['sql']:7.3f} s   pandas {result['pandas']:7.3f} s "
        f"(median of {RUNS[0]})   SQL/pandas {ratio:5.2f}   "
        f"tables equal: {'yes' if result['equal'] else 'NO'}   "
        f"(pandas loaded {result['rows_loaded']} rows first in {result['load']:.1f} s, untimed)"
    )
    for difference in result["differences"]:
        print(f"{'':>16}  differs: {difference}")


RUNS = [5]


def sqlite_target(size: int, seed: int, keep: bool) -> tuple[str, dict[str, str], bool]:
    path = Path(f"/tmp/doorway_bench_outcomes_{size}.sqlite3")  # noqa: S108 - a scratch file
    env = environment(f"sqlite:///{path}")
    made = not path.exists()
    if made:
        started = time.perf_counter()
        migrate = [str(BIN / "doorway"), "migrate", "--noinput", "-v0", "--skip-checks"]
        subprocess.run(migrate, env=env, check=True)  # noqa: S603 - our own command
        synth = [str(BIN / "doorway"), "synth", "--participants", str(size), "--seed", str(seed)]
        subprocess.run([*synth, "--skip-checks"], env=env, check=True, capture_output=True)  # noqa: S603
        print(f"  built {path} in {time.perf_counter() - started:.0f} s")
    else:
        bench_pages.migrate_if_behind(str(path), env)
    return str(path), env, made and not keep


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each, after one")
    parser.add_argument("--keep", action="store_true", help="keep the databases made")
    parser.add_argument("--reuse", action="store_true", help="use a database already made")
    parser.add_argument("--reuse-100k", action="store_true", help=f"also measure {KEPT_100K}")
    parser.add_argument("--database", action="append", default=[], help="a PostgreSQL database")
    parser.add_argument("--sqlite", action="store_true", help="SQLite files instead")
    parser.add_argument(
        "--no-migrate", action="store_true", help="leave a kept database's schema alone"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    RUNS[0] = args.runs
    if args.child:
        return measure(args)

    load = os.getloadavg()
    print(
        f"bench/outcomes.py on {platform.node()}: {os.cpu_count()} CPUs, "
        f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, Python {platform.python_version()}; "
        f"the whole deployment's outcome table, SQL against pandas on data in memory, "
        f"median of {args.runs} runs after one warm-up"
    )
    if args.sqlite:
        for size in args.sizes:
            path, env, drop = sqlite_target(size, args.seed, args.keep)
            try:
                report(f"{size:,}", run_child(args, env))
            finally:
                if drop:
                    Path(path).unlink(missing_ok=True)
        return 0
    targets = [(f"{size:,}", f"doorway_bench_outcomes_{size}", size) for size in args.sizes]
    targets += [(name, name, 0) for name in args.database]
    if args.reuse_100k:
        targets.append(("100,000 (kept)", KEPT_100K, 0))
    for label, name, size in targets:
        env = environment(f"{SERVER}/{name}")
        made = False
        if size and not (args.reuse and bench_pages.exists(name)):
            bench_pages.build(size, args.seed, name, env)
            made = True
        elif not args.no_migrate:
            bench_pages.migrate_if_behind(name, env)
        try:
            report(label, run_child(args, env))
        finally:
            if made and not args.keep:
                bench_synth.postgres(SERVER, name, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
