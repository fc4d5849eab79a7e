"""Per-profile speed of `recommend()`: this tree against release 0.1, measured in the same run.

Release 0.1's `recommend()` ran stability and what-if on every call; this release runs them
only when asked (``analyses=...``). The script extracts the release's source (``git archive``
of ``--ref``, default the tag ``v0.1.0``) into a temporary folder and times, in one process
each, alternating, ``recommend()`` over every example profile in ``profiles/``:

- release 0.1 (analyses always on, as its users paid for them);
- this tree without analyses (what `score_frame`-free callers, evaluation and per-supplier
  reports now pay);
- this tree with ``analyses=("stability", "what_if")`` (the same work as 0.1 did).

Medians of ``--runs`` runs, each over ``--repeat`` passes through the profiles. Not a test:
machines are shared and noisy, so nothing here passes or fails.

    python benchmarks/recommend.py
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_TIMER = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from recommender import recommend, load_profile
profiles = [load_profile(p) for p in sorted(Path(sys.argv[2]).glob("*.yaml")) if p.name != "template.yaml"]
kwargs = json.loads(sys.argv[3])
repeat = int(sys.argv[4])
for p in profiles:
    recommend(p, **kwargs)  # warm: catalogue, engine, caches
start = time.perf_counter()
for _ in range(repeat):
    for p in profiles:
        recommend(p, **kwargs)
print(json.dumps({"ms": (time.perf_counter() - start) / (repeat * len(profiles)) * 1000, "profiles": len(profiles)}))
"""


def _time(tree: Path, kwargs: dict, repeat: int) -> float:
    env = {**os.environ, "MATCH_CACHE_DIR": ""}
    out = subprocess.run([sys.executable, "-c", _TIMER, str(tree), str(ROOT / "profiles"), json.dumps(kwargs),
                          str(repeat)], capture_output=True, text=True, env=env, check=True, cwd=tree)
    return json.loads(out.stdout.strip().splitlines()[-1])["ms"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="v0.1.0", help="the release to compare against (a git ref)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        old.mkdir()
        archive = subprocess.run(["git", "archive", args.ref], capture_output=True, check=True, cwd=ROOT).stdout
        archive_path = Path(tmp) / "old.tar"
        archive_path.write_bytes(archive)
        with tarfile.open(archive_path) as tar:
            tar.extractall(old, filter="data")
        rows = {"release 0.1 (analyses always)": [], "this tree, no analyses": [],
                "this tree, stability + what-if": []}
        for _ in range(args.runs):  # alternating, so a busy spell hits all three alike
            rows["release 0.1 (analyses always)"].append(_time(old, {}, args.repeat))
            rows["this tree, no analyses"].append(_time(ROOT, {}, args.repeat))
            rows["this tree, stability + what-if"].append(
                _time(ROOT, {"analyses": ["stability", "what_if"]}, args.repeat))
    base = statistics.median(rows["release 0.1 (analyses always)"])
    print(f"recommend() per profile, median of {args.runs} runs x {args.repeat} passes over profiles/*.yaml")
    print(f"{'':<34} {'ms/profile':>10} {'vs 0.1':>8}   runs")
    for name, values in rows.items():
        med = statistics.median(values)
        print(f"{name:<34} {med:>10.2f} {base / med:>7.1f}x   " + " ".join(f"{v:.2f}" for v in values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
