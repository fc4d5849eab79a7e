"""One output transaction per run: planned and checked, staged, committed all or nothing;
stale temporaries of ours cleaned; SIGTERM and SIGHUP unwind a run as SIGINT does."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from recommender import MatchError, OutputError
from recommender.cli import main
from recommender.output import Transaction, _prefix, clean_stale_temporaries, deferred_signals

from .test_hostile import GOOD, HEADER, write_csv


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- planning ----------------------------------------------------------------------------------


def test_outputs_are_committed_together(tmp_path):
    (tmp_path / "a.csv").write_text("old a")
    tx = Transaction([])
    tx.file(tmp_path / "a.csv", role="-o")
    tx.file(tmp_path / "b.html", role="--report")
    tx.file(tmp_path / "e.csv", role="--errors", optional=True)
    tx.folder(tmp_path / "reps", role="--per-supplier-reports")
    tx.begin()
    tx.fh(tmp_path / "a.csv").write(b"new a")
    tx.fh(tmp_path / "b.html").write(b"b")
    folder = tx.staged_folder(tmp_path / "reps")
    folder.write(folder.name("x"), "x")
    assert (tmp_path / "a.csv").read_text() == "old a"  # nothing moves before commit
    written = tx.commit()
    assert (tmp_path / "a.csv").read_text() == "new a" and (tmp_path / "b.html").read_text() == "b"
    assert not (tmp_path / "e.csv").exists(), "an optional output never written is not committed"
    assert _names(tmp_path / "reps") == ["x.html"]
    assert _names(tmp_path) == ["a.csv", "b.html", "reps"]
    assert tmp_path / "e.csv" not in written


def test_a_failure_before_commit_changes_nothing(tmp_path):
    (tmp_path / "a.csv").write_text("old a")
    (tmp_path / "reps").mkdir()
    (tmp_path / "reps" / "index.html").write_text("old index")
    with pytest.raises(RuntimeError), Transaction([]) as tx:
        tx.file(tmp_path / "a.csv", role="-o")
        tx.folder(tmp_path / "reps", role="--per-supplier-reports")
        tx.begin()
        tx.fh(tmp_path / "a.csv").write(b"new")
        folder = tx.staged_folder(tmp_path / "reps")
        folder.write(folder.name("index", exact=True), "new index")
        raise RuntimeError("the run fails")
    assert (tmp_path / "a.csv").read_text() == "old a"
    assert (tmp_path / "reps" / "index.html").read_text() == "old index"
    assert _names(tmp_path) == ["a.csv", "reps"]


def test_a_rename_that_fails_half_way_puts_everything_back(tmp_path, monkeypatch):
    for name in ("a.csv", "b.csv", "c.csv"):
        (tmp_path / name).write_text(f"old {name}")
    tx = Transaction([])
    for name in ("a.csv", "b.csv", "c.csv"):
        tx.file(tmp_path / name, role=name)
    tx.begin()
    for name in ("a.csv", "b.csv", "c.csv"):
        tx.fh(tmp_path / name).write(f"new {name}".encode())
    real = os.replace
    calls = {"n": 0}

    def replace(src, dst):
        if Path(dst).suffix == ".csv" and not Path(src).name.endswith(".bak"):
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError(errno.EIO, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(MatchError, match="Input/output error") as info:
        tx.commit()
    assert "no earlier file was changed" in info.value.describe()
    assert {n: (tmp_path / n).read_text() for n in ("a.csv", "b.csv", "c.csv")} == {
        n: f"old {n}" for n in ("a.csv", "b.csv", "c.csv")}
    assert _names(tmp_path) == ["a.csv", "b.csv", "c.csv"]


@pytest.mark.parametrize("make,needle", [
    (lambda t, tx: (tx.file(t / "a.csv", role="-o"), tx.file(t / "sub" / ".." / "a.csv", role="--errors")),
     "-o and --errors would go to the same file"),
    (lambda t, tx: ((t / "l.csv").symlink_to("a.csv"), tx.file(t / "a.csv", role="-o"),
                    tx.file(t / "l.csv", role="--report")), "same file"),
    (lambda t, tx: (tx.folder(t / "r", role="--per-supplier-reports"), tx.file(t / "r", role="--report")),
     "same file"),
    (lambda t, tx: ((t / "r").mkdir(), tx.folder(t / "r", role="--per-supplier-reports"),
                    tx.file(t / "r" / "Index.HTML", role="--report"), tx.begin()), "overwritten by the index"),
], ids=["same-path-two-spellings", "same-file-by-a-link", "file-is-the-folder", "file-is-the-index"])
def test_outputs_may_not_overlap(tmp_path, make, needle):
    (tmp_path / "sub").mkdir()
    tx = Transaction([])
    with pytest.raises(OutputError, match=needle):
        make(tmp_path, tx)
    tx.abort()
    assert not [p for p in tmp_path.rglob(".*")]


def test_other_outputs_in_the_reports_folder_keep_their_names(tmp_path):
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "sub.html").mkdir()  # a folder of the user's: never replaced
    (tmp_path / "logo.html").write_text("an input")
    tx = Transaction([tmp_path / "logo.html"])
    tx.folder(tmp_path / "r", role="--per-supplier-reports")
    tx.file(tmp_path / "r" / "portfolio.html", role="--report")
    tx.begin()
    folder = tx.staged_folder(tmp_path / "r")
    assert folder.name("portfolio") == "portfolio-2.html"
    assert folder.name("Portfolio") == "Portfolio-3.html"
    assert folder.name("sub") == "sub-2.html"
    assert folder.name("index") == "index.html"  # free: the first to ask takes it (the run's index does)
    assert folder.name("index") == "index-2.html"
    tx.abort()


def test_an_output_may_not_be_in_an_input_folder_even_when_new(tmp_path):
    (tmp_path / "tpl").mkdir()
    tx = Transaction([tmp_path / "tpl"])
    with pytest.raises(OutputError, match="inside the input folder"):
        tx.file(tmp_path / "tpl" / "new.html", role="--report")
    with pytest.raises(OutputError, match="overwrite the input folder"):
        tx.folder(tmp_path / "tpl", role="--per-supplier-reports")
    with pytest.raises(OutputError, match="inside the input folder"):
        tx.folder(tmp_path / "tpl" / "reports", role="--per-supplier-reports")
    (tmp_path / "link").symlink_to(tmp_path / "tpl")
    with pytest.raises(OutputError, match="inside the input folder"):
        tx.file(tmp_path / "link" / "x.html", role="--report")


def test_staging_proves_every_output_writable_before_any_is_written(tmp_path, monkeypatch):
    import tempfile

    (tmp_path / "ro").mkdir()
    real = tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):  # noqa: A002
        if Path(dir) == tmp_path / "ro":
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    tx = Transaction([])
    tx.file(tmp_path / "a.csv", role="-o")
    tx.file(tmp_path / "ro" / "p.html", role="--report")
    with pytest.raises(OutputError, match="Permission denied"):
        tx.begin()
    assert _names(tmp_path) == ["ro"]


# --- temporaries of ours ---------------------------------------------------------------------------


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporaries_of_ours_are_removed_and_nothing_else(tmp_path):
    dead = _dead_pid()
    ours = _prefix(tmp_path / "out.csv").replace(f"-{os.getpid()}.", f"-{dead}.")
    stale_file = tmp_path / f"{ours}abcd1234.tmp"
    stale_file.write_bytes(b"x" * 1000)
    stale_folder = tmp_path / f"{_prefix(tmp_path / 'reps').replace(f'-{os.getpid()}.', f'-{dead}.')}zz99yy88.tmp"
    stale_folder.mkdir()
    (stale_folder / "a.html").write_text("a")
    live = tmp_path / f"{_prefix(tmp_path / 'out.csv').replace(f'-{os.getpid()}.', f'-{os.getppid()}.')}live0000.tmp"
    live.write_text("a live process's")
    other_host = tmp_path / f".out.csv.match-ffffff-{dead}.abcd1234.tmp"
    other_host.write_text("another machine's")
    legacy_new = tmp_path / ".out.csv.k3j4h5g6.tmp"
    legacy_new.write_text("an older release's, still young")
    legacy_old = tmp_path / ".out.csv.a1b2c3d4.tmp"
    legacy_old.write_text("an older release's, abandoned")
    os.utime(legacy_old, (1, 1))
    mine = tmp_path / ".out.csv.notes.txt"
    mine.write_text("the user's")
    removed = clean_stale_temporaries(tmp_path, ["out.csv", "reps"])
    assert sorted(removed) == sorted([stale_file, stale_folder, legacy_old])
    assert _names(tmp_path) == sorted(p.name for p in (live, other_host, legacy_new, mine))


def test_a_later_run_cleans_what_a_killed_run_left(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_csv(tmp_path / "s.csv", GOOD)
    dead = _dead_pid()
    left = tmp_path / _prefix(tmp_path / "out.csv").replace(f"-{os.getpid()}.", f"-{dead}.")
    left = left.with_name(left.name + "q1w2e3r4.tmp")
    left.write_bytes(b"x" * (1 << 20))
    result = CliRunner().invoke(main, ["s.csv", "-o", "out.csv"])
    assert result.exit_code == 0, result.stderr
    assert _names(tmp_path) == ["out.csv", "s.csv"]


# --- signals -----------------------------------------------------------------------------------------

_STOP_RUN = textwrap.dedent("""
    import os, signal, sys
    stop = getattr(signal, sys.argv[1])
    from recommender.suppliers import frame, run
    run.CHUNK_ROWS = 2
    real = frame.FrameScorer.score
    calls = []
    def score(self, df, *, top=5):
        calls.append(1)
        if len(calls) == 2:
            os.kill(os.getpid(), stop)
        return real(self, df, top=top)
    frame.FrameScorer.score = score
    from recommender.cli import main
    sys.argv = ["match", *sys.argv[2:]]
    main()
