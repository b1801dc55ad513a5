"""The industry ↔ discipline affinity table against the national code tables the project ships.

The divisions (大类) and first-level disciplines are read from the committed fixtures derived from GB/T 4754-2017
and GB/T 13745-2009 (techmarket/reference/data), and, when the shared data is beside the project, from the
reference CSV itself - not from the table under test.
"""

import csv
import json
import os
from pathlib import Path

import pytest

from techmatch.affinity import AFFINITY, DISCIPLINE_NAMES, INDUSTRY_NAMES

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "techmarket" / "reference" / "data"


def _fixture_divisions() -> dict[str, str]:
    rows = json.loads((FIXTURES / "industries.json").read_text(encoding="utf-8"))["rows"]
    # columns: code, name, level, parent, section; level 2 = 大类, keyed like the table ("C20")
    return {section + code: name.strip() for code, name, level, _parent, section in rows if level == 2}


def _fixture_disciplines() -> dict[str, str]:
    rows = json.loads((FIXTURES / "disciplines.json").read_text(encoding="utf-8"))["rows"]
    return {row[0]: row[1].strip() for row in rows}


def test_tm_affinity_has_an_entry_for_every_division_of_the_national_table() -> None:
    divisions = _fixture_divisions()
    assert len(divisions) == 97  # GB/T 4754-2017 has 97 大类, 01 … 97
    missing = sorted(set(divisions) - set(AFFINITY))
    assert not missing, f"divisions without disciplines: {missing}"
    assert not sorted(set(AFFINITY) - set(divisions)), "codes that are not GB/T 4754-2017 divisions"
    assert all(AFFINITY[code] for code in divisions)
    assert divisions == INDUSTRY_NAMES  # the names the explanations show are the standard's


def test_tm_affinity_names_only_disciplines_of_the_national_table() -> None:
    disciplines = _fixture_disciplines()
    assert disciplines == DISCIPLINE_NAMES
    for code, ds in AFFINITY.items():
        assert len(set(ds)) == len(ds) and 1 <= len(ds) <= 3, code
        assert set(ds) <= set(disciplines), code


def test_tm_affinity_light_industry_divisions_reach_their_fields() -> None:
    # C18-C24 (clothing, leather, wood, furniture, paper, printing, sports goods), spot-checked for sense
    assert "540" in AFFINITY["C18"]  # 纺织科学技术
    assert "540" in AFFINITY["C19"] or "530" in AFFINITY["C19"]
    assert AFFINITY["C20"][0] == "220"  # wood science sits under 林学
    assert "220" in AFFINITY["C21"]
    assert "530" in AFFINITY["C22"]  # pulping and papermaking are chemical engineering
    assert "535" in AFFINITY["C23"]
    assert "890" in AFFINITY["C24"] or "535" in AFFINITY["C24"]


def _shared_reference() -> Path | None:
    root = os.environ.get("TECHMARKET_SHARED_DATA") or str(REPO.parent / "shared" / "data")
    path = Path(root) / "reference" / "gbt4754_2017_industries.csv"
    return path if path.exists() else None


@pytest.mark.skipif(_shared_reference() is None, reason="shared reference data not beside the project")
def test_tm_affinity_matches_the_shared_reference_csv() -> None:
    path = _shared_reference()
    assert path is not None
    with path.open(encoding="utf-8") as fh:
        divisions = {
            r["section"] + r["code"]: r["name"].strip() for r in csv.DictReader(fh) if r["level"] == "2"
        }
    assert set(divisions) == set(AFFINITY)
    assert divisions == INDUSTRY_NAMES
