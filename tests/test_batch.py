"""`match suppliers.csv`: batch matching through the CLI, files in and out, bad rows, safety."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from recommender import load_catalogue, recommend
from recommender.cli import main
from recommender.suppliers.frame import row_profile
from recommender.suppliers.run import ERROR_COLUMNS, EXIT_ROWS_FAILED, OUTPUT_COLUMNS, Progress, read_chunks

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "profiles" / "suppliers-template.csv"
HEADER = ["id", "name", "kind", "country", "sourcing_countries", "sector", "workforce_size", "women_share",
          "migrant_share", "issues", "prefers", "memberships", "description"]

GOOD = [
    ["F1", "Dhaka Knit Ltd", "factory", "BD", "", "garment", "1200", "0.7", "", "womens_health:3;wages", "training",
     "", "Knit exporter; high absenteeism among women operators"],
    ["F2", "Ningbo Dye Mill", "factory", "China", "", "dyeing", "380", "", "0.6", "chemicals:3;water:2", "advisory",
     "", ""],
    ["B1", "Noordzee Denim", "brand", "NL", "BD;TR;IN", "apparel", "", "", "", "wages:3;purchasing_practices",
     "multi_stakeholder", "", ""],
]
BAD = [
    ["X1", "Typo Country Ltd", "factory", "Bangladsh", "", "garment", "", "", "", "wages", "", "", ""],
    ["X2", "Share As Percent", "factory", "VN", "", "footwear", "", "80", "", "working_hours", "", "", ""],
]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, sep: str = ",") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=sep)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], header: list[str] = HEADER) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Suppliers"
    sheet.append(header)
    for row in rows:
        sheet.append([_number(v) for v in row])
    book.save(path)
    return path


def _number(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        pass
    try:
        return float(value)
    except (TypeError, ValueError):
        return value or None


def run(args: list[str], cwd: Path):
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)


def read_output(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def expected_ids(row: list[str], top: int = 5) -> list[str]:
    result = recommend(row_profile(dict(zip(HEADER, row))), top=top)
    return [r.id for r in result.shortlist]


# --- CSV ------------------------------------------------------------------------------------


def test_csv_in_csv_out_matches_recommend(tmp_path):
    src = write_csv(tmp_path / "suppliers.csv", GOOD)
    res = run([str(src), "-o", "out.csv"], tmp_path)
    assert res.exit_code == 0, res.output
    out = read_output(tmp_path / "out.csv")
    assert tuple(out.columns) == OUTPUT_COLUMNS
    for row in GOOD:
        mine = out[out["supplier_id"] == row[0]]
        assert list(mine["initiative_id"]) == expected_ids(row)
        assert list(mine["rank"]) == [str(i) for i in range(1, len(mine) + 1)]
        assert set(mine["supplier_name"]) == {row[1]}
    assert not (tmp_path / "out.errors.csv").exists()


def test_template_file_runs_clean(tmp_path):
    res = run([str(TEMPLATE), "-o", "out.csv", "--top", "3"], tmp_path)
    assert res.exit_code == 0, res.output
    out = read_output(tmp_path / "out.csv")
    assert out["supplier_id"].nunique() == len(pd.read_csv(TEMPLATE))
    assert (out["rank"].replace("", "0").astype(int) <= 3).all()


def test_bad_rows_go_to_the_errors_file_and_exit_3(tmp_path):
    src = write_csv(tmp_path / "suppliers.csv", [GOOD[0], BAD[0], GOOD[1], BAD[1]])
    res = run([str(src), "-o", "out.csv"], tmp_path)
    assert res.exit_code == EXIT_ROWS_FAILED
    errors = read_output(tmp_path / "out.errors.csv")
    assert tuple(errors.columns) == ERROR_COLUMNS
    assert list(errors["row"]) == ["3", "5"]  # header = row 1
    assert list(errors["supplier_id"]) == ["X1", "X2"]
    assert "did you mean Bangladesh (BD)?" in errors["reason"][0]
    assert errors["field"][1] == "workforce.women_share" and "write 0.8 for 80 %" in errors["reason"][1]
    out = read_output(tmp_path / "out.csv")
    assert set(out["supplier_id"]) == {"F1", "F2"}
    assert "2 rows failed" in res.output


def test_errors_option_sets_the_errors_path(tmp_path):
    src = write_csv(tmp_path / "suppliers.csv", [GOOD[0], BAD[0]])
    res = run([str(src), "-o", "out.csv", "--errors", "problems.csv"], tmp_path)
    assert res.exit_code == EXIT_ROWS_FAILED
    assert (tmp_path / "problems.csv").exists()


def test_column_aliases_and_other_separators(tmp_path):
    header = ["Facility ID", "Facility Name", "Type", "Country Code", "Sourcing countries", "Industry", "Workers",
              "% women", "% migrants", "Priority issues", "Preferred approaches", "Member of", "Notes"]
    src = write_csv(tmp_path / "suppliers.csv", GOOD, header=header, sep=";")
    res = run([str(src), "-o", "out.csv"], tmp_path)
    assert res.exit_code == 0, res.output
    out = read_output(tmp_path / "out.csv")
    assert list(out[out["supplier_id"] == "F1"]["initiative_id"]) == expected_ids(GOOD[0])


def test_unknown_columns_are_reported_and_ignored(tmp_path):
    src = write_csv(tmp_path / "suppliers.csv", [r + ["Main street 1"] for r in GOOD], header=HEADER + ["Address"])
    res = run([str(src), "-o", "out.csv"], tmp_path)
    assert res.exit_code == 0
    assert "ignoring columns that are not profile fields: 'Address'" in res.output


def test_missing_required_column_is_exit_2_with_a_hint(tmp_path):
    header = [("countri" if h == "country" else h) for h in HEADER]
    src = write_csv(tmp_path / "suppliers.csv", GOOD, header=header)
    res = run([str(src), "-o", "out.csv"], tmp_path)
    assert res.exit_code == 2
    assert "missing required column: country" in res.output and "'countri' looks like country" in res.output
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.csv", b""), ("binary.xlsx", b"\x00\x01 not a zip"), ("only-header.csv", ",".join(HEADER).encode())],
)
def test_unreadable_files_are_exit_2(tmp_path, name, content):
    src = tmp_path / name
    src.write_bytes(content)
    res = run([str(src), "-o", "out.csv"], tmp_path)
    assert res.exit_code == 2, res.output
    assert "match: error:" in res.output
    assert [p.name for p in tmp_path.iterdir()] == [name]  # nothing written, no temp files


def test_ragged_csv_lines_are_bad_rows_with_their_row_number(tmp_path):
    src = tmp_path / "suppliers.csv"
    lines = [",".join(HEADER)] + [",".join(GOOD[0])] + [",".join(GOOD[1]) + ",extra"] + ["", ",".join(GOOD[2])]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run([str(src), "-o", "out.csv"], tmp_path)
    assert res.exit_code == EXIT_ROWS_FAILED
    errors = read_output(tmp_path / "out.errors.csv")
    assert list(errors["row"]) == ["3"] and "expected 13 fields, saw 14" in errors["reason"][0]
    out = read_output(tmp_path / "out.csv")
    assert dict(zip(out["supplier_id"], out["row"])) == {"F1": "2", "B1": "5"}  # blank row 4 skipped


def test_blank_lines_before_the_header_keep_row_numbers_right(tmp_path):
    src = tmp_path / "suppliers.csv"
    lines = ["", "", ",".join(HEADER), ",".join(GOOD[0]), ",".join(GOOD[1]) + ",extra", "", ",".join(BAD[0])]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run([str(src), "-o", "out.csv"], tmp_path)
    assert res.exit_code == EXIT_ROWS_FAILED
    errors = read_output(tmp_path / "out.errors.csv")
    assert sorted(errors["row"].astype(int)) == [5, 7]  # the ragged line, then the typo in row 7
    out = read_output(tmp_path / "out.csv")
    assert set(out["row"]) == {"4"}


def test_quoted_cells_with_commas_and_line_breaks(tmp_path):
    row = list(GOOD[1])
    row[1] = "Ningbo Dye Mill, Unit 2"
    row[12] = "Dyeing mill\nunder pressure to cut water use"
    src = write_csv(tmp_path / "suppliers.csv", [row, BAD[0]])
    res = run([str(src), "-o", "out.csv"], tmp_path)
    errors = read_output(tmp_path / "out.errors.csv")
    assert list(errors["row"]) == ["3"]
    out = read_output(tmp_path / "out.csv")
    assert set(out["supplier_name"]) == {"Ningbo Dye Mill, Unit 2"}
    assert res.exit_code == EXIT_ROWS_FAILED


def test_cp1252_csv_is_read(tmp_path):
    src = tmp_path / "suppliers.csv"
    text = ",".join(HEADER) + "\n" + ",".join(GOOD[0]).replace("Dhaka Knit Ltd", "Fjällspår Knit") + "\n"
    src.write_bytes(text.encode("cp1252"))
    res = run([str(src), "-o", "out.csv"], tmp_path)
    assert res.exit_code == 0, res.output
    assert read_output(tmp_path / "out.csv")["supplier_name"][0] == "Fjällspår Knit"


# --- other formats --------------------------------------------------------------------------


def test_xlsx_in_xlsx_out(tmp_path):
    src = write_xlsx(tmp_path / "suppliers.xlsx", GOOD + [BAD[0]])
    res = run([str(src), "-o", "out.xlsx"], tmp_path)
    assert res.exit_code == EXIT_ROWS_FAILED, res.output
    book = load_workbook(tmp_path / "out.xlsx", read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == OUTPUT_COLUMNS
    first = [r for r in rows[1:] if r[0] == "F1"]
    assert [r[3] for r in first] == expected_ids(GOOD[0])
    assert isinstance(first[0][2], int) and isinstance(first[0][5], float)
    assert read_output(tmp_path / "out.errors.csv")["row"].tolist() == ["5"]


def test_xlsx_numbers_and_gaps_keep_their_row_numbers(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([_number(v) for v in GOOD[0]])
    sheet.append([])
    sheet.append([_number(v) for v in BAD[0]])
    sheet.cell(row=6, column=1, value=12345)  # a numeric id
    for col, value in enumerate(GOOD[1][1:], start=2):
        sheet.cell(row=6, column=col, value=_number(value))
    book.save(tmp_path / "s.xlsx")
    frames = list(read_chunks(tmp_path / "s.xlsx"))
    assert list(frames[0].index) == [2, 4, 6]
    res = run([str(tmp_path / "s.xlsx"), "-o", "out.csv"], tmp_path)
    assert res.exit_code == EXIT_ROWS_FAILED
    out = read_output(tmp_path / "out.csv")
    assert set(out["supplier_id"]) == {"F1", "12345"}
    assert read_output(tmp_path / "out.errors.csv")["row"].tolist() == ["4"]


def test_jsonl_output(tmp_path):
    src = write_csv(tmp_path / "suppliers.csv", GOOD)
    res = run([str(src), "-o", "out.jsonl"], tmp_path)
    assert res.exit_code == 0
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert set(lines[0]) == set(OUTPUT_COLUMNS)
    assert [x["initiative_id"] for x in lines if x["supplier_id"] == "F2"] == expected_ids(GOOD[1])
    assert isinstance(lines[0]["rank"], int) and isinstance(lines[0]["score"], float)


# Names that JSON must escape, text a spreadsheet would run, a valid row that fits nothing.
AWKWARD = [
    ["Q1", 'Quote "Knit" \\ Back\tslash', "factory", "BD", "", "garment", "", "", "", "wages", "", "", ""],
    ["Q2", "=HYPERLINK(\"x\")", "factory", "VN", "", "footwear", "", "", "", "working_hours", "", "", ""],
    ["Q3", "Ünïcødé 工厂 \u2028 line", "factory", "CN", "", "electronics", "", "", "", "discrimination", "", "", ""],
    ["Q4", "-42", "factory", "IN", "", "garment", "", "", "", "childcare", "", "", ""],
]


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_jsonl_and_parquet_hold_the_csv_lines(tmp_path, suffix):
    """JSON Lines and Parquet carry the same lines as CSV: same values, with text as it is
    (only the CSV makes formulas harmless) and null where CSV has an empty cell."""
    src = write_csv(tmp_path / "suppliers.csv", GOOD + AWKWARD)
    assert run([str(src), "-o", "out.csv"], tmp_path).exit_code == 0
    assert run([str(src), "-o", f"out{suffix}"], tmp_path).exit_code == 0
    as_csv = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    if suffix == ".jsonl":
        # Split at line feeds only: U+2028 in a name is a line break to str.splitlines, not to JSON Lines.
        text = (tmp_path / "out.jsonl").read_bytes().decode("utf-8")
        assert text.endswith("\n")
        records = [json.loads(line) for line in text[:-1].split("\n")]
        assert all(list(r) == list(OUTPUT_COLUMNS) for r in records)
        other = pd.DataFrame(records, columns=list(OUTPUT_COLUMNS))
    else:
        other = pd.read_parquet(tmp_path / "out.parquet")
        assert list(other.columns) == list(OUTPUT_COLUMNS)
        assert str(other["rank"].dtype) == "int64" or other["rank"].isna().any()
    assert len(other) == len(as_csv)
    names = other["supplier_name"].tolist()
    assert 'Quote "Knit" \\ Back\tslash' in names and "=HYPERLINK(\"x\")" in names and "-42" in names
    assert "'=HYPERLINK(\"x\")" in as_csv["supplier_name"].tolist()  # CSV alone neutralises formulas
    assert "Ünïcødé 工厂 \u2028 line" in names
    for col in OUTPUT_COLUMNS:
        theirs = ["" if v is None or v != v else v for v in other[col].tolist()]
        if col in ("rank", "row"):
            theirs = [str(int(v)) if v != "" else "" for v in theirs]
        elif col == "score":
            theirs = [repr(float(v)) if v != "" else "" for v in theirs]
            assert theirs == ["" if v == "" else repr(float(v)) for v in as_csv[col]], col
            continue
        mine = [v[1:] if col == "supplier_name" and v.startswith("'=") else v for v in as_csv[col]]
        assert theirs == mine, col


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_a_supplier_nothing_fits_keeps_one_line_with_empty_rank_and_score(tmp_path, suffix):
    from .conftest import initiative, write_catalogue

    write_catalogue(tmp_path / "cat", [initiative("wages-only", issues={"wages": 3})])
    src = write_csv(tmp_path / "suppliers.csv", [GOOD[0], AWKWARD[3]])  # the second asks for childcare only
    res = run([str(src), "--catalogue", str(tmp_path / "cat"), "-o", f"out{suffix}"], tmp_path)
    assert res.exit_code == 0, res.output
    out = tmp_path / f"out{suffix}"
    if suffix == ".csv":
        lines = pd.read_csv(out, dtype=str, keep_default_na=False).replace("", None)
    elif suffix == ".jsonl":
        lines = pd.DataFrame([json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()])
    else:
        lines = pd.read_parquet(out)
    assert lines["supplier_id"].tolist() == ["F1", "Q4"]
    blank = lines.iloc[1]
    assert pd.isna(blank["rank"]) and pd.isna(blank["score"]) and pd.isna(blank["initiative_id"])
    assert blank["reasons"].startswith("no open initiative addresses")


def test_parquet_cannot_go_to_standard_output(tmp_path):
    src = write_csv(tmp_path / "suppliers.csv", GOOD[:1])
    res = run([str(src), "-o", "-", "--format", "parquet"], tmp_path)
    assert res.exit_code == 2 and "Parquet" in res.output and "-o FILE.parquet" in res.output


def test_stdout_output(tmp_path):
    src = write_csv(tmp_path / "suppliers.csv", GOOD[:1])
    res = subprocess.run([sys.executable, "-m", "recommender.cli", str(src), "-o", "-", "--format", "jsonl"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert [json.loads(x)["initiative_id"] for x in res.stdout.splitlines()] == expected_ids(GOOD[0])
    assert "1 supplier scored" in res.stderr


def test_parquet_input(tmp_path):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame(GOOD + [BAD[0]], columns=HEADER)
    frame["workforce_size"] = pd.to_numeric(frame["workforce_size"]).astype("Int64")
    frame.to_parquet(tmp_path / "suppliers.parquet")
    res = run([str(tmp_path / "suppliers.parquet"), "-o", "out.csv"], tmp_path)
    assert res.exit_code == EXIT_ROWS_FAILED
    out = read_output(tmp_path / "out.csv")
    assert list(out[out["supplier_id"] == "F1"]["initiative_id"]) == expected_ids(GOOD[0])
    assert read_output(tmp_path / "out.errors.csv")["row"].tolist() == ["5"]


def test_unknown_output_format_is_refused(tmp_path):
    src = write_csv(tmp_path / "suppliers.csv", GOOD)
    res = run([str(src), "-o", "out.html"], tmp_path)
    assert res.exit_code == 2 and "--report" in res.output


# --- safety ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_formula_injection_is_neutralised(tmp_path, suffix):
    row = list(GOOD[0])
    row[0] = "=HYPERLINK(\"http://x\",\"y\")"
    row[1] = "@SUM(1+1)"
    src = write_csv(tmp_path / "suppliers.csv", [row])
    res = run([str(src), "-o", f"out{suffix}"], tmp_path)
    assert res.exit_code == 0
    if suffix == ".csv":
        out = read_output(tmp_path / "out.csv")
        ids, names, ranks = set(out["supplier_id"]), set(out["supplier_name"]), out["rank"]
    else:
        rows = list(load_workbook(tmp_path / "out.xlsx").worksheets[0].iter_rows(values_only=True))[1:]
        ids, names, ranks = {r[0] for r in rows}, {r[1] for r in rows}, [r[2] for r in rows]
    assert ids == {"'=HYPERLINK(\"http://x\",\"y\")"} and names == {"'@SUM(1+1)"}
    assert all(str(r).isdigit() for r in ranks)  # numbers untouched


def test_formula_injection_in_the_errors_file(tmp_path):
    row = list(BAD[0])
    row[1] = "=cmd|' /C calc'!A0"
    src = write_csv(tmp_path / "suppliers.csv", [row])
    run([str(src), "-o", "out.csv"], tmp_path)
    assert read_output(tmp_path / "out.errors.csv")["supplier_name"][0].startswith("'=")


def test_never_overwrites_the_input(tmp_path):
    src = write_csv(tmp_path / "suppliers.csv", GOOD)
    before = src.read_bytes()
    res = run([str(src), "-o", "suppliers.csv"], tmp_path)
    assert res.exit_code == 2 and "refusing to overwrite the input" in res.output
    assert src.read_bytes() == before


def test_a_failed_run_leaves_no_temp_file_and_keeps_the_old_output(tmp_path, monkeypatch):
    src = write_csv(tmp_path / "suppliers.csv", GOOD * 3)
    (tmp_path / "out.csv").write_text("old\n")
    from recommender.suppliers import frame

    calls = {"n": 0}
    real = frame.FrameScorer.score

    def failing(self, df, *, top=5):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("boom")
        return real(self, df, top=top)

    monkeypatch.setattr(frame.FrameScorer, "score", failing)
    monkeypatch.setattr("recommender.suppliers.run.CHUNK_ROWS", 3)
    res = run([str(src), "-o", "out.csv"], tmp_path)
    assert res.exit_code == 1 and "internal error" in res.output
    assert (tmp_path / "out.csv").read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "suppliers.csv"]
    # The same with every output asked for: nothing new appears, the old reports stay.
    calls["n"] = 0
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "index.html").write_text("old index")
    res = run([str(src), "-o", "out.csv", "--report", "portfolio.html", "--per-supplier-reports", "reports",
               "--errors", "bad.csv"], tmp_path)
    assert res.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "reports", "suppliers.csv"]
    assert [p.name for p in (tmp_path / "reports").iterdir()] == ["index.html"]
    assert (tmp_path / "reports" / "index.html").read_text() == "old index"
    calls["n"] = 0
    (tmp_path / "reports" / "index.html").unlink()
    (tmp_path / "reports").rmdir()
    res = run([str(src), "-o", "out.csv", "--per-supplier-reports", "reports"], tmp_path)
    assert res.exit_code == 1 and not (tmp_path / "reports").exists()


def test_per_supplier_reports_replace_earlier_ones_in_an_existing_folder(tmp_path):
    src = write_csv(tmp_path / "suppliers.csv", GOOD)
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "index.html").write_text("old index")
    (tmp_path / "reports" / "notes.txt").write_text("mine")
    res = run([str(src), "-o", "out.csv", "--per-supplier-reports", "reports"], tmp_path)
    assert res.exit_code == 0, res.output
    assert "old index" not in (tmp_path / "reports" / "index.html").read_text()
    assert (tmp_path / "reports" / "notes.txt").read_text() == "mine"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_outputs_are_complete_and_no_temp_files_remain(tmp_path):
    src = write_csv(tmp_path / "suppliers.csv", GOOD + [BAD[0]])
    res = run([str(src), "-o", "out.csv", "--report", "portfolio.html"], tmp_path)
    assert res.exit_code == EXIT_ROWS_FAILED
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["out.csv", "out.errors.csv", "portfolio.html", "suppliers.csv"]
    assert oct((tmp_path / "out.csv").stat().st_mode & 0o777) != "0o600"


def test_chunks_stream_in_order(tmp_path, monkeypatch):
    rows = [[f"S{i}", f"Mill {i}"] + GOOD[1][2:] for i in range(23)]
    src = write_csv(tmp_path / "suppliers.csv", rows)
    monkeypatch.setattr("recommender.suppliers.run.CHUNK_ROWS", 5)
    res = run([str(src), "-o", "out.csv"], tmp_path)
    assert res.exit_code == 0
    out = read_output(tmp_path / "out.csv")
    assert list(dict.fromkeys(out["supplier_id"])) == [f"S{i}" for i in range(23)]
    assert list(dict.fromkeys(out["row"])) == [str(i + 2) for i in range(23)]


# --- reports --------------------------------------------------------------------------------


def test_per_supplier_reports_and_index(tmp_path):
    twin = list(GOOD[0])
    twin[0] = ""  # same name, no id: the file names must still differ
    src = write_csv(tmp_path / "suppliers.csv", GOOD + [twin, twin, BAD[0]])
    res = run([str(src), "-o", "out.csv", "--per-supplier-reports", "reports"], tmp_path)
    assert res.exit_code == EXIT_ROWS_FAILED
    files = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert "index.html" in files and len(files) == 6
    assert {"Dhaka-Knit-Ltd.html", "Dhaka-Knit-Ltd-2.html"} <= set(files)
    index = BeautifulSoup((tmp_path / "reports" / "index.html").read_text(), "html.parser")
    links = [a["href"] for a in index.select("#supplier-table a")]
    assert sorted(links) == sorted(f for f in files if f != "index.html")
    assert index.select_one("#rows-failed").get_text().startswith("1")
    report = BeautifulSoup((tmp_path / "reports" / links[0]).read_text(), "html.parser")
    assert report.find("h1") is not None


def test_supplier_names_cannot_escape_the_reports_folder(tmp_path):
    row = list(GOOD[0])
    row[0], row[1] = "", "../../etc/passwd"
    src = write_csv(tmp_path / "suppliers.csv", [row])
    res = run([str(src), "-o", "out.csv", "--per-supplier-reports", "reports"], tmp_path)
    assert res.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["etc-passwd.html", "index.html"]


def test_portfolio_report_is_written(tmp_path):
    src = write_csv(tmp_path / "suppliers.csv", GOOD)
    res = run([str(src), "-o", "out.csv", "--report", "portfolio.html", "--portfolio-size", "2"], tmp_path)
    assert res.exit_code == 0
    soup = BeautifulSoup((tmp_path / "portfolio.html").read_text(), "html.parser")
    assert len(soup.select("#portfolio-steps li")) == 2
    assert soup.select_one("#suppliers-scored").get_text().split()[0] == "3"


# --- progress -------------------------------------------------------------------------------


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_silent_when_not_a_terminal():
    stream = io.StringIO()
    bar = Progress(stream, every=0)
    bar(10, 0.5)
    bar.close()
    assert stream.getvalue() == ""


def test_progress_draws_on_a_terminal():
    stream = _Tty()
    bar = Progress(stream, every=0)
    bar(1000, 0.5)
    bar.close()
    assert "50%" in stream.getvalue() and "1,000 rows" in stream.getvalue()


def test_batch_prints_no_progress_into_a_pipe(tmp_path):
    src = write_csv(tmp_path / "suppliers.csv", GOOD)
    res = subprocess.run([sys.executable, "-m", "recommender.cli", str(src), "-o", "out.csv"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 0
    assert "\r" not in res.stderr and res.stdout.strip().endswith("out.csv")


def test_catalogue_is_the_same_object_for_every_row(tmp_path):
    # the per-supplier reports and the shortlist must come from one catalogue
    assert load_catalogue() is load_catalogue()


PROFILES = Path(__file__).resolve().parent.parent / "profiles"


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("empty.csv", b"", ["empty.csv: is empty", "header row"]),
    ("blank.csv", b"\xef\xbb\xbf \r\n\n", ["blank.csv: is empty"]),
    ("header-only.csv", b"id,name\n", ["header-only.csv:1: missing required columns: country, sector"]),
    ("workbook.csv", (PROFILES / "suppliers-template.xlsx").read_bytes(),
     ["is an Excel workbook", "rename it to .xlsx"]),
    ("text.xlsx", (PROFILES / "suppliers-template.csv").read_bytes(),
     ["is text, not an Excel workbook", "rename it to .csv"]),
    ("old.xlsx", b"\xd0\xcf\x11\xe0" + b"\0" * 600, ["Excel 97-2003 workbook (.xls)"]),
    ("noise.xlsx", bytes(range(256)) * 8, ["is not an Excel workbook"]),
    ("empty.xlsx", b"", ["empty.xlsx: is empty"]),
])
def test_unreadable_supplier_lists_say_what_they_are(tmp_path, name, content, expected):
    (tmp_path / name).write_bytes(content)
    res = run([name, "-o", "out.csv"], tmp_path)
    assert res.exit_code == 2, res.output
    for part in expected:
        assert part in res.output
    assert "Traceback" not in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize("bad_first", [True, False])
def test_a_row_with_one_field_too_many_fails_alone_wherever_it_is(tmp_path, bad_first):
    rows = ["A Knit,BD,garment,stray", "B Shoes,VN,footwear"]
    if not bad_first:
        rows.reverse()
    src = tmp_path / "suppliers.csv"
    src.write_text("name,country,sector\n" + "\n".join(rows) + "\n", encoding="utf-8")
    res = run([str(src), "-o", "out.csv"], tmp_path)
    assert res.exit_code == EXIT_ROWS_FAILED
    assert read_output(tmp_path / "out.csv")["supplier_name"].unique().tolist() == ["B Shoes"]
    errors = read_output(tmp_path / "out.errors.csv")
    assert errors["row"].tolist() == ["2" if bad_first else "3"]
    assert errors["reason"].tolist() == ["expected 3 fields, saw 4 (a cell with a comma or line break needs quotes)"]


def test_tsv_output_is_tab_separated(tmp_path):
    src = write_csv(tmp_path / "suppliers.csv", GOOD)
    assert run([str(src), "-o", "out.tsv"], tmp_path).exit_code == 0
    as_tsv = pd.read_csv(tmp_path / "out.tsv", sep="\t", dtype=str, keep_default_na=False)
    assert list(as_tsv.columns) == list(OUTPUT_COLUMNS)
    assert as_tsv["initiative_id"][as_tsv["supplier_id"] == "F2"].tolist() == expected_ids(GOOD[1])


def test_open_supply_hub_sectors_the_mapping_does_not_know_are_named(tmp_path):
    text = (ROOT / "tests" / "data" / "osh" / "facilities-download.csv").read_text(encoding="utf-8")
    src = tmp_path / "facilities.csv"
    src.write_text(text.replace('"Apparel"', '"Quantum Widgets"', 1), encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "recommender.cli", str(src), "-o", "out.csv"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode in (0, EXIT_ROWS_FAILED), res.stderr
    assert "read as 'other': 'Quantum Widgets'" in res.stderr
