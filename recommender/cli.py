"""The `match` command: a thin click layer over the library.

Exit codes: 0 success; 2 bad input or usage; 1 anything else; 3 a batch finished but some
rows failed (see the errors file); 4 `match evaluate` found a metric below its threshold.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import os
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .errors import MatchError, printable

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT, EXIT_ROWS_FAILED = 0, 1, 2, 3


class _DefaultGroup(click.Group):
    """A group whose first argument, when not a subcommand, goes to the default command."""

    default_command = "run"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage("match", "PROFILE.yaml|SUPPLIERS.csv [OPTIONS]  |  match COMMAND [ARGS]")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """`match --help` lists the main command's options first, then the commands."""
        command = self.commands.get(self.default_command)
        if command is not None:
            shown = [p for p in command.get_params(ctx) if isinstance(p, click.Option) and not p.name.endswith("help")]
            rows = [r for p in shown if (r := p.get_help_record(ctx)) is not None]
            with formatter.section("Options (match PROFILE.yaml or SUPPLIERS.csv)"):
                formatter.write_dl(rows)
        super().format_options(ctx, formatter)


#: Options that only apply to a supplier list, and those that only apply to a single profile.
BATCH_ONLY = {"portfolio_report": "--report", "per_supplier_reports": "--per-supplier-reports",
              "portfolio_size": "--portfolio-size", "errors_file": "--errors", "columns_file": "--columns"}
SINGLE_ONLY = {"what_if": "--what-if"}


def _check_options_apply(ctx: click.Context, path: Path, batch: bool) -> None:
    """Options given for the other kind of input are a usage error (exit 2) naming the input type."""

    def given(name: str) -> bool:
        source = ctx.get_parameter_source(name)
        return source is not None and source != click.core.ParameterSource.DEFAULT

    if batch:
        wrong = [flag for name, flag in SINGLE_ONLY.items() if given(name)]
        if wrong:
            raise click.UsageError(f"{', '.join(wrong)} is for a single profile (YAML); {path.name} is a supplier "
                                   "list (CSV, TSV, XLSX or Parquet)", ctx=ctx)
        if given("notes") and not given("per_supplier_reports"):
            raise click.UsageError(f"--notes adds the consultant notes to a report; for the supplier list "
                                   f"{path.name} it needs --per-supplier-reports", ctx=ctx)
    else:
        wrong = [flag for name, flag in BATCH_ONLY.items() if given(name)]
        if wrong:
            noun = "is" if len(wrong) == 1 else "are"
            raise click.UsageError(f"{', '.join(wrong)} {noun} for supplier lists (CSV, TSV, XLSX or Parquet); "
                                   f"{path.name} is a single profile (YAML)", ctx=ctx)


def _fail(exc: MatchError) -> None:
    click.echo(f"match: error: {exc.describe()}", err=True)
    sys.exit(exc.exit_code)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one line on stderr and an exit code; --debug shows tracebacks."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.get("debug", False) or os.environ.get("MATCH_DEBUG") == "1"
        try:
            with _stop_signals_interrupt():
                return func(*args, **kwargs)
        except MatchError as exc:
            if debug:
                traceback.print_exc()
            _fail(exc)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except KeyboardInterrupt as exc:
            click.echo("match: interrupted; no earlier file was changed", err=True)
            sys.exit(128 + getattr(exc, "signum", signal.SIGINT))
        except BrokenPipeError:  # `match … -o - | head`: the reader left; nothing to report
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_ERROR)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if debug:
                traceback.print_exc()
            click.echo(
                f"match: internal error: {type(exc).__name__}: {printable(str(exc))} (run with --debug for details)",
                err=True,
            )
            sys.exit(EXIT_ERROR)

    return wrapper


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where SIGINT raises KeyboardInterrupt, so that a stopped run
    unwinds the same way: its staged outputs are dropped and earlier files stay as they were."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextlib.contextmanager
