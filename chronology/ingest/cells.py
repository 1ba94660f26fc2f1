"""A sheet's cells as Arrow text: each row's raw JSON, text frames and string columns, built fast.

Used by ``chronology.ingest.rows``; kept apart so that module reads as the rules that decide each
row's status, and this one as the plumbing that keeps every cell verbatim.

Example:
    >>> raw_json(pd.DataFrame({0: ["01/02/2019"], 1: ["Seen"]}), ["Date", "Details"])[0]
    '{"Date": "01/02/2019", "Details": "Seen"}'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.arrays import ArrowStringArray

from chronology.ingest.files import cell_text

#: Above this many columns, per-row Python beats per-column Arrow calls.
WIDE = 64
_encode = json.encoder.encode_basestring  # type: ignore[attr-defined]
#: The dtype "str" names (Arrow-backed, NaN for missing).
STR = pd.api.types.pandas_dtype("str")


def _large(values: Any) -> pa.Array:
    """A column as one pyarrow large_string array (no copy through Python objects)."""
    if isinstance(values, pd.Series) and values.dtype == STR:  # Arrow already: take its array
        arr = values.array._pa_array.combine_chunks()
    else:
        arr = pa.array(values)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        arr = arr.cast(pa.large_string())
    return pc.fill_null(arr, "") if arr.null_count else arr


def _needs_escape(arr: pa.Array) -> np.ndarray:
    """Per cell: True when its UTF-8 holds a quote, backslash or control byte.

    Scans the array's data buffer with numpy (UTF-8 continuation bytes are
    all >= 0x80, so a byte test is exact).
    """
    _, offsets_buf, data_buf = arr.buffers()
    mask = np.zeros(len(arr), dtype=bool)
    if data_buf is None or not len(arr):
        return mask
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0] : offsets[-1]]
    bad = np.flatnonzero((data < 0x20) | (data == 0x22) | (data == 0x5C)) + offsets[0]
    mask[np.searchsorted(offsets, bad, side="right") - 1] = True
    return mask


def json_strings(values: pd.Series) -> pa.Array:
    """Each text as a JSON string literal, as ``json.dumps(..., ensure_ascii=False)`` writes it.

    Only cells holding a quote, backslash or control character go through
    Python's encoder; the rest are wrapped in quotes by Arrow.

    Example:
        >>> json_strings(pd.Series(['say "hi"', "c"])).to_pylist() == [json.dumps('say "hi"'), '"c"']
        True
    """
    arr = _large(values)
    quote, empty = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
    wrapped = pc.binary_join_element_wise(quote, arr, quote, empty)
    needs = _needs_escape(arr)
    if not needs.any():
        return wrapped
    needs = pa.array(needs)
    escaped = [_encode(v) for v in pc.filter(arr, needs).to_pylist()]
    return pc.replace_with_mask(wrapped, needs, pa.array(escaped, type=pa.large_string()))


def raw_json(texts: pd.DataFrame, headers: Sequence[str]) -> pd.Series:
    """Each row's cells as a JSON object {header: cell}, the same text as
    ``json.dumps(..., ensure_ascii=False)``, built column by column with Arrow.

    Example:
        >>> raw_json(pd.DataFrame({0: ["01/02/2019"], 1: ['said "no"']}), ["Date", "Details"])[0]
        '{"Date": "01/02/2019", "Details": "said \\\\"no\\\\""}'
    """
    if not len(texts):
        return pd.Series([], dtype="str")
    if len(headers) > WIDE:
        rows = texts.to_numpy(dtype=object).tolist()
        out = [json.dumps(dict(zip(headers, row, strict=True)), ensure_ascii=False) for row in rows]
        return pd.Series(out, index=texts.index, dtype="str")
    pieces: list[Any] = []
    for j, name in enumerate(headers):
        key = ("{" if j == 0 else ", ") + _encode(name) + ": "
        pieces += [pa.scalar(key, pa.large_string()), json_strings(texts[texts.columns[j]])]
    pieces += [pa.scalar("}", pa.large_string()), pa.scalar("", pa.large_string())]
    joined = pc.binary_join_element_wise(*pieces)
    return pd.Series(pd.array(joined, dtype="str"), index=texts.index)


def text_frame(rows: Sequence[Sequence[Any]], width: int, typed: bool) -> pd.DataFrame:
    """Rows as a frame of text cells (columns 0..width-1), ragged rows padded with "".

    Example:
        >>> text_frame([["a"], ["b", 2.0]], 2, True).values.tolist()
        [['a', ''], ['b', '2']]
    """
    padded = [r if len(r) == width else [*r, *[""] * (width - len(r))] for r in rows]
    cells = pd.DataFrame(padded, columns=range(width), dtype=object)
    out = {}
    for j in range(width):
        col = cells[j]
        if typed:
            out[j] = pd.array([cell_text(v) for v in col], dtype="str")
        else:
            out[j] = col.fillna("").astype("str").array
    return pd.DataFrame(out, index=cells.index, copy=False)


def _repeated(value: str, n: int) -> ArrowStringArray:
    """``n`` copies of one text as a str array."""
    return ArrowStringArray(pa.repeat(pa.scalar(value, pa.large_string()), n), dtype=STR)


def _str_values(values: list[str]) -> ArrowStringArray:
    """Python strings as a str array."""
    return ArrowStringArray(pa.array(values, type=pa.large_string()), dtype=STR)


def _stripped(values: pd.Series) -> Any:
    """A column's texts trimmed (as ``.str.strip()``), as a str array."""
    if values.dtype == STR:
        return ArrowStringArray(pc.utf8_trim_whitespace(values.array._pa_array), dtype=STR)
    return _str_array(values.str.strip())


