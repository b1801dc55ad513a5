"""Build the reference-data fixtures from the national code tables in ../shared/data/reference.

Code tables are facts of the standards; the derived JSON under techmarket/reference/data/ is
committed so that a fresh install does not need ../shared/data. Re-run after a new edition:

    python scripts/build_reference_fixtures.py [path/to/shared/data/reference]
"""

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "reference"
TARGET = ROOT / "techmarket" / "reference" / "data"


def read(name: str) -> list[dict[str, str]]:
    with open(SOURCE / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write(name: str, standard: str, columns: list[str], rows: list[list[object]]) -> None:
    payload = {"standard": standard, "columns": columns, "rows": rows}
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    (TARGET / name).write_text(text.replace("],[", "],\n["), encoding="utf-8")
    print(f"{name}: {len(rows)} rows")


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    regions = read("gbt2260_regions_2024.csv")
    by_code = {row["code"]: row for row in regions}

    def full_name(row: dict[str, str]) -> str:
        parts = [row["name"]]
        parent = by_code.get(row["parent_code"])
        while parent is not None:
            parts.append(parent["name"])
            parent = by_code.get(parent["parent_code"])
        return "".join(reversed(parts))

    write(
        "regions.json",
        "GB/T 2260 行政区划代码（截至 2024-12-31，民政部公布）",
        ["code", "name", "level", "parent", "full_name"],
        [[r["code"], r["name"], r["level"], r["parent_code"] or None, full_name(r)] for r in regions],
    )
    industries = read("gbt4754_2017_industries.csv")
    write(
        "industries.json",
        "GB/T 4754-2017 国民经济行业分类（门类、大类、中类、小类）",
        ["code", "name", "level", "parent", "section"],
        [[r["code"], r["name"], int(r["level"]), r["parent_code"] or None, r["section"]] for r in industries],
    )
    disciplines = read("gbt13745_2009_disciplines_level1.csv")
    write(
        "disciplines.json",
        "GB/T 13745-2009 学科分类与代码（一级学科）",
        ["code", "name", "category", "parent"],
        [[r["code"], r["name"], r["category"], None] for r in disciplines],
    )
    trl = read("trl_levels_unverified.csv")
    write(
        "trl.json",
        "GB/T 22900-2022 技术成熟度等级（中文名称为暂定表述，运营人员可在后台修改）",
        ["level", "name", "name_en"],
        [[int(r["level"]), r["name_zh_paraphrase"], r["name_en_nasa"]] for r in trl],
    )


if __name__ == "__main__":
    main()