def _stop_signals_interrupt() -> Any:
    """SIGTERM and SIGHUP raise `Interrupted` while a command runs (main thread only)."""
    previous: dict[int, Any] = {}

    def stop(signum: int, frame: Any) -> None:
        raise Interrupted(signum)

    try:
        for name in ("SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)
            if sig is not None:
                previous[sig] = signal.signal(sig, stop)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def catalogue_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--catalogue DIR, shared by every command."""
    return click.option(
        "--catalogue",
        "catalogue_dir",
        type=click.Path(path_type=Path),
        default=None,
        help="Folder of initiative YAML files to use instead of the packaged catalogue.",
    )(func)


def debug_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--debug, shared by every command."""
    return click.option("--debug", is_flag=True, help="Show a full traceback on errors.")(func)


def weights_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--weights FILE, shared by commands that score."""
    return click.option(
        "--weights",
        "weights_file",
        type=click.Path(path_type=Path),
        default=None,
        help="Weights file written by `match learn` (default: the built-in weights).",
    )(func)


def _date(value: str | None) -> _dt.date | None:
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD, e.g. 2026-11-25", param_hint="--date") from None


@click.group(cls=_DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="beyond-audit-match", prog_name="match")
def main() -> None:
    """Match a factory or brand to beyond-audit improvement programmes.

    \b
      match profile.yaml                  HTML report next to you: profile.html
      match profile.yaml -o - --format json
      match suppliers.csv -o shortlists.csv --report portfolio.html
      match list                          the initiatives in the catalogue

    A profile is a short YAML file (see profiles/template.yaml). Exit codes: 0 success,
    2 bad input or usage, 1 other errors, 3 a batch where some rows failed, 4 a metric
    of `match evaluate` below its threshold.
    """


@main.command("run")
@click.argument("profile", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=str, default=None,
              help="Output file, or - for standard output. Default: <profile stem>.<format> here.")
@click.option("-f", "--format", "fmt",
              type=click.Choice(["html", "json", "md", "pdf", "csv", "xlsx", "jsonl", "parquet"]), default=None,
              help="Output format (default: from the -o suffix, else html).")
@click.option("--top", type=click.IntRange(1, 50), default=5, show_default=True, help="Shortlist length.")
@catalogue_option
@weights_option
@click.option("--title", default=None, help="Report title.")
@click.option("--prepared-by", default=None, help="Author line on the report cover.")
@click.option("--logo", type=click.Path(path_type=Path), default=None, help="PNG/JPEG/GIF/SVG logo to embed.")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder of Jinja2 templates that override the packaged ones.")
@click.option("--date", "date_text", default=None, help="Date printed on the report (YYYY-MM-DD); "
              "default SOURCE_DATE_EPOCH, else today.")
@click.option("--stale-after", type=click.FloatRange(0, 100), default=3.0, show_default=True,
              help="Flag sources older than this many years as possibly stale.")
@click.option("--report", "portfolio_report", type=click.Path(path_type=Path), default=None,
              help="Batch only: write the portfolio report (HTML) here.")
@click.option("--per-supplier-reports", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Batch only: write one report per supplier, plus index.html, into this folder.")
@click.option("--portfolio-size", type=click.IntRange(1, 15), default=3, show_default=True,
              help="Batch only: how many initiatives the recommended portfolio holds.")
@click.option("--errors", "errors_file", type=click.Path(path_type=Path), default=None,
              help="Batch only: where failed rows go (default: <output stem>.errors.csv).")
@click.option("--columns", "columns_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Batch only: a column map (YAML lines `field: header`) for a list in any other layout.")
@click.option("--what-if", "what_if", is_flag=True,
    help="Single profile only: also print the smallest change that would change the first choice.")
@click.option("--notes", is_flag=True,
              help="Add the consultant-notes appendix (how facts were established; not for clients).")
@debug_option
@handle_errors
def run(profile: Path, output: str | None, fmt: str | None, top: int, catalogue_dir: Path | None,
        weights_file: Path | None, title: str | None, prepared_by: str | None, logo: Path | None,
        templates: Path | None, date_text: str | None, stale_after: float, portfolio_report: Path | None,
        per_supplier_reports: Path | None, portfolio_size: int, errors_file: Path | None,
        columns_file: Path | None, what_if: bool, notes: bool, debug: bool) -> None:
    """Score PROFILE (YAML) — or a supplier list (CSV/XLSX/Parquet) — and write the result."""
    from . import commands
    from .suppliers.formats import is_supplier_list

    options = commands.RunOptions(
        output=output, fmt=fmt, top=top, catalogue_dir=catalogue_dir, weights_file=weights_file,
        title=title, prepared_by=prepared_by, logo=logo, templates=templates, date=_date(date_text),
        stale_after=stale_after, portfolio_report=portfolio_report,
        per_supplier_reports=per_supplier_reports, portfolio_size=portfolio_size,
        errors_file=errors_file, what_if=what_if, notes=notes, columns_file=columns_file,
    )
    batch = is_supplier_list(profile)
    _check_options_apply(click.get_current_context(), profile, batch)
    if batch:
        code = commands.run_batch(profile, options, echo=click.echo)
    else:
        code = commands.run_single(profile, options, echo=click.echo)
    sys.exit(code)


@main.command("list")
@catalogue_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Plain table or JSON.")
@click.option("--stale-after", type=click.FloatRange(0, 100), default=3.0, show_default=True,
              help="Flag initiatives whose newest status or source is older than this many years.")
@click.option("--date", "date_text", default=None, metavar="YYYY-MM-DD",
              help="The date staleness is measured from (default SOURCE_DATE_EPOCH, else today).")
@debug_option
@handle_errors
def list_command(catalogue_dir: Path | None, fmt: str, stale_after: float, date_text: str | None,
                 debug: bool) -> None:
    """List the initiatives in the catalogue: status, who, which sectors and countries, and stale facts."""
    from . import commands

    click.echo(commands.list_catalogue(catalogue_dir, fmt, stale_after=stale_after, today=_date(date_text)),
               nl=False)


@main.command("taxonomy")
@catalogue_option
@debug_option
@handle_errors
def taxonomy_command(catalogue_dir: Path | None, debug: bool) -> None:
    """List every valid sector, issue and approach key with its label and aliases."""
    from . import commands

    click.echo(commands.list_taxonomy(catalogue_dir), nl=False)


@main.command("evaluate")
@click.argument("cases", type=click.Path(path_type=Path))
@catalogue_option
@weights_option
@click.option("--split", type=click.Choice(["dev", "heldout", "blind", "all"]), default="all", show_default=True,
              help="Which cases to run; thresholds apply to these cases together.")
@click.option("--min-hit1", type=click.FloatRange(0, 1), default=None,
              help="Fail (exit 4) when hit@1 is below this.")
@click.option("--min-top3", type=click.FloatRange(0, 1), default=None,
              help="Fail (exit 4) when top-3 recall is below this.")
@click.option("--min-mrr", type=click.FloatRange(0, 1), default=None,
              help="Fail (exit 4) when the mean reciprocal rank is below this.")
@click.option("--min-ndcg", type=click.FloatRange(0, 1), default=None,
              help="Fail (exit 4) when nDCG@5 is below this.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Plain-text report or JSON.")
@debug_option
@handle_errors
def evaluate_command(cases: Path, catalogue_dir: Path | None, weights_file: Path | None, split: str,
                     min_hit1: float | None, min_top3: float | None, min_mrr: float | None,
                     min_ndcg: float | None, fmt: str, debug: bool) -> None:
    """Run labelled CASES (YAML) and report hit@1, top-3 recall, MRR, nDCG@5 and violations.

    Exit 0 when every threshold given is met, 4 when a metric is below its threshold,
    2 for bad input. See docs/evaluation.md.
    """
    from . import commands

    thresholds = {"hit1": min_hit1, "top3_recall": min_top3, "mrr": min_mrr, "ndcg5": min_ndcg}
    sys.exit(commands.run_evaluate(cases, catalogue_dir=catalogue_dir, weights_file=weights_file, split=split,
                                   thresholds=thresholds, fmt=fmt, echo=click.echo))


@main.command("learn")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Where to write the learnt weights file (YAML) for --weights.")
@click.option("--cases", type=click.Path(path_type=Path), default=None,
              help="Labelled cases: print the held-out evaluation before and after.")
@catalogue_option
@weights_option
@debug_option
@handle_errors
def learn_command(sources: tuple[Path, ...], output: Path, cases: Path | None, catalogue_dir: Path | None,
                  weights_file: Path | None, debug: bool) -> None:
    """Fit the component weights by pairwise learning to rank on SOURCES: a feedback CSV
    (profile, initiative, accepted/rejected), or labelled cases files (YAML; their dev cases,
    with regularisation and the undocumented discount chosen by cross-validation).

    Eligibility is never learnt: records for initiatives the profile cannot join are
    reported and skipped. With --weights, that file is the "before" and gives min_score.
    See docs/evaluation.md for the formats.
    """
    from . import commands

    sys.exit(commands.run_learn(sources, output=output, catalogue_dir=catalogue_dir, weights_file=weights_file,
                                cases=cases, echo=click.echo))


if __name__ == "__main__":  # pragma: no cover
    main()