def _str_array(values: pd.Series) -> Any:
    """A Series' values as a str array (converted only when not str already)."""
    return values.array if values.dtype == STR else values.astype("str").array


def _coded(values: np.ndarray) -> ArrowStringArray:
    """Object values with few distinct strings as a str array (None stays missing)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    dictionary = pa.array(list(uniques), type=pa.large_string())
    indices = pa.array(codes, mask=codes < 0, type=pa.int32())
    return ArrowStringArray(
        pa.DictionaryArray.from_arrays(indices, dictionary).cast(pa.large_string()), dtype=STR
    )


def coded_strings(values: np.ndarray) -> pd.Series:
    """Object values with few distinct strings as a str Series (None stays missing), fast.

    Example:
        >>> coded_strings(np.array(["event", None, "event"], dtype=object)).tolist()
        ['event', nan, 'event']
    """
    return pd.Series(_coded(values))


def _stamp_array(values: Any, tz: str) -> Any:
    """Timestamps as a datetime64[us, tz] array, nulls kept; as given when so already (the date parser's)."""
    if values.dtype == pd.DatetimeTZDtype("us", tz):
        return values
    return _timestamps(pd.Series(values), tz).array


def _timestamps(values: pd.Series, tz: str) -> pd.Series:
    """Timestamps as datetime64[us, tz], nulls kept."""
    out = pd.to_datetime(values.reset_index(drop=True), utc=True)
    return out.dt.tz_convert(tz).astype(f"datetime64[us, {tz}]")


#: A date cell with this many words or more that is not a date is text run across the row.
PROSE_WORDS = 4


def prose_cells(values: pd.Series, error: np.ndarray) -> np.ndarray:
    """Per row: True where the date cell holds a sentence, not a date (Word text pasted across the row)."""
    out = np.zeros(len(values), dtype=bool)
    undated = np.flatnonzero(np.char.startswith(error.astype(str), "not a date"))
    for i in undated.tolist():
        words = str(values.iat[i]).split()
        out[i] = (
            len(words) >= PROSE_WORDS and sum(any(ch.isalpha() for ch in w) for w in words) >= PROSE_WORDS
        )
    return out


def prose_first(cells: pd.Series, desc: pd.Series, prose: np.ndarray) -> pd.Series:
    """The description with each prose date cell's text before the row's own text."""
    values = desc.to_numpy(dtype=object, na_value="").copy()
    for i in np.flatnonzero(prose).tolist():
        text = str(cells.iat[i]).strip()
        values[i] = f"{text}\n{values[i]}" if values[i] else text
    return pd.Series(values, index=desc.index, dtype=desc.dtype)


def marks_only(values: pd.Series) -> np.ndarray:
    """Per cell: True when it holds no letter or digit ("-", "--", a ditto mark, "...")."""
    arr = _large(values)
    return ~pc.match_substring_regex(arr, r"[[:alnum:]]").to_numpy(zero_copy_only=False)
