"""ref1, a case written independently of the code: every event row ends up in the chronology.

The truth (``../shared/cases/ref1/truth/records.csv``) is read only by these assertions, never by code.
Skipped when the reference case is not beside this checkout.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from chronology.config import load_config
from chronology.pipeline import run_case

REF1 = Path(__file__).resolve().parents[3] / "shared" / "cases" / "ref1"
EVENTISH = ("event", "approximate_date", "invalid_date")

pytestmark = pytest.mark.skipif(not (REF1 / "case.toml").exists(), reason="../shared/cases/ref1 is absent")


@pytest.fixture(scope="module")
def joined() -> pd.DataFrame:
    """Truth rows of event kinds joined to the records of a run on (file, sheet, row)."""
    run = run_case(load_config(REF1 / "case.toml"))
    truth = pd.read_csv(REF1 / "truth" / "records.csv", dtype=str, keep_default_na=False)
    truth = truth[truth["kind"].isin(EVENTISH)].copy()
    truth["row"] = truth["row"].astype(int)
    events = run.events.copy()
    events["file"] = events["source_file"].map(lambda p: Path(p).name)
    events["day"] = events["start"].dt.tz_localize(None).dt.normalize()
    keep = ["file", "source_sheet", "source_row", "cluster_id", "day", "agency", "status", "reason"]
    return truth.merge(
        events[keep],
        left_on=["file", "sheet", "row"],
        right_on=["file", "source_sheet", "source_row"],
        how="left",
    )


def test_every_event_row_is_in_a_cluster(joined: pd.DataFrame) -> None:
    # Coverage 1.0: the impossible 31/02/2020 included.
    missing = joined[joined["cluster_id"].fillna("") == ""]
    assert missing.empty, missing[["file", "row", "status", "reason"]].to_string()


def test_day_exact_dates(joined: pd.DataFrame) -> None:
    exact = joined[joined["kind"] == "event"]
    share = (exact["day"] == pd.to_datetime(exact["source_date"])).mean()
    assert share >= 0.99


def test_approximate_and_impossible_dates_inside_their_window(joined: pd.DataFrame) -> None:
    approx = joined[joined["kind"] != "event"]
    assert len(approx) == 3  # two approximate dates and one impossible one
    inside = approx["day"].isna() | approx["day"].between(
        pd.to_datetime(approx["date_min"]), pd.to_datetime(approx["date_max"])
    )
    assert inside.all(), approx[["file", "row", "day", "date_min", "date_max"]].to_string()
    impossible = approx[approx["kind"] == "invalid_date"]
    assert impossible["reason"].str.startswith("date as written is impossible").all()


def test_agencies(joined: pd.DataFrame) -> None:
    assert (joined["agency"] == joined["true_agency"]).all()
