"""The Case object: one run of the pipeline, for the analyst in Jupyter.

Example:
    >>> import chronology
    >>> case = chronology.load_case("data_samples/child_h/case.toml")  # doctest: +SKIP
    >>> case                      # a summary table in Jupyter  # doctest: +SKIP
    >>> case.findings.head()      # doctest: +SKIP
    >>> case.explain(case.events.record_id[0])  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from chronology.config import CaseConfig, load_config
from chronology.errors import InputError
from chronology.pipeline import Run, run_case

#: Columns shown first when the analyst looks at events ("date" is day-first text).
EVENT_VIEW = [
    "date",
    "agency",
    "event_type",
    "description",
    "outcome",
    "practitioner",
    "date_precision",
    "cluster_id",
    "source_file",
    "source_sheet",
    "source_row",
    "record_id",
]


def day_first(value: Any) -> str:
    """A timestamp as the UK reads it: 03/04/2019 14:30, or 03/04/2019 at midnight."""
    if value is None or pd.isna(value):
        return ""
    ts = pd.Timestamp(value)
    if ts.hour == 0 and ts.minute == 0:
        return ts.strftime("%d/%m/%Y")
    return ts.strftime("%d/%m/%Y %H:%M")


def _readable(events: pd.DataFrame) -> pd.DataFrame:
    """Events with a day-first ``date`` column and the readable columns first."""
    out = events.assign(date=events["start"].map(day_first))
    return out[[*EVENT_VIEW, "start"]].reset_index(drop=True)


def _table_html(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@dataclass
class Finding:
    """One finding with its cited records, for reading in a notebook.

    Attributes:
        row: The finding's row of ``Case.findings``.
        records: The cited records (agency, date, citation, description).
    """

    row: pd.Series
    records: pd.DataFrame

    @property
    def finding_id(self) -> str:
        """The finding's stable id (``F-3A9C2``)."""
        return str(self.row["finding_id"])

    @property
    def statement(self) -> str:
        """The sentence a reviewer can paste."""
        return str(self.row["statement"])

    def __repr__(self) -> str:
        return f"{self.finding_id} [{self.row['kind']}, {self.row['severity']}] {self.statement}"

    def _repr_html_(self) -> str:
        rows = [
            (
                day_first(r.start),
                r.agency,
                f"{r.source_file}:{r.source_sheet}:{r.source_row}",
                r.description[:200],
            )
            for r in self.records.itertuples(index=False)
        ]
        return (
            f"<h4>{html.escape(self.finding_id)}: {html.escape(str(self.row['title']))}</h4>"
            f"<p><b>{html.escape(str(self.row['kind']))}</b>, severity {html.escape(str(self.row['severity']))}, "
            f"status {html.escape(str(self.row['status']))}</p>"
            f"<p>{html.escape(self.statement)}</p>"
            + _table_html(rows, ("date", "agency", "citation", "description"))
        )


