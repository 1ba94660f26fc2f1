"""Agency files that each hold many children: references kept, mapped, never compared across."""

from __future__ import annotations

from pathlib import Path

from chronology.config import load_config
from chronology.pipeline import run_case


def _case(tmp_path: Path, with_map: bool) -> Path:
    # Police and CSC both record a strategy discussion on the same day for two
    # different children; the agencies use their own references for each child.
    (tmp_path / "police.csv").write_text(
        "Date,Child ID,Incident type,Details\n"
        "05/03/2019,P-100,Strategy discussion,Strategy discussion with CSC re bruising to child's face\n"
        "05/03/2019,P-200,Strategy discussion,Strategy discussion with CSC re bruising to child's face\n",
        encoding="utf-8",
    )
    (tmp_path / "csc.csv").write_text(
        "Date,Case ID,Contact type,Case note\n"
        "05/03/2019,CSC-1,Strategy discussion,Strategy discussion held with police re bruising to face\n"
        "05/03/2019,CSC-2,Strategy discussion,Strategy discussion held with police re bruising to face\n",
        encoding="utf-8",
    )
    text = (
        '[[sources]]\npath = "police.csv"\nagency = "Police"\n'
        '[[sources]]\npath = "csc.csv"\nagency = "Children\'s Social Care"\n'
    )
    if with_map:
        (tmp_path / "subjects.csv").write_text(
            "agency,subject_ref,maps_to\nPolice,P-100,A\nPolice,P-200,B\n"
            "Children's Social Care,CSC-1,A\nChildren's Social Care,CSC-2,B\n",
            encoding="utf-8",
        )
        text = '[case]\nsubjects = "subjects.csv"\n' + text
    (tmp_path / "case.toml").write_text(text, encoding="utf-8")
    return tmp_path / "case.toml"


def test_references_are_kept_and_never_matched_across(tmp_path: Path) -> None:
    run = run_case(load_config(_case(tmp_path, with_map=False)))
    events = run.events
    # Each row keeps its agency's own reference as subject_ref.
    assert sorted(events["subject_ref"]) == ["CSC-1", "CSC-2", "P-100", "P-200"]
    # Without a map the four references are four subjects: no cluster joins two of them.
    assert events["cluster_id"].nunique() == 4


def test_mapped_references_match_within_each_child_only(tmp_path: Path) -> None:
    run = run_case(load_config(_case(tmp_path, with_map=True)))
    events = run.events
    assert sorted(events["subject_ref"]) == ["A", "A", "B", "B"]
    # Each child's two records of the one strategy discussion join; the two
    # children's identical discussions stay apart: two clusters of two.
    by_cluster = events.groupby("cluster_id")["subject_ref"].agg(lambda s: sorted(s))
    assert sorted(map(tuple, by_cluster)) == [("A", "A"), ("B", "B")]
    assert set(run.clusters["subject_ref"]) == {"A", "B"}