""")


@pytest.mark.parametrize("name,code", [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)])
def test_a_signal_mid_run_keeps_earlier_files_and_leaves_no_temporary(tmp_path, name, code):
    write_csv(tmp_path / "s.csv", GOOD * 3)
    (tmp_path / "out.csv").write_text("OLD\n")
    (tmp_path / "reps").mkdir()
    (tmp_path / "reps" / "index.html").write_text("old index")
    proc = subprocess.run([sys.executable, "-c", _STOP_RUN, name, "s.csv", "-o", "out.csv", "--report", "p.html",
                           "--per-supplier-reports", "reps", "--errors", "e.csv"],
                          cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "MATCH_CACHE_DIR": ""})
    assert proc.returncode == code, proc.stderr
    assert proc.stderr.strip().endswith("match: interrupted; no earlier file was changed"), proc.stderr
    assert _names(tmp_path) == ["out.csv", "reps", "s.csv"]
    assert (tmp_path / "out.csv").read_text() == "OLD\n"
    assert _names(tmp_path / "reps") == ["index.html"]


def test_signals_wait_while_a_commit_moves_files(tmp_path):
    got = []
    previous = signal.getsignal(signal.SIGTERM)
    with deferred_signals() as held:
        os.kill(os.getpid(), signal.SIGTERM)
        got.append("still running")
    assert got == ["still running"] and held == [signal.SIGTERM]
    assert signal.getsignal(signal.SIGTERM) is previous


# --- the run as a whole ---------------------------------------------------------------------------------


def test_a_supplier_named_like_another_output_gets_its_own_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = [list(GOOD[0]), list(GOOD[1])]
    rows[0][0], rows[0][1] = "", "portfolio"
    rows[1][0], rows[1][1] = "", "index"
    write_csv(tmp_path / "s.csv", rows, header=HEADER)
    (tmp_path / "reps").mkdir()
    result = CliRunner().invoke(main, ["s.csv", "-o", "reps/out.csv", "--report", "reps/portfolio.html",
                                       "--per-supplier-reports", "reps"])
    assert result.exit_code == 0, result.stderr
    assert _names(tmp_path / "reps") == ["index-2.html", "index.html", "out.csv", "portfolio-2.html",
                                         "portfolio.html"]
    index = BeautifulSoup((tmp_path / "reps" / "index.html").read_text(), "html.parser")
    assert sorted(a["href"] for a in index.select("#supplier-table a")) == ["index-2.html", "portfolio-2.html"]
    portfolio = BeautifulSoup((tmp_path / "reps" / "portfolio.html").read_text(), "html.parser")
    assert portfolio.select_one("#suppliers-scored") is not None


def test_reports_never_replace_an_input_in_their_folder(tmp_path, monkeypatch):
    """--per-supplier-reports . with an input file named like a report: the report moves aside."""
    monkeypatch.chdir(tmp_path)
    rows = [list(GOOD[0])]
    rows[0][0], rows[0][1] = "", "logo"
    write_csv(tmp_path / "s.csv", rows, header=HEADER)
    (tmp_path / "logo.html").write_bytes(b"\x89PNG\r\n\x1a\n0000")  # an odd name for a logo, but an input
    os.rename(tmp_path / "logo.html", tmp_path / "logo.png")
    (tmp_path / "logo.html").symlink_to("logo.png")
    result = CliRunner().invoke(main, ["s.csv", "-o", "out.csv", "--logo", "logo.png", "--per-supplier-reports", "."])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "logo.html").is_symlink() and (tmp_path / "logo-2.html").is_file()
    assert (tmp_path / "logo.png").read_bytes().startswith(b"\x89PNG")
