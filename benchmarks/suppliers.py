"""Write a deterministic synthetic supplier list (CSV) of N rows for the benchmarks.

The mix imitates a brand's supplier export: mostly factories in a dozen sourcing
countries, a few brands, sector and country spellings as people write them, workforce
figures for most rows, issue lists with some weights, a description on a few rows (free
text, nearly all distinct) and about half a percent of bad rows (misspellings, a share
written as a percentage, a missing name). The same N and seed give the same bytes.

    python benchmarks/suppliers.py 100000 suppliers.csv [--seed 42] [--descriptions 0.05]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = ["id", "name", "kind", "country", "sourcing_countries", "sector", "workforce_size",
           "women_share", "migrant_share", "issues", "prefers", "memberships", "description"]

COUNTRIES = {  # factory country as written in the list: weight
    "CN": 26, "China": 4, "BD": 10, "Bangladesh": 2, "IN": 9, "India": 1, "VN": 8, "Viet Nam": 1,
    "Vietnam": 1, "TR": 5, "KH": 4, "ID": 4, "PK": 4, "LK": 2, "MM": 2, "ET": 1, "MX": 2, "HN": 1,
    "US": 2, "IT": 2, "PT": 2, "MA": 1, "TH": 2, "BGD": 1, "GB": 1, "RO": 1, "EG": 1,
}
SECTORS = {
    "garment": 30, "apparel": 6, "Garments": 2, "textiles": 10, "Textile": 3, "dyeing": 1,
    "footwear": 7, "shoes": 1, "electronics": 9, "home_goods": 5, "furniture": 2, "toys": 4,
    "food": 4, "seafood": 1, "agriculture": 3, "other": 4, "packaging": 1,
}
ISSUES = {
    "wages": 14, "working_hours": 10, "health_safety": 14, "freedom_of_association": 5,
    "discrimination": 3, "harassment": 5, "child_labour": 2, "forced_labour": 5,
    "precarious_employment": 2, "grievance": 6, "rights_awareness": 4, "womens_health": 4,
    "financial_inclusion": 2, "childcare": 2, "worker_engagement": 4, "skills_development": 3,
    "productivity": 4, "management_systems": 4, "purchasing_practices": 2, "risk_monitoring": 3,
    "chemicals": 6, "water": 4, "energy": 4, "air_emissions": 1, "waste": 2,
}
APPROACHES = ["assessment", "training", "e_learning", "peer_education", "advisory", "worker_voice",
              "mobile_app", "multi_stakeholder", "data_analytics", "worker_services"]
MEMBERSHIPS = ["amfori-bsci", "better-work", "higg-index", "fair-wear", "quizrr", "Quizrr"]
PREFIX = ["Golden", "Eastern", "Pacific", "Sunrise", "Delta", "Lotus", "Harbour", "Jade", "Royal",
          "Summit", "Bright", "Silver", "Evergreen", "Orient", "Star", "Blue River", "Crescent"]
TRADE = ["Knit", "Apparel", "Textile", "Garments", "Footwear", "Electronics", "Toys", "Home",
         "Dyeing", "Denim", "Leather", "Plastics", "Foods", "Components", "Sportswear"]
SUFFIX = ["Co. Ltd", "Ltd", "Pvt Ltd", "JSC", "Inc.", "S.A.", "Industries", "Manufacturing Co.",
          "Group", "Factory"]
OPENERS = ["Knit exporter", "Denim laundry", "Dyeing and finishing mill", "Electronics assembler",
           "Toy maker", "Footwear plant", "Furniture workshop", "Seafood processor",
           "Cut-make-trim subcontractor", "Home textiles weaver", "Spinning mill", "Packaging plant"]
PROBLEMS = ["high absenteeism among women operators", "overtime above legal limits in peak season",
            "effluent treatment plant is undersized", "cash-only wages and no savings",
            "no worker committee", "migrant workers recruited through agents who charge fees",
            "buyers ask for shared assessments", "supervisors with no training on harassment",
            "chemical storage problems found in the last audit", "high turnover after holidays",
            "piece rates below the minimum wage", "steam and water use well above peers",
            "no grievance channel workers trust", "children left behind in home villages"]
ASKS = ["wants worker surveys", "looking for a training programme", "brand asks for remediation",
        "needs advisory support", "interested in an anonymous hotline", "wants a living-wage plan",
        "asks for help with an MRSL", "would join a peer learning group"]
BAD = [("country", "Bangladsh"), ("sector", "aparel"), ("issues", "wagez:3"), ("women_share", "80"),
       ("name", ""), ("kind", "factroy"), ("issues", "wages:5"), ("workforce_size", "lots")]


def _choice(rng: np.random.Generator, table: dict[str, float] | list[str], n: int) -> np.ndarray:
    keys = list(table)
    p = np.array(list(table.values()), dtype=float) if isinstance(table, dict) else np.ones(len(keys))
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _join(parts: list[np.ndarray], sep: str) -> np.ndarray:
    out = pd.Series(parts[0], dtype=object).astype(str)
    for part in parts[1:]:
        out = out + sep + pd.Series(part, dtype=object).astype(str)
    return out.to_numpy(dtype=object)


def frame(n: int, *, seed: int = 42, descriptions: float = 0.05, bad: float = 0.005) -> pd.DataFrame:
    """The synthetic supplier list as a DataFrame of strings."""
    rng = np.random.default_rng(seed)
    brand = rng.random(n) < 0.06
    kind = np.where(brand, _choice(rng, {"brand": 8, "retailer": 1}, n),
                    _choice(rng, {"factory": 20, "Factory": 2, "supplier": 2, "mill": 1}, n))
    country = _choice(rng, COUNTRIES, n)
    country[brand] = _choice(rng, ["NL", "GB", "DE", "SE", "US", "FR", "DK"], int(brand.sum()))
    src = _join([_choice(rng, ["BD", "CN", "VN", "IN", "TR", "KH"], n),
                 _choice(rng, ["PK", "ID", "MM", "ET", "LK", "MX"], n)], ";")
    sourcing = np.where(brand, src, "")
    ids = np.char.add("SYN", np.char.zfill(np.arange(1, n + 1).astype(str), 8)).astype(object)
    name = _join([_choice(rng, PREFIX, n), _choice(rng, TRADE, n), _choice(rng, SUFFIX, n)], " ")
    name = name + np.where(rng.random(n) < 0.5, " " + pd.Series(rng.integers(1, 99, n)).astype(str), "")
    size = np.round(np.exp(rng.normal(6.2, 1.1, n))).astype(int).clip(5, 60_000).astype(str).astype(object)
    size[rng.random(n) < 0.1] = ""
    women = np.round(rng.beta(5, 3, n), 2).astype(str).astype(object)
    women[rng.random(n) < 0.4] = ""
    migrants = np.round(rng.beta(2, 5, n), 2).astype(str).astype(object)
    migrants[rng.random(n) < 0.7] = ""
    k = rng.choice([1, 2, 3, 4], size=n, p=[0.2, 0.35, 0.3, 0.15])
    issue_keys = list(ISSUES)
    p = np.array(list(ISSUES.values()), dtype=float)
    # Weighted sampling without replacement: the largest u ** (1 / weight) win.
    picks = np.argsort(rng.random((n, len(issue_keys))) ** (p.sum() / p), axis=1)[:, ::-1]
    weight = rng.choice(["", ":3", ":2", ":1"], size=(n, 4), p=[0.5, 0.25, 0.15, 0.1])
    cells = [np.array(issue_keys, dtype=object)[picks[:, j]] + weight[:, j].astype(object) for j in range(4)]
    issues = cells[0].copy()
    for j in range(1, 4):
        issues = np.where(k > j, issues + ";" + cells[j], issues)
    first, second = _choice(rng, APPROACHES, n), _choice(rng, APPROACHES, n)
    two = np.where(first == second, first, first + ";" + second)
    one = rng.random(n)
    prefers = np.where(one < 0.35, first, np.where(one < 0.5, two, ""))
    members = np.where(rng.random(n) < 0.08, _choice(rng, MEMBERSHIPS, n), "")
    described = rng.random(n) < descriptions
    text = _join([_choice(rng, OPENERS, n), _choice(rng, PROBLEMS, n), _choice(rng, PROBLEMS, n),
                  _choice(rng, ASKS, n)], "; ")
    text = text + "; about " + pd.Series(rng.integers(50, 9000, n)).astype(str).to_numpy(dtype=object) + " workers"
    description = np.where(described, text, "")
    df = pd.DataFrame({
        "id": ids, "name": name, "kind": kind, "country": country, "sourcing_countries": sourcing,
        "sector": _choice(rng, SECTORS, n), "workforce_size": size, "women_share": women,
        "migrant_share": migrants, "issues": issues, "prefers": prefers, "memberships": members,
        "description": description,
    }, columns=COLUMNS)
    rows = np.flatnonzero(rng.random(n) < bad)
    which = rng.integers(0, len(BAD), len(rows))
    for r, w in zip(rows, which):
        column, value = BAD[w]
        df.iat[r, COLUMNS.index(column)] = value
    return df


def write(n: int, path: Path, *, seed: int = 42, descriptions: float = 0.05, bad: float = 0.005) -> Path:
    """Write the list to ``path`` in chunks of 200,000 rows (same bytes as one frame)."""
    step = 200_000
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for start in range(0, n, step):
            part = frame(min(step, n - start), seed=seed + start, descriptions=descriptions, bad=bad)
            part["id"] = ["SYN" + str(start + i + 1).zfill(8) for i in range(len(part))]
            part.to_csv(fh, index=False, header=start == 0)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("path", type=Path)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--descriptions", type=float, default=0.05, help="share of rows with a description")
    parser.add_argument("--bad", type=float, default=0.005, help="share of bad rows")
    args = parser.parse_args(argv)
    write(args.rows, args.path, seed=args.seed, descriptions=args.descriptions, bad=args.bad)
    print(args.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
