"""A reviewer's decision holds whether it was taken on a real or a pseudonymised report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from chronology.config import load_config
from chronology.outputs import write_outputs
from chronology.pipeline import run_case

DEMO = Path(__file__).resolve().parent.parent / "data_samples" / "child_h"


def test_cited_hash_survives_pseudonymisation(tmp_path: Path) -> None:
    case_dir = tmp_path / "child_h"
    shutil.copytree(DEMO, case_dir, ignore=shutil.ignore_patterns("truth"))
    run = run_case(load_config(case_dir / "case.toml"))
    write_outputs(run, tmp_path / "real", pseudonymise=False)
    write_outputs(run, tmp_path / "pseudo", pseudonymise=True)
    real = {f["finding_id"]: f for f in json.loads((tmp_path / "real" / "findings.json").read_text())}
    pseudo = json.loads((tmp_path / "pseudo" / "findings.json").read_text())
    # Some cited excerpt really changed under pseudonymisation (the demo's names are in them)...
    assert any(f["cited"] != real[f["finding_id"]]["cited"] for f in pseudo)
    # ...yet every finding keeps the hash of its real cited records.
    assert all(f["cited_hash"] == real[f["finding_id"]]["cited_hash"] for f in pseudo)

    # A decision copied from the pseudonymised report is applied, not sent back to review.
    chosen = pseudo[0]
    (case_dir / "decisions.csv").write_text(
        "finding_id,status,reason,reviewer,cited_hash\n"
        f"{chosen['finding_id']},dismissed,seen in the minutes,Reviewer,{chosen['cited_hash']}\n",
        encoding="utf-8",
    )
    again = run_case(load_config(case_dir / "case.toml"))
    status = again.findings.set_index("finding_id").loc[chosen["finding_id"], "status"]
    assert status == "dismissed"
