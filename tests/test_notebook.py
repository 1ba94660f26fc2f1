"""The analyst's walkthrough notebook runs top to bottom and shows what it promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "explore_case.ipynb"


def _text(cell) -> str:  # noqa: ANN001
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out["text"])
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
            parts.append(out["data"].get("text/html", ""))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def executed() -> dict[str, str]:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # Stored without outputs, so a diff shows only what the analyst reads.
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute()
    return {
        c.metadata["tags"][0]: _text(c) for c in nb.cells if c.cell_type == "code" and c.metadata.get("tags")
    }


def test_case_loads_with_a_summary(executed: dict[str, str]) -> None:
    # The Case's HTML summary names the case and counts the sources.
    assert "Child H review" in executed["load"]
    assert "events from 6 sources" in executed["load"]


def test_rejected_rows_are_listed(executed: dict[str, str]) -> None:
    # The demo plants two rejected rows, a footer and a repeated header; its impossible
    # date (31/02/2020) is no longer rejected but kept, dated by its month and flagged.
    assert "footer" in executed["rejected"]
    assert "repeated header" in executed["rejected"]
    assert "31/02/2020" not in executed["rejected"]


def test_cluster_and_explanation(executed: dict[str, str]) -> None:
    assert re.search(r"Cluster C-\w+: \d+ records from ", executed["cluster"])
    # explain() lists the pairs with the scores behind them.
    assert "score" in executed["explain"]


def test_override_separates_the_pair(executed: dict[str, str]) -> None:
    assert "after the override: different clusters" in executed["override"]
    assert "different,Checked the minutes" in executed["override"]


def test_timeline_is_filtered(executed: dict[str, str]) -> None:
    found = re.search(r"(\d+) records plotted between", executed["timeline"])
    assert found and int(found.group(1)) > 0


def test_dismissal_applies(executed: dict[str, str]) -> None:
    assert re.search(r"F-\w+ is now dismissed", executed["dismiss"])


def test_export_writes_every_output(executed: dict[str, str]) -> None:
    for name in ("timeline.html", "chronology.xlsx", "findings.md", "manifest.json"):
        assert name in executed["export"]
