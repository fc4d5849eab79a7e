"""Stage 6: a `Result` as a report (HTML, Markdown, JSON, PDF) and the supplier-list pages.

`render` and friends are pure functions from a result to a string; `build_context` makes the
documented `ReportContext` every template receives (its view classes are re-exported here);
`pdf.html_to_pdf` prints a rendered page with Chromium; `portfolio` renders the portfolio
report and the supplier index.
"""

from .context import (
    Advice,
    AlsoView,
    Bar,
    Card,
    CloseFitView,
    ComponentPart,
    ComponentWeight,
    CoverageStepView,
    CoverageView,
    CoveredIssue,
    ExcludedView,
    Fact,
    FirstShare,
    HeatCell,
    Heatmap,
    HeatRow,
    IssueView,
    LinkView,
    NoteGroup,
    ReportContext,
    RobustnessView,
    SourceView,
    StabilityView,
    build_context,
)
from .render import FORMATS, ReportOptions, render, render_html, render_json, render_markdown

__all__ = [
    "FORMATS", "ReportOptions", "render", "render_html", "render_json", "render_markdown", "build_context",
    "ReportContext", "Advice", "AlsoView", "Bar", "Card", "CloseFitView", "ComponentPart", "ComponentWeight",
    "CoveredIssue", "CoverageStepView", "CoverageView", "ExcludedView", "Fact", "FirstShare", "HeatCell",
    "Heatmap", "HeatRow", "IssueView", "LinkView", "NoteGroup", "RobustnessView", "SourceView", "StabilityView",
]
