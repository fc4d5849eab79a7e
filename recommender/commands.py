"""What each CLI command does, without click: load, recommend, render, write.

Each function returns an exit code and reports through the ``echo`` callable it is given,
so the CLI stays a thin layer and these stay testable.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .catalogue import Catalogue, load_catalogue
from .errors import InputError, OutputError
from .loading import source_date_epoch
from .output import Transaction, check_not_input, logo_data_uri

__all__ = [
    "RunOptions", "run_single", "run_batch", "list_catalogue", "list_taxonomy", "load_weights_option",
    "run_evaluate", "run_learn", "EXIT_BELOW_THRESHOLD",
]

#: Exit code of `match evaluate` when a metric is below its threshold.
EXIT_BELOW_THRESHOLD = 4

Echo = Callable[..., None]
_SUFFIX_FORMAT = {".html": "html", ".htm": "html", ".json": "json", ".md": "md", ".pdf": "pdf",
                  ".csv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl",
                  ".parquet": "parquet", ".pq": "parquet"}


@dataclass(frozen=True)
class RunOptions:
    """Every option of `match PROFILE`, as the CLI parsed it."""

    output: str | None = None
    fmt: str | None = None
    top: int = 5
    catalogue_dir: Path | None = None
    weights_file: Path | None = None
    title: str | None = None
    prepared_by: str | None = None
    logo: Path | None = None
    templates: Path | None = None
    date: _dt.date | None = None
    stale_after: float = 3.0
    portfolio_report: Path | None = None
    per_supplier_reports: Path | None = None
    portfolio_size: int = 3
    errors_file: Path | None = None
    what_if: bool = False
    notes: bool = False
    columns_file: Path | None = None


def run_inputs(options: RunOptions, *paths: Path) -> list[Path]:
    """Every input file and folder of a run (``paths`` plus the option files and the catalogue
    and template folders, packaged ones included): no output may be one or lie inside one."""
    from .catalogue import _package_dir, default_catalogue_dir

    return [p for p in (*paths, options.catalogue_dir or default_catalogue_dir(), options.weights_file,
                        options.logo, options.templates, options.columns_file,
                        _package_dir("reports")) if p is not None]


def _catalogue(options: RunOptions) -> Catalogue:
    return load_catalogue(options.catalogue_dir)


def load_weights_option(path: Path | None):
    """The weights from a `match learn` file, or None for the defaults."""
    if path is None:
        return None
    from .weights import load_weights

    return load_weights(path)


def report_options(options: RunOptions):
    """`ReportOptions` from the CLI options (logo embedded as a data URI)."""
    from .report.render import ReportOptions

    if options.date is None:
        source_date_epoch()  # a bad SOURCE_DATE_EPOCH is bad input, named as such
    if options.templates is not None and not Path(options.templates).is_dir():
        raise InputError("no such templates folder" if not Path(options.templates).exists() else "is not a folder",
                         source=str(options.templates),
                         hint="--templates takes a folder of Jinja2 templates that override the packaged ones")
    return ReportOptions(
        title=options.title,
        prepared_by=options.prepared_by,
        logo=logo_data_uri(options.logo) if options.logo else None,
        templates=str(options.templates) if options.templates else None,
        date=options.date,
        stale_after_years=options.stale_after,
        notes=options.notes,
        portfolio=str(options.portfolio_report) if options.portfolio_report else None,
        supplier_reports=str(options.per_supplier_reports) if options.per_supplier_reports else None,
    )


def _single_format(options: RunOptions) -> str:
    fmt = options.fmt
    if fmt is None and options.output not in (None, "-"):
        fmt = _SUFFIX_FORMAT.get(Path(options.output).suffix.lower())
    fmt = fmt or ("json" if options.output == "-" else "html")
    if fmt in ("csv", "xlsx", "jsonl", "parquet"):
        raise OutputError(f"--format {fmt} is for supplier lists; a single profile renders as html, json, md or pdf")
    return fmt


def run_single(profile: Path, options: RunOptions, *, echo: Echo) -> int:
    """`match PROFILE.yaml`: recommend, render and write one report."""
    from .core.recommend import recommend
    from .output import stdout_handle
    from .report.render import render

    fmt = _single_format(options)
    # The output is planned and checked against every input before anything is computed.
    tx = Transaction(run_inputs(options, profile))
    target = None
    if options.output == "-":
        stdout_handle(binary=fmt == "pdf")
    else:
        target = tx.file(Path(options.output) if options.output else Path.cwd() / f"{profile.stem}.{fmt}",
                         role="-o")
    catalogue = _catalogue(options)
    weights = load_weights_option(options.weights_file)
    ropts = report_options(options)
    analyses = ("stability", "what_if") if options.what_if else ("stability",)
    result = recommend(profile, catalogue=catalogue, top=options.top, weights=weights, analyses=analyses)
    if fmt == "pdf":
        from .report.pdf import html_to_pdf
        from .report.render import render_html

        data: str | bytes = html_to_pdf(render_html(result, ropts))
    else:
        data = render(result, fmt, ropts)
    if options.what_if:
        for line in result.extras.get("what_if", {}).get("sentences", []):
            echo(f"what-if: {line}", err=True)
    if target is None:
        if isinstance(data, bytes):
            out = stdout_handle(binary=True)
            out.write(data)
            out.flush()
        else:
            echo(data, nl=False)
        return 0
    with tx.begin():
        tx.fh(target).write(data.encode("utf-8") if isinstance(data, str) else data)
        tx.commit()
    echo(str(target))
    return 0


def run_batch(path: Path, options: RunOptions, *, echo: Echo) -> int:
    """`match suppliers.csv`: shortlists for every row, optional portfolio and per-supplier reports."""
    from .suppliers.run import run_batch_command

    return run_batch_command(path, options, catalogue=_catalogue(options), echo=echo)


def list_catalogue(catalogue_dir: Path | None, fmt: str, *, stale_after: float = 3.0,
                   today: _dt.date | None = None) -> str:
    """The catalogue as a plain-text table or as JSON: status, participants, sectors, countries,
    core issues, and whether its facts are older than ``stale_after`` years."""
    from .countries import country_name
    from .report.render import ReportOptions, report_date

    cat = load_catalogue(catalogue_dir)
    day = today or source_date_epoch() or report_date(ReportOptions())
    limit = day.replace(year=day.year - int(stale_after)) - _dt.timedelta(days=round((stale_after % 1) * 365.25))
    rows = []
    for i in cat:
        newest = max([i.status.as_of, *(s.as_of for s in i.sources)])
        rows.append({
            "id": i.id,
            "name": i.display_name,
            "status": {"state": i.status.state, "as_of": i.status.as_of.isoformat(),
                       **({"successor": i.status.successor} if i.status.successor else {})},
            "established": i.established,
            "participants": list(i.participants),
            "countries": list(i.countries),
            "sectors": list(i.sectors),
            "issues": dict(i.issues),
            "offers": dict(i.offers),
            "url": i.url,
            "newest_source": newest.isoformat(),
            "stale": newest < limit,
        })
    if fmt == "json":
        return json.dumps({"catalogue": cat.describe(), "stale_after_years": stale_after, "initiatives": rows},
                          indent=2) + "\n"
    tax = cat.taxonomy
    lines = [f"{cat.meta.name} {cat.meta.version}: {len(cat)} initiatives "
             f"(facts older than {stale_after:g} years flagged)", ""]
    for r in rows:
        where = "worldwide" if r["countries"] == ["global"] else ", ".join(country_name(c) for c in r["countries"])
        core = [k for k, v in r["issues"].items() if v == 3]
        state = r["status"]["state"].replace("_", " ")
        flag = f"  STALE: newest source {r['newest_source']}" if r["stale"] else ""
        lines.append(f"{r['id']:<24} {r['name']}")
        lines.append(f"{'':<24} status: {state} (as of {r['status']['as_of']}){flag}")
        lines.append(f"{'':<24} for {'/'.join(r['participants'])}; "
                     f"sectors: {', '.join(tax.label('sectors', s) for s in r['sectors'])}")
        lines.append(f"{'':<24} countries: {where}")
        lines.append(f"{'':<24} core: {', '.join(core) or '-'}")
    return "\n".join(lines) + "\n"


def list_taxonomy(catalogue_dir: Path | None) -> str:
    """Every valid key of the taxonomy, with label and aliases."""
    from .datasets import STAGES

    tax = load_catalogue(catalogue_dir).taxonomy
    lines = []
    for section, title in (("sectors", "sectors"), ("issues", "issues"), ("approaches", "approaches (prefers:)"),
                           ("offers", "offers (wants:)")):
        lines.append(f"{title}:")
        for key, entry in getattr(tax, section).items():
            alias = f"  (also: {', '.join(entry.aliases)})" if entry.aliases else ""
            lines.append(f"  {key:<30} {entry.label}{alias}")
        lines.append("")
    lines.append("stages (stage:):")
    lines.extend(f"  {key}" for key in STAGES)
    lines.append("")
    return "\n".join(lines)


def run_evaluate(
    cases: Path,
    *,
    catalogue_dir: Path | None,
    weights_file: Path | None,
    split: str,
    thresholds: dict[str, float | None],
    fmt: str,
    echo: Echo,
) -> int:
    """`match evaluate CASES.yaml`: print the evaluation; `EXIT_BELOW_THRESHOLD` if a metric falls short."""
    from .analysis.evaluate import evaluate, format_evaluation

    weights = load_weights_option(weights_file)
    ev = evaluate(cases, catalogue=catalogue_dir, weights=weights, split=split)
    if fmt == "json":
        echo(json.dumps(ev.to_dict(thresholds), indent=2))
    else:
        echo(format_evaluation(ev, thresholds), nl=False)
    return EXIT_BELOW_THRESHOLD if ev.below(thresholds) else 0


def run_learn(
    sources: Path | Sequence[Path],
    *,
    output: Path,
    catalogue_dir: Path | None,
    weights_file: Path | None,
    cases: Path | None,
    echo: Echo,
) -> int:
    """`match learn FEEDBACK.csv -o weights.yaml`: fit, write, and compare on the held-out cases."""
    from .analysis.evaluate import evaluate, load_cases
    from .analysis.learn import learn
    from .models import COMPONENTS
    from .weights import save_weights

    catalogue = load_catalogue(catalogue_dir)
    base = load_weights_option(weights_file)
    files = [Path(sources)] if isinstance(sources, (str, Path)) else [Path(p) for p in sources]
    check_not_input(output, [p for p in (*files, cases, weights_file) if p is not None])
    yaml_files = [p for p in files if p.suffix.lower() in (".yaml", ".yml")]
    if yaml_files and len(yaml_files) < len(files):
        raise InputError("give either labelled cases (YAML) or feedback (CSV), not both",
                         hint="match learn cases.yaml more-cases.yaml -o weights.yaml")
    if len(files) > 1 and not yaml_files:
        raise InputError("give one feedback file", hint="join the CSV files first")
    feedback = files[0]
    if yaml_files:
        # Labelled cases: fit on their dev split, cross-validated, and compare on the held-out ones.
        from .analysis.learn import learn_from_cases

        labelled = [c for p in files for c in load_cases(p, catalogue=catalogue)]
        learnt, table = learn_from_cases(labelled, catalogue=catalogue, base=base)
        echo(f"{learnt.used} dev cases; cross-validated (5 folds x 3 repeats) over C and the undocumented discount:")
        echo(f"  {'C':>6} {'undoc.':>6} {'hit@1':>6} {'MRR':>6} {'top-3':>6}")
        for row in table[:8]:
            echo(f"  {row['C']:>6g} {row['undocumented']:>6.2f} {row['hit1']:>6.3f} {row['mrr']:>6.3f} "
                 f"{row['top3']:>6.3f}")
        echo(f"  chosen: C={learnt.learner.C:g}, undocumented={learnt.weights.undocumented:g} "
             "(the most regularised setting within 0.005 of the best)")
    else:
        labelled = load_cases(cases, catalogue=catalogue) if cases is not None else None
        learnt = learn(feedback, catalogue=catalogue, base=base)
        echo(f"{learnt.used} feedback records used ({learnt.accepted} accepted), {len(learnt.skipped)} skipped")
        for s in learnt.skipped:
            echo(f"  skipped row {s.row} ({s.initiative}): {s.reason}")
    before = base if base is not None else catalogue.weights
    echo("")
    echo(f"{'component':<11} {'before':>7} {'learnt':>7}")
    for c in COMPONENTS:
        echo(f"{c:<11} {getattr(before, c):>7.3f} {getattr(learnt.weights, c):>7.3f}")
    if labelled is not None:
        held = [c for c in labelled if c.split == "heldout"]
        if held:
            echo("")
            echo(f"held-out cases ({len(held)})  hit@1  top-3    MRR nDCG@5 violations")
            shown = lambda v: "   n/a" if v is None else f"{v:6.3f}"  # noqa: E731
            for name, w in (("before", base), ("after", learnt.weights)):
                m = evaluate(held, catalogue=catalogue, weights=w, split="heldout").overall
                assert m is not None
                echo(f"  {name:<18}{shown(m.hit1)} {shown(m.top3_recall)} {shown(m.mrr)} {shown(m.ndcg5)} "
                     f"{m.violations:>10}")
        else:
            echo("(the cases file has no held-out cases to compare on)")
    save_weights(output, learnt.weights, provenance=learnt.provenance)
    echo("")
    echo(f"wrote {output}")
    return 0
