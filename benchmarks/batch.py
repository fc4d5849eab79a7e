"""Speed and memory of `match` on supplier lists against an I/O floor, measured in one run.

    python benchmarks/batch.py                                  # 100,000 and 1,000,000 rows
    python benchmarks/batch.py --rows 100000 --runs 1           # a quick look
    python benchmarks/batch.py --rows 3000000 --formats parquet # one size, one format
    python benchmarks/batch.py --markdown                       # the tables as Markdown

For each size N in ``--rows`` it writes a deterministic synthetic supplier list
(`suppliers.py`, cached in benchmarks/data/) and, for each output format in ``--formats``
(csv, parquet, jsonl), measures on that file:

- ``match suppliers-N.csv -o out.<fmt>``, run in a temporary work folder (exit code 0,
  or 3: some rows failed, which the generator makes them do; any other code stops the
  script). It also writes out.errors.csv (about 0.5 % of the rows), and it fsyncs its
  output before moving it into place.
- the floor: ``floor.py`` run by this interpreter, in the same folder: interpreter start,
  ``import pyarrow``, a streamed read of suppliers-N.csv by ``pyarrow.csv.open_csv`` with
  every column a string (batches dropped), then the same output `match` wrote, in the same
  format, written batch by batch into floor.<fmt>. csv and parquet: `match`'s output is
  converted once, before the timed runs, into an Arrow IPC file that the floor memory-maps
  and streams into ``pyarrow.csv.CSVWriter`` (default options) or
  ``pyarrow.parquet.ParquetWriter`` (Snappy, dictionary only for initiative_id,
  initiative_name and reasons, as `match` does). jsonl: pyarrow has no JSON writer, so the
  floor copies the bytes of `match`'s own .jsonl output in 16 MB blocks: pure I/O, the
  strictest floor. The floor does not fsync (see "floor fsync" below). Details in
  floor.py.

An untimed run of `match` comes first (it makes the output the floor writes, and warms
the page cache and `match`'s user cache); then ``--runs`` rounds of floor, match,
alternating, so a busy spell on this shared machine hits both. Every process is timed
from outside: wall clock around it; CPU time (user + system, all threads) and peak
resident memory (``ru_maxrss``) from the kernel's accounting of that process alone
(``os.wait4``). Linux counts in a child's peak the memory of the process it was started
from, so this script stays small (standard library only; the generator and the
conversions run in processes of their own) and prints its own peak. Each figure is the
median over the runs; the wall ratio is median over median, with the lowest and highest
per-round ratio beside it. Targets are printed beside the figures as information (wall:
at most 2x the floor for csv and parquet, 2.5x for jsonl; CPU: at most 2.5x; `match`'s
peak memory: at most 400 MB); nothing here passes or fails. Also printed, not part of the
floor: "floor fsync", the time this script then takes to fsync the floor's output (what
`match`'s own fsync costs it, roughly), and whether the floor's output has the same bytes
as `match`'s (checked once, untimed).

Then the cold start of ``match profiles/bd-knitwear-factory.yaml -o report.html`` against
``python -c "import numpy, jinja2, yaml, click"`` (``--cold-runs`` rounds, alternating,
after one untimed run of each, with match's modules compiled to bytecode first as
``pip install`` compiles the baseline's; best and median; target: at most 3x, judged on
the medians), and a naive baseline: `recommend()` called once per row, in this process, on
the first ``--sample`` rows of the first list, as rows per second beside `match`'s.

Memory is in MB of 2^20 bytes (``ru_maxrss / 1024``); file sizes in MB of 10^6 bytes.
Work files go to the system's temporary folder (``TMPDIR`` moves it) and are removed
after each size and format: at 3,000,000 rows they take several GB.
"""

from __future__ import annotations

import argparse
import datetime
import filecmp
import importlib.metadata
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
FLOOR = HERE / "floor.py"

