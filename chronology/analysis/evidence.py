"""Evidence that an agency knew of an event: tied to the event, never just any record in a window.

A handoff arrived, or a concern reached an agency, when one of these shows it:

- *the same event*: the agency has a record in the matched cluster of the
  event's records (whatever its date; a cluster may hold several records of
  one agency, each with its own date);
- *a shared reference*: its record in the window carries a reference of the
  event's records (a PPN number, an attendance number);
- *a date named*: its record in the window names the day of the event ("re
  incident 09/02/19");
- *an event about it*: its record in the window is from, or names, the
  sending agency and speaks of the same thing (a receipt of the same kind of
  document, or of the same concern category).

The event's records are the record itself, the other members of its cluster,
and the same agency's records that share a reference with it (an ED
attendance's triage, clinician and liaison rows under one attendance number).

Example:
    >>> ev = Evidence(prepared, ctx)  # doctest: +SKIP
    >>> ev.knew("GP", ev.event_of([12]), lo, hi, sender="Police")  # doctest: +SKIP
    'a GP record names the day of the event (GP chronology, row 40)'
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from chronology.analysis.context import Context

#: How far apart (days) one agency's records sharing a reference still record one event.
SAME_EVENT_DAYS = 14


class Evidence:
    """Lookups over one subject's prepared events for "did agency B know of this event"."""

    def __init__(self, events: pd.DataFrame, ctx: Context) -> None:
        self.ctx = ctx
        self.agency = events["agency"].to_numpy(dtype=object)
        self.day = events["day"].to_numpy().astype("datetime64[D]")
        self.cluster = events["cluster_id"].to_numpy(dtype=object)
        self.refs = events["refs"].to_numpy(dtype=object)
        self.named = events["named_days"].to_numpy(dtype=object)
        self.senders = events["senders"].to_numpy(dtype=object)
        self.nouns = events["nouns"].to_numpy(dtype=object)
        self.topics = events["topics"].to_numpy(dtype=object)
        self.receipt = events["receipt"].to_numpy()
        # acting on a referral or notification: a decision, or children's social care's own response to it
        self.acts = (events["group"] == "decision").to_numpy() | (
            events["response"].to_numpy() & events["is_csc"].to_numpy(dtype=bool)
        )
        self.by_agency = {str(a): np.asarray(pos) for a, pos in events.groupby("agency").indices.items()}
        self._days_of = {a: self.day[rows] for a, rows in self.by_agency.items()}
        self._by_ref: dict[str, list[int]] = {}
        for i, refs in enumerate(self.refs):
            for r in refs:
                self._by_ref.setdefault(r, []).append(i)

    def event_of(self, positions: Iterable[int]) -> set[int]:
        """The records of the event the given records belong to (clusters, and the same agency's shared references)."""
        out: set[int] = set()
        todo = list(positions)
        while todo:
            i = todo.pop()
            if i in out:
                continue
            out.add(i)
            c = self.cluster[i]
            if c:
                todo.extend(j for j in self.ctx.clusters.get(c, []) if j not in out)
            for r in self.refs[i]:
                for j in self._by_ref.get(r, []):
                    if (
                        j not in out
                        and self.agency[j] == self.agency[i]
                        and abs(int((self.day[j] - self.day[i]).astype(int))) <= SAME_EVENT_DAYS
                    ):
                        todo.append(j)
        return out

    def rows_between(self, agency: str, lo: np.datetime64, hi: np.datetime64) -> np.ndarray:
        """Row positions of an agency's records from day lo to day hi (inclusive)."""
        rows = self.by_agency.get(agency)
        if rows is None:
            return np.array([], dtype=int)
        days = self._days_of[agency]
        return rows[days.searchsorted(lo, "left") : days.searchsorted(hi, "right")]

    def knew(
        self,
        b: str,
        event: set[int],
        lo: np.datetime64,
        hi: np.datetime64,
        senders: Iterable[str],
        nouns: frozenset[str] = frozenset(),
        topics: frozenset[str] = frozenset(),
        unnamed_kind: bool = False,
    ) -> str:
        """Why agency b knew of the event, in words ("" when nothing shows it).

        Args:
            b: The agency.
            event: The event's records (:meth:`event_of`).
            lo, hi: The days b's records are read in (inclusive).
            senders: The agencies b's record would name as where it came from.
            nouns: What was sent (letter, notification...), for a receipt of the same kind.
            topics: The concern categories it is about, for a receipt speaking of the same.
            unnamed_kind: Whether a record from the sender that names no kind of
                document ("call from GP surgery about weight") counts as receiving it.
        """
        ctx = self.ctx
        for i in event:
            c = self.cluster[i]
            if c:
                for j in ctx.clusters.get(c, []):
                    if self.agency[j] == b:
                        return f"{ctx.cite(ctx.value('record_id', j))} records the same event"
        refs = frozenset().union(*(self.refs[i] for i in event))
        days = {self.day[i] for i in event}
        for i in event:
            days.update(self.named[i])
        senders = frozenset(senders)
        for j in self.rows_between(b, lo, hi):
            j = int(j)
            rid = ctx.value("record_id", j)
            if refs & self.refs[j]:
                return f"{ctx.cite(rid)} carries the same reference"
            if days.intersection(self.named[j]):
                return f"{ctx.cite(rid)} names the day of the event"
            if nouns & {"referral", "notification"} and self.acts[j]:
                return f"{ctx.cite(rid)} records a decision or response on it"
            same_kind = bool(nouns & self.nouns[j]) or (unnamed_kind and not self.nouns[j])
            receipt_of_kind = bool(self.receipt[j] and nouns & self.nouns[j])
            if not (same_kind or receipt_of_kind or topics & self.topics[j]):
                continue  # nothing of the same kind: whoever it names, it is not about this event
            from_sender = bool(senders.intersection(self.senders[j])) or bool(
                senders.intersection(ctx.mentions_at(j))
            )
            if not from_sender and receipt_of_kind and not set(self.senders[j]) & set(ctx.agencies):
                return f"{ctx.cite(rid)} records receiving it"  # "PPN received", no sender named
            if from_sender and (same_kind or (topics & self.topics[j])):
                return f"{ctx.cite(rid)} records it from {', '.join(sorted(senders & (set(self.senders[j]) | set(ctx.mentions_at(j)))))}"
        return ""