class Case:
    """A case review's merged chronology: events, clusters and findings of one run.

    Use :func:`load_case` to make one. Every table is a pandas DataFrame; the
    analyst's decisions live in ``overrides.csv``, ``decisions.csv`` and ``corrections.csv`` beside
    the case file and are applied again by :meth:`rerun`.
    """

    def __init__(self, config: CaseConfig) -> None:
        self.config = config
        self.run: Run = run_case(config)

    # --- the tables -------------------------------------------------------
    @property
    def sources(self) -> pd.DataFrame:
        """Per-source counts: rows read, events, continuations, rejected."""
        return self.run.sources

    @property
    def events(self) -> pd.DataFrame:
        """Every source row: events, continuations and rejected rows."""
        return self.run.events

    @property
    def rejected(self) -> pd.DataFrame:
        """The rejected rows with their reasons."""
        ev = self.run.events
        cols = ["source_file", "source_sheet", "source_row", "agency", "reason", "raw", "record_id"]
        return ev.loc[ev["status"] == "rejected", cols].reset_index(drop=True)

    @property
    def clusters(self) -> pd.DataFrame:
        """One row per real event, with its member records."""
        return self.run.clusters

    @property
    def findings(self) -> pd.DataFrame:
        """The findings, with the reviewer's decisions applied."""
        return self.run.findings

    @property
    def corrections(self) -> pd.DataFrame:
        """Every line of corrections.csv: the record, the original and corrected value, applied or why not."""
        return self.run.corrections

    @property
    def warnings(self) -> list[str]:
        """Lines the analyst should read (unknown override ids, findings to re-review...)."""
        return self.run.warnings

    def chronology(self) -> pd.DataFrame:
        """The integrated chronology: event records in date order, readable columns first.

        ``date`` is the start as the UK reads it (03/04/2019 14:30); ``start``
        keeps the timestamp for sorting and arithmetic.
        """
        ev = self.run.events
        ev = ev[ev["status"] == "event"].sort_values(["start", "agency", "source_row"], kind="stable")
        return _readable(ev)

    # --- questions --------------------------------------------------------
    def explain(self, record_id: str) -> pd.DataFrame:
        """Why this record sits in its cluster: every scored pair with each feature's contribution.

        Each row says how many days the other record lies from this one
        (``other_lag_days``); ``attrs["weights"]`` holds the m/u values
        estimated on this case that scored the pairs (also in manifest.json).

        Example:
            >>> case.explain("3f2a9c0d1e4b5a6c")  # doctest: +SKIP
        """
        from chronology.match import explain

        if record_id not in set(self.run.events["record_id"]):
            raise InputError(f"no record '{record_id}' in this case")
        return explain(record_id, self.run.events, self.run.pairs, getattr(self.run, "match_weights", None))

    def finding(self, finding_id: str) -> Finding:
        """The finding with its cited records as a table.

        Example:
            >>> case.finding("F-3A9C2")  # doctest: +SKIP
        """
        match = self.run.findings[self.run.findings["finding_id"] == finding_id]
        if match.empty:
            raise InputError(f"no finding '{finding_id}' in this case")
        row = match.iloc[0]
        ids = list(row["record_ids"])
        ev = self.run.events.set_index("record_id")
        records = ev.loc[[i for i in ids if i in ev.index]].reset_index()
        return Finding(row=row, records=_readable(records.sort_values("start", kind="stable")))

    def timeline(
        self,
        agencies: list[str] | None = None,
        start: str | date | None = None,
        end: str | date | None = None,
        types: list[str] | None = None,
        per_event: bool = False,
    ):  # noqa: ANN201 - a plotly Figure
        """The interactive timeline (a plotly Figure), filtered as asked.

        Example:
            >>> case.timeline(agencies=["Police", "School"], start="2019-03-01", end="2019-06-30")  # doctest: +SKIP
        """
        from chronology.views.timeline import timeline

        return timeline(
            self.run.events,
            self.run.clusters,
            self.run.findings,
            date_of_birth=self.config.date_of_birth,
            agencies=agencies,
            start=start,
            end=end,
            types=types,
            per_event=per_event,
        )

    # --- the analyst's decisions ----------------------------------------------
    def override(self, record_a: str, record_b: str, decision: str, note: str = "") -> None:
        """Record a match override in overrides.csv (``same`` or ``different``); call :meth:`rerun` after."""
        if decision not in ("same", "different"):
            raise InputError(f"decision must be 'same' or 'different', not '{decision}'")
        known = set(self.run.events["record_id"])
        for rid in (record_a, record_b):
            if rid not in known:
                raise InputError(f"no record '{rid}' in this case")
        self._append(
            self.config.folder / "overrides.csv",
            ["record_a", "record_b", "decision", "note"],
            [record_a, record_b, decision, note],
        )

    def decide(self, finding_id: str, status: str, reason: str, reviewer: str) -> None:
        """Record a reviewer's decision on a finding in decisions.csv; call :meth:`rerun` after.

        The finding's ``cited_hash`` is recorded with it, so that a later run
        whose cited records changed flags the finding for re-review.

        Example:
            >>> case.decide("F-PV3RS", "dismissed", "seen in the minutes", reviewer="Analyst")  # doctest: +SKIP
        """
        if status not in ("accepted", "dismissed"):
            raise InputError(f"status must be 'accepted' or 'dismissed', not '{status}'")
        if not reason.strip() or not reviewer.strip():
            raise InputError("a decision needs a reason and the reviewer's name or role")
        if finding_id not in set(self.run.findings["finding_id"]):
            raise InputError(f"no finding '{finding_id}' in this case")
        row = self.run.findings.set_index("finding_id").loc[finding_id]
        self._append(
            self.config.folder / "decisions.csv",
            ["finding_id", "status", "reason", "reviewer", "cited_hash"],
            [finding_id, status, reason, reviewer, str(row.get("cited_hash", ""))],
        )

    def correct(self, record_id: str, field: str, value: str, reason: str, who: str) -> None:
        """Record a correction of one record's field in corrections.csv; call :meth:`rerun` after.

        The agency's file stays as it came (so every record id stays); the
        correction is applied on every run, the original kept in ``raw`` and
        in the workbook's Corrected sheet. A rejected row given a date becomes
        an event.

        Example:
            >>> case.correct(rid, "date", "Spring term 2020", "the school confirmed the term", who="Analyst")  # doctest: +SKIP
            >>> case.rerun()  # doctest: +SKIP
        """
        from chronology.corrections import FIELD_ALIASES, check_value, closest_word, correction_fields
        from chronology.vocabulary import load_vocabulary

        if record_id not in set(self.run.events["record_id"]):
            raise InputError(f"no record '{record_id}' in this case")
        name = FIELD_ALIASES.get(field.strip().lower(), field.strip().lower())
        if name not in correction_fields():
            hint = closest_word(name, correction_fields()) or "fields: " + ", ".join(correction_fields())
            raise InputError(f"'{field}' is not a field to correct", hint=hint)
        problem = check_value(name, str(value), self.config.timezone, load_vocabulary())
        if name == "agency" and not problem and value not in {s.agency for s in self.config.sources}:
            problem = f"'{value}' is not an agency of this case"
        if problem:
            raise InputError(problem)
        if not reason.strip() or not who.strip():
            raise InputError("a correction needs a reason and the name or role of who made it")
        self._append(
            self.config.folder / "corrections.csv",
            ["record_id", "field", "value", "reason", "who"],
            [record_id, name, str(value), reason, who],
        )

    @staticmethod
    def _append(path: Path, header: list[str], row: list[str]) -> None:
        """Append a row, in the existing file's column order where it has one."""
        values = dict(zip(header, row, strict=True))
        new = not path.exists() or path.stat().st_size == 0
        if not new:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                header = [h.strip() for h in next(csv.reader(fh), header)]
        needs_newline = not new and not path.read_bytes().endswith(b"\n")
        with path.open("a", encoding="utf-8", newline="") as fh:
            if needs_newline:
                fh.write("\r\n")
            writer = csv.writer(fh)
            if new:
                writer.writerow(header)
            writer.writerow([values.get(h, "") for h in header])

    def rerun(self) -> Case:
        """Run the pipeline again (after editing overrides.csv, decisions.csv, corrections.csv or case.toml)."""
        self.config = load_config(self.config.path)
        self.run = run_case(self.config)
        return self

    def export(self, out_dir: str | Path, *, pseudonymise: bool | None = None) -> dict[str, Path]:
        """Write every output of ``chronology merge`` to ``out_dir``."""
        from chronology.outputs import write_outputs

        return write_outputs(self.run, Path(out_dir), pseudonymise=pseudonymise)

    # --- display -------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Counts for a quick look: sources, records, clusters, findings by kind."""
        ev = self.run.events
        findings = self.run.findings
        return {
            "case": self.config.name,
            "sources": len(self.run.sources),
            "events": int((ev["status"] == "event").sum()),
            "continuations": int((ev["status"] == "continuation").sum()),
            "rejected": int((ev["status"] == "rejected").sum()),
            "clusters": len(self.run.clusters),
            "multi_record_clusters": int((self.run.clusters["size"] > 1).sum())
            if len(self.run.clusters)
            else 0,
            "findings": {k: int(v) for k, v in findings["kind"].value_counts().sort_index().items()},
        }

    def __repr__(self) -> str:
        return f"Case({json.dumps(self.summary(), ensure_ascii=False)})"

    def _repr_html_(self) -> str:
        s = self.summary()
        src = [
            (r.source_file, r.agency, r.rows_read, r.events, r.continuations, r.rejected)
            for r in self.run.sources.itertuples(index=False)
        ]
        kinds = [(k, n) for k, n in s["findings"].items()]
        return (
            f"<h3>{html.escape(self.config.name)}</h3>"
            f"<p>{s['events']} events from {s['sources']} sources in {s['clusters']} real events "
            f"({s['multi_record_clusters']} recorded more than once); {s['rejected']} rows rejected.</p>"
            + _table_html(src, ("source", "agency", "rows read", "events", "continuations", "rejected"))
            + "<h4>Findings</h4>"
            + _table_html(kinds, ("kind", "count"))
        )


def load_case(path: str | Path) -> Case:
    """Read a case.toml and run the pipeline on it.

    Args:
        path: The case file.

    Example:
        >>> case = load_case("data_samples/child_h/case.toml")  # doctest: +SKIP
    """
    return Case(load_config(path))
