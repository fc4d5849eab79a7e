"""The `match` command: a thin click layer over the library.

Exit codes: 0 success; 2 bad input or usage; 1 anything else; 3 a batch finished but some
rows failed (see the errors file); 4 `match evaluate` found a metric below its threshold.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .errors import MatchError, printable

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT, EXIT_ROWS_FAILED = 0, 1, 2, 3
BATCH_SUFFIXES = (".csv", ".xlsx", ".parquet", ".tsv")


class _DefaultGroup(click.Group):
    """A group whose first argument, when not a subcommand, goes to the default command."""

    default_command = "run"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage("match", "PROFILE.yaml|SUPPLIERS.csv [OPTIONS]  |  match COMMAND [ARGS]")


def _fail(exc: MatchError) -> None:
    click.echo(f"match: error: {exc.describe()}", err=True)
    sys.exit(exc.exit_code)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one line on stderr and an exit code; --debug shows tracebacks."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.get("debug", False) or os.environ.get("MATCH_DEBUG") == "1"
        try:
            return func(*args, **kwargs)
        except MatchError as exc:
            if debug:
                traceback.print_exc()
            _fail(exc)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except KeyboardInterrupt:
            click.echo("match: interrupted; no output was written", err=True)
            sys.exit(130)
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
@click.option("-f", "--format", "fmt", type=click.Choice(["html", "json", "md", "pdf", "csv", "xlsx", "jsonl"]),
              default=None, help="Output format (default: from the -o suffix, else html).")
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
@click.option("--what-if", "what_if", is_flag=True,
    help="Also print the smallest change that would change the first choice.")
@debug_option
@handle_errors
def run(profile: Path, output: str | None, fmt: str | None, top: int, catalogue_dir: Path | None,
        weights_file: Path | None, title: str | None, prepared_by: str | None, logo: Path | None,
        templates: Path | None, date_text: str | None, stale_after: float, portfolio_report: Path | None,
        per_supplier_reports: Path | None, portfolio_size: int, errors_file: Path | None,
        what_if: bool, debug: bool) -> None:
    """Score PROFILE (YAML) — or a supplier list (CSV/XLSX/Parquet) — and write the result."""
    from . import commands
    from .output import check_not_input

    inputs = [p for p in (profile, catalogue_dir, weights_file, logo, templates) if p is not None]
    for target in (output, portfolio_report, errors_file):
        if target not in (None, "-"):
            check_not_input(target, inputs)
    options = commands.RunOptions(
        output=output, fmt=fmt, top=top, catalogue_dir=catalogue_dir, weights_file=weights_file,
        title=title, prepared_by=prepared_by, logo=logo, templates=templates, date=_date(date_text),
        stale_after=stale_after, portfolio_report=portfolio_report,
        per_supplier_reports=per_supplier_reports, portfolio_size=portfolio_size,
        errors_file=errors_file, what_if=what_if,
    )
    if profile.suffix.lower() in BATCH_SUFFIXES:
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
@click.option("--split", type=click.Choice(["dev", "heldout", "all"]), default="all", show_default=True,
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
