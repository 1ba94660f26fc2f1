"""Which agencies a record's text mentions, and the ``mention`` feature of a pair.

A school's "SW in to see H - seen in nursery room" and children's social
care's "Statutory CP visit. H seen." share no words, but the school's record
names the social worker: it mentions the other record's agency. Mentions are
read by the case's agency resolver (``chronology.ingest.agencies``: labels,
the vocabulary's aliases such as "SW", "PC", "HV", and case.toml's aliases)
from the description and outcome, leaving out the agencies a text names as
a sender or recipient ("Shared with SW": ``find_directions``, the handoff's
business, not a mention), and kept per record as a bit mask of the
case's agencies, so a pair's level is two bit tests, not a string search.

Levels, for records of two agencies where neither names the other as a
handoff's sender or recipient (that is the ``handoff`` feature: a mention is
not counted twice): ``both`` (each text mentions the other's agency),
``one_way``, ``none``; "" for records of one agency or of a handoff.

Example:
    >>> import numpy as np
    >>> from chronology.vocabulary import load_vocabulary
    >>> masks, codes = mention_masks(
    ...     np.array(["SW in to see H in nursery", "Statutory visit, H seen"], dtype=object),
    ...     np.array(["school", "children's social care"], dtype=object), load_vocabulary())
    >>> mention_levels(masks, codes, np.array([0]), np.array([1]), np.array(["none"], dtype=object)).tolist()
    ['one_way']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from chronology.ingest.agencies import shared_resolver
from chronology.ingest.handoffs import find_directions
from chronology.vocabulary import Vocabulary

#: Agencies beyond this many in one case are never read as mentioned (a mask is one int64): their
#: pairs have no mention level.
MAX_AGENCIES = 63


def mention_masks(
    text: np.ndarray,
    agency: np.ndarray,
    vocab: Vocabulary,
    aliases: Mapping[str, Sequence[str]] | None = None,
    recipients: list[tuple[str, ...]] | None = None,
    written: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per record, the bit mask of the case's agencies its text mentions, and its own agency's code.

    ``agency`` holds the records' labels lower-cased, as the match reads
    them; each distinct text is read once. Given a list, ``recipients`` is
    filled with every agency each text says something went to ("shared with
    health (GP + HV)": both), lower-cased, for the handoff's route.
    ``written`` holds the labels as the case writes them ("Northbridge
    Primary"), for the resolver, in the order the case gives its sources.
    """
    codes, labels = pd.factorize(pd.Series(agency, dtype=object).fillna(""))
    codes = np.asarray(codes, dtype=np.int64)
    masks = np.zeros(len(text), dtype=np.int64)
    if recipients is not None:
        recipients[:] = [()] * len(text)
    if len(text) == 0 or len(labels) < 2:
        return masks, codes  # one agency: every pair is of one agency, and has no mention level
    lowered = {str(label).lower(): n for n, label in enumerate(labels) if n < MAX_AGENCIES}
    # the labels as written, first appearance first (the case's source order), as ingest reads them
    as_written = dict(zip(agency, written if written is not None else agency, strict=True))
    named = {str(k).lower(): list(v) for k, v in (aliases or {}).items()}
    resolver = shared_resolver(
        [(str(as_written[label]), tuple(named.get(label, ()))) for label in lowered], vocab
    )
    pairs = pd.Series(list(zip(pd.Series(text, dtype=object).fillna("").astype(str), agency, strict=True)))
    text_codes, uniques = pd.factorize(pairs)
    texts = [t for t, _ in uniques]
    froms, tos = find_directions(texts, [str(as_written[own]) for _, own in uniques], resolver)
    found = np.zeros(len(uniques), dtype=np.int64)
    for n, t in enumerate(texts):
        directed = {x.lower() for x in (*froms[n], *tos[n])}
        for label in resolver.mentions(t) if t else ():
            bit = lowered.get(label.lower())
            if bit is not None and label.lower() not in directed:
                found[n] |= np.int64(1) << np.int64(bit)
    masks[:] = found[text_codes]
    if recipients is not None:
        sent = [tuple(x.lower() for x in tos[n]) for n in range(len(uniques))]
        recipients[:] = [sent[c] for c in text_codes]
    return masks, codes


def mention_levels(
    masks: np.ndarray, codes: np.ndarray, a: np.ndarray, b: np.ndarray, handoff: np.ndarray
) -> np.ndarray:
    """The mention level of each pair (see the module docstring)."""
    bits = np.minimum(codes, MAX_AGENCIES).astype(np.int64)
    a_names_b = ((masks[a] >> bits[b]) & 1).astype(bool) & (codes[b] < MAX_AGENCIES)
    b_names_a = ((masks[b] >> bits[a]) & 1).astype(bool) & (codes[a] < MAX_AGENCIES)
    level = np.where(a_names_b & b_names_a, "both", np.where(a_names_b | b_names_a, "one_way", "none"))
    level = level.astype(object)
    unread = (codes[a] >= MAX_AGENCIES) | (codes[b] >= MAX_AGENCIES)
    level[(codes[a] == codes[b]) | (np.asarray(handoff, dtype=object) != "none") | unread] = ""
    return level
