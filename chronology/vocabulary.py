"""The event-type vocabulary and the agency alias list, loaded from schemas/.

Both are data (``schemas/vocabulary.toml``, ``schemas/agencies.toml``) so that
users extend them without touching code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"


@dataclass(frozen=True)
class EventType:
    """One type of the controlled vocabulary.

    Attributes:
        name: The type id (``strategy_discussion``).
        label: How it is shown to people.
        group: handoff, receipt, decision, statutory, meeting, contact,
            concern, health, closure or other.
        child_seen: An event of this type means a professional saw the child.
        concern: The concern category it signals ("" when none).
        related: Types that may describe the same real event.
        patterns: Regular expressions that recognise it.
    """

    name: str
    label: str
    group: str
    child_seen: bool = False
    concern: str = ""
    related: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgencyKind:
    """A kind of agency and the names others use for it.

    Attributes:
        name: The kind id (``csc``).
        label: Its usual label ("Children's Social Care").
        aliases: Lower-case names and abbreviations that mean this kind.
    """

    name: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    """Event types (in classification order) and agency kinds."""

    types: dict[str, EventType] = field(default_factory=dict)
    agencies: dict[str, AgencyKind] = field(default_factory=dict)

    def related(self, a: str, b: str) -> bool:
        """True when types a and b may describe the same real event."""
        ta, tb = self.types.get(a), self.types.get(b)
        return bool((ta and b in ta.related) or (tb and a in tb.related))

    def in_group(self, *groups: str) -> frozenset[str]:
        """The type ids whose group is one of ``groups``."""
        return frozenset(t.name for t in self.types.values() if t.group in groups)

    def child_seen_types(self) -> frozenset[str]:
        """The type ids that mean the child was seen."""
        return frozenset(t.name for t in self.types.values() if t.child_seen)

    def concern_of(self, type_name: str) -> str:
        """The concern category of a type ("" when none)."""
        t = self.types.get(type_name)
        return t.concern if t else ""


def _read_toml(path: Path) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=8)
def load_vocabulary(schemas_dir: Path = SCHEMAS_DIR) -> Vocabulary:
    """Load ``vocabulary.toml`` and ``agencies.toml`` from ``schemas_dir``.

    Example:
        >>> vocab = load_vocabulary()
        >>> vocab.types["strategy_discussion"].group
        'statutory'
        >>> vocab.related("strategy_discussion", "s47_enquiry")
        True
    """
    raw_types = _read_toml(schemas_dir / "vocabulary.toml").get("types", {})
    types = {
        name: EventType(
            name=name,
            label=str(t.get("label", name)),
            group=str(t.get("group", "other")),
            child_seen=bool(t.get("child_seen", False)),
            concern=str(t.get("concern", "")),
            related=tuple(t.get("related", ())),
            patterns=tuple(t.get("patterns", ())),
        )
        for name, t in raw_types.items()
    }
    raw_agencies = _read_toml(schemas_dir / "agencies.toml").get("agencies", {})
    agencies = {
        name: AgencyKind(
            name=name,
            label=str(a.get("label", name)),
            aliases=tuple(str(x).lower() for x in a.get("aliases", ())),
        )
        for name, a in raw_agencies.items()
    }
    return Vocabulary(types=types, agencies=agencies)