FORMATS = ("csv", "parquet", "jsonl")
WALL_TARGET = {"csv": 2.0, "parquet": 2.0, "jsonl": 2.5}
CPU_TARGET = 2.5
MEMORY_TARGET = 400  # MB, match's peak
COLD_TARGET = 3.0


@dataclass
class Run:
    wall: float  # seconds, outside clock
    cpu: float  # seconds, user + system
    peak: float  # MB (2^20 bytes)
    code: int


def measure(cmd: list[str], *, cwd: Path) -> Run:
    """Run ``cmd`` in ``cwd``; its wall time, CPU time, peak memory and exit code, of that
    process alone. Standard error goes to a file (``stderr.log`` in ``cwd``), not a pipe
    that could fill."""
    with open(cwd / "stderr.log", "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code)


def _fail(what: str, run: Run, cwd: Path) -> SystemExit:
    tail = (cwd / "stderr.log").read_text(errors="replace").strip().splitlines()[-15:]
    return SystemExit(f"{what} exited with {run.code}:\n" + "\n".join("    " + line for line in tail))


def fsync(path: Path) -> float:
    """Seconds to fsync ``path``."""
    start = time.perf_counter()
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return time.perf_counter() - start


def supplier_file(rows: int) -> Path:
    """The synthetic list of ``rows`` rows, written once and reused."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"suppliers-{rows}.csv"
    if not path.exists():
        tmp = path.with_suffix(".csv.tmp")
        # In a process of its own, as everything heavy here: see `own_peak`.
        subprocess.run([sys.executable, str(HERE / "suppliers.py"), str(rows), str(tmp)], check=True,
                       stdout=subprocess.DEVNULL)
        fsync(tmp)  # no write-back of it during the timed runs
        tmp.replace(path)
    return path


def match_command() -> str:
    """The `match` installed beside this interpreter (the floor runs on this interpreter)."""
    beside = Path(sys.executable).parent / "match"
    match = str(beside) if beside.exists() else shutil.which("match") or "match"
    try:
        shebang = Path(match).read_bytes()[:200].split(b"\n", 1)[0]
        interpreter = Path(shebang[2:].decode().strip().split()[0])
        if interpreter.parent.resolve() != Path(sys.executable).parent.resolve():
            print(f"note: {match} runs on {interpreter}, the floor on {sys.executable}")
    except (OSError, IndexError, UnicodeDecodeError):
        pass
    return match


def batch_pair(rows: int, fmt: str, path: Path, work: Path, *, runs: int, match: str) -> dict:
    """Floor and `match` for one list and one format, ``runs`` rounds, alternating."""
    folder = work / f"{rows}-{fmt}"
    folder.mkdir()
    out = folder / f"out.{fmt}"
    errors = folder / "out.errors.csv"
    cmd = [match, str(path), "-o", out.name]
    first = measure(cmd, cwd=folder)  # untimed: makes the output the floor writes; warms caches
    if first.code not in (0, 3):
        raise _fail(f"match on {path.name} -o {out.name}", first, folder)
    reference = out.rename(folder / f"reference.{fmt}")
    errors.unlink(missing_ok=True)
    source = Path(subprocess.run([sys.executable, str(FLOOR), "prepare", fmt, str(reference), str(folder)],
                                 check=True, capture_output=True, text=True).stdout.strip())
    fsync(source)
    floor_out = folder / f"floor.{fmt}"
    floor_cmd = [sys.executable, str(FLOOR), fmt, str(path), str(source), floor_out.name]
    floors: list[Run] = []
    matches: list[Run] = []
    syncs: list[float] = []
    same = None
    for _ in range(runs):
        f = measure(floor_cmd, cwd=folder)
        if f.code != 0:
            raise _fail(f"the floor ({fmt})", f, folder)
        floors.append(f)
        floor_mb = floor_out.stat().st_size / 1e6
        syncs.append(fsync(floor_out))
        if same is None:
            same = filecmp.cmp(floor_out, reference, shallow=False)
        floor_out.unlink()
        m = measure(cmd, cwd=folder)
        if m.code not in (0, 3):
            raise _fail(f"match on {path.name} -o {out.name}", m, folder)
        matches.append(m)
        out_mb = out.stat().st_size / 1e6
        out.unlink()
        errors.unlink(missing_ok=True)
    shutil.rmtree(folder)
    med = statistics.median
    ratios = [m.wall / f.wall for f, m in zip(floors, matches)]
    return {
        "rows": rows, "format": fmt, "in_mb": path.stat().st_size / 1e6, "out_mb": out_mb, "floor_mb": floor_mb,
        "same": same, "floor_wall": med(r.wall for r in floors), "wall": med(r.wall for r in matches),
        "ratio_min": min(ratios), "ratio_max": max(ratios), "floor_cpu": med(r.cpu for r in floors),
        "cpu": med(r.cpu for r in matches), "peak": med(r.peak for r in matches),
        "floor_peak": med(r.peak for r in floors), "fsync": med(syncs),
    }


def naive_rate(path: Path, sample: int) -> float:
    """Rows per second of `recommend()` called once per row, on the first ``sample`` rows."""
    import pandas as pd

    from recommender import MatchError, load_catalogue, recommend
    from recommender.suppliers.frame import match_columns, row_profile

    df = pd.read_csv(path, dtype=str, keep_default_na=False, nrows=sample)
    fields, _ = match_columns(df.columns)
    records = df.rename(columns=fields)[list(fields.values())].to_dict("records")
    catalogue = load_catalogue()
    recommend(row_profile(records[0]), catalogue=catalogue)  # fit once, as the batch does
    start = time.perf_counter()
    for record in records:
        try:
            recommend(row_profile(record), catalogue=catalogue)
        except MatchError:
            pass
    return len(records) / (time.perf_counter() - start)


def cold_start(runs: int, match: str) -> dict[str, list[float]]:
    """Wall times of ``runs`` rounds of the import baseline and `match` on one profile."""
    profile = ROOT / "profiles" / "bd-knitwear-factory.yaml"
    cmds = {
        'python -c "import numpy, jinja2, yaml, click"': [sys.executable, "-c", "import numpy, jinja2, yaml, click"],
        "match profile.yaml -o report.html": [match, str(profile), "-o", "report.html"],
    }
    times: dict[str, list[float]] = {name: [] for name in cmds}
    # Like for like: the baseline's libraries were compiled to bytecode when pip installed
    # them; an editable install of match (or PYTHONDONTWRITEBYTECODE=1, as on some CI
    # machines) would otherwise compile match's own modules on every start.
    where = subprocess.run(
        [sys.executable, "-c", "import os, recommender; print(os.path.dirname(recommender.__file__))"],
        capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "compileall", "-q", where], check=True, stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for round_ in range(runs + 1):  # round 0 untimed: page cache, match's user cache
            for name, cmd in cmds.items():
                run = measure(cmd, cwd=work)
                if run.code != 0:
                    raise _fail(name, run, work)
                if round_:
                    times[name].append(run.wall)
    return times


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = ", ".join(f"{name} {_version(name)}" for name in ("pyarrow", "numpy", "pandas"))
    return f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, {versions}"


def _version(name: str) -> str:
    """The installed version, read without importing the package (see `own_peak`)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def own_peak() -> float:
    """This script's own peak memory, MB. A child's ``ru_maxrss`` counts the memory of the
    process it was forked from (Linux records it at exec), so no child can read below it:
    this script imports nothing heavy and runs the generator and the conversions in
    processes of their own, and the naive baseline (in this process) last."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def code_version() -> str:
    """The commit measured, and whether the work tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head + (" with uncommitted changes" if dirty else "")


def _target(value: float, limit: float, unit: str) -> str:
    return f"<= {limit:g}{unit}: {'met' if value <= limit else 'not met'}"


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--runs", type=int, default=3, help="rounds of floor and match per size and format (median)")
    parser.add_argument("--cold-runs", type=int, default=7, help="rounds of each cold start")
    parser.add_argument("--sample", type=int, default=2_000, help="rows for the naive baseline")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.cold_runs < 1 or args.sample < 1 or min(args.rows) < 1:
        parser.error("--rows, --runs, --cold-runs and --sample must be positive")

    print(f"date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"machine: {machine()}")
    print(f"code: {code_version()}; load average at start: {_load()}", flush=True)
    match = match_command()
    results = []
    with tempfile.TemporaryDirectory(prefix="match-batch-") as tmp:
        for rows in args.rows:
            path = supplier_file(rows)
            for fmt in args.formats:
                results.append(batch_pair(rows, fmt, path, Path(tmp), runs=args.runs, match=match))
    cold = cold_start(args.cold_runs, match)
    peak = own_peak()
    naive = naive_rate(supplier_file(args.rows[0]), args.sample)  # last: it grows this process
    print(f"load average at end: {_load()}; this script's own peak memory while measuring: {peak:.0f} MB "
          "(no child's peak can read below it)")
    md = args.markdown

    print()
    print(f"Wall time, median of {args.runs} round(s) (floor and match alternating):")
    _table(["rows", "format", "input MB", "output MB", "floor output", "floor wall", "match wall", "wall ratio",
            "min-max", "target", "floor fsync"], [
        [f"{r['rows']:,}", r["format"], f"{r['in_mb']:.0f}", f"{r['out_mb']:.0f}",
         f"{r['floor_mb']:.0f} MB, " + ("same bytes" if r["same"] else "differs"),
         f"{r['floor_wall']:.2f} s", f"{r['wall']:.2f} s", f"{r['wall'] / r['floor_wall']:.1f}x",
         f"{r['ratio_min']:.1f}-{r['ratio_max']:.1f}x",
         _target(r["wall"] / r["floor_wall"], WALL_TARGET[r["format"]], "x"),
         f"{r['fsync']:.2f} s"]
        for r in results], md)
    print()
    print(f"CPU time (user + system) and peak memory, median of {args.runs} round(s):")
    _table(["rows", "format", "floor CPU", "match CPU", "CPU ratio", "target", "match peak", "floor peak", "target"], [
        [f"{r['rows']:,}", r["format"], f"{r['floor_cpu']:.2f} s", f"{r['cpu']:.2f} s",
         f"{r['cpu'] / r['floor_cpu']:.1f}x", _target(r["cpu"] / r["floor_cpu"], CPU_TARGET, "x"),
         f"{r['peak']:.0f} MB", f"{r['floor_peak']:.0f} MB", _target(r["peak"], MEMORY_TARGET, " MB")]
        for r in results], md)
    print()
    print(f"Cold start, {args.cold_runs} round(s) alternating:")
    (base_name, base), (ours_name, ours) = cold.items()
    b_med, o_med = statistics.median(base), statistics.median(ours)
    _table(["command", "best", "median", "ratio (best)", "ratio (median)", "target"], [
        [base_name, f"{min(base):.3f} s", f"{b_med:.3f} s", "1.0x", "1.0x", ""],
        [ours_name, f"{min(ours):.3f} s", f"{o_med:.3f} s", f"{min(ours) / min(base):.1f}x",
         f"{o_med / b_med:.1f}x", _target(o_med / b_med, COLD_TARGET, "x")],
    ], md)
    print()
    print(f"Naive baseline: recommend() once per row on the first {args.sample:,} rows of "
          f"suppliers-{args.rows[0]}.csv: {naive:,.0f} rows/s")
    _table(["rows", "format", "match rows/s", "naive rows/s", "speed-up"], [
        [f"{r['rows']:,}", r["format"], f"{r['rows'] / r['wall']:,.0f}", f"{naive:,.0f}",
         f"{r['rows'] / r['wall'] / naive:.0f}x"]
        for r in results], md)
    return 0


def _table(head: list[str], rows: list[list[str]], markdown: bool) -> None:
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---" for _ in head) + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    print("  ".join(h.rjust(w) for h, w in zip(head, widths)))
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths)))


if __name__ == "__main__":
    sys.exit(main())
