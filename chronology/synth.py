"""A labelled generator of agency chronologies, for tests and benchmarks.

Real events are drawn for each subject (a child) and recorded by one to four
agencies, each in its own words: synonyms, abbreviations, typos, reordered
sentences, dates a day out, missing times, its own type labels, and late
records that name the date of the event ("PPN received re DA incident on
03/03/21"). As real chronologies do, one agency often records one event
several times: an ED attendance's triage and clinician rows, a police
incident and its occurrence record, a meeting and that agency's minutes days
later (not always naming the date), a visit and its write-up the next day. A
notification is an event of its own, a day or two after the incident it
reports, joined by its receipts. Routine events make traps: weekly health
visits, fortnightly core groups and repeated missed-appointment letters with
near-identical wording, and the police's identical occurrence line for every
incident. A few records are entered twice by the same agency (true duplicates).

No real people: the names come from a small fixed list.

Example:
    >>> events, truth = generate_case(50, seed=7)
    >>> len(events) == len(truth) and bool((events["status"] == "event").all())
    True
    >>> truth.nunique() <= 50
    True
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from chronology.schema import DEFAULT_TIMEZONE, EVENT_COLUMNS

DEFAULT_AGENCIES = (
    "Police",
    "Children's Social Care",
    "GP",
    "Health Visiting",
    "Emergency Department",
    "School",
)
_P, _C, _G, _H, _E, _S = DEFAULT_AGENCIES

_PROFESSIONALS = (
    "Okafor",
    "Hughes",
    "Patel",
    "Nowak",
    "Brennan",
    "Achebe",
    "Lindqvist",
    "Moreau",
    "Kowalski",
    "Haddad",
)
_INJURIES = (
    "bruising to left cheek",
    "burn to right hand",
    "head injury after fall",
    "fractured wrist",
    "cut above eye",
)
_CONCERNS = (
    "neglect, child hungry",
    "bruise seen on arm",
    "disclosure about Partner",
    "poor attendance",
    "unkempt",
)


@dataclass(frozen=True)
class Recording:
    """How one agency records a kind of event.

    Attributes:
        agency: The agency label.
        chance: Probability that this agency records the event.
        event_type: The vocabulary type its record gets.
        label: The agency's own type cell.
        timing: "same" (the day), "next" (that day or the next), "after"
            (the next day) or "late" (2 to 10 days later: minutes, letters,
            receipts; some wordings name the date, some do not).
        texts: Wordings; placeholders {child} {mother} {partner} {pro} {ref} {date} {injury} {concern}.
        timed: The agency records a time of day.
    """

    agency: str
    chance: float
    event_type: str
    label: str
    timing: str
    texts: tuple[str, ...]
    timed: bool = False


#: How each kind of event is recorded, one line per agency:
#: kind | agency | chance | event_type | type label | timing | timed | wording || wording...
#: Kinds marked "routine N" recur every N days with near-identical words.
_TABLE = """
strategy | Children's Social Care | 1.0 | strategy_discussion | Strategy Discussion | same | - | Strategy discussion held with police and health re {child}. Threshold met for S47 enquiry. || Strategy meeting chaired by {pro}. Police, HV and school present. Section 47 to proceed.
strategy | Police | 0.8 | strategy_discussion | Strat Disc | same | - | Strategy discussion with CSC re {child}. Joint S47 agreed, occurrence {ref}. || Strat meeting with social care, officer attended. Single agency S47 by CSC.
strategy | Health Visiting | 0.5 | meeting | Meeting | same | - | Attended strategy meeting by phone. Shared info re missed health appointments.
strategy | School | 0.4 | meeting | Safeguarding | same | - | DSL attended strategy discussion re {child}. School to monitor and feed back.
strategy | Children's Social Care | 0.3 | s47_enquiry | S47 | next | - | Section 47 enquiry started following strategy discussion {date}.
strategy | Children's Social Care | 0.6 | strategy_discussion | Minutes | late | - | Strategy meeting minutes typed and circulated. || Minutes of strategy discussion ({date}) sent to agencies.
ed | Emergency Department | 1.0 | ed_attendance | ED attendance | same | timed | {child} brought to ED by {mother} with {injury}. Seen by Dr {pro}. Attendance no {ref}. || Attended emergency department with {injury}, explanation given by {mother}. Attendance {ref}.
ed | Emergency Department | 0.8 | ed_attendance | Triage | same | timed | Triage: observations within normal limits. Pain score 4/10.
ed | Emergency Department | 0.6 | ed_attendance | Clinician | same | timed | Clinician review: history from {mother} documented, body map completed.
ed | Emergency Department | 0.3 | information_shared | Liaison | late | - | Paediatric liaison review of attendance {date}. Liaison form sent to health visiting team.
ed | GP | 0.6 | letter | Correspondence | late | - | ED discharge letter received re attendance on {date}: {injury}. || Letter from hospital re A&E attendance {date}, {injury}. Attendance {ref}.
ed | Health Visiting | 0.4 | information_shared | Liaison | late | - | Notification of A&E attendance {date} with {injury}. Will follow up at next contact.
ed | Children's Social Care | 0.3 | referral | Contact/Referral | same | - | Referral from hospital re {injury}. {child} seen in ED by Dr {pro}.
ed | Emergency Department | 0.4 | referral | Safeguarding | same | timed | Safeguarding referral sent to MASH re {injury}.
da | Police | 1.0 | domestic_abuse_incident | Domestic incident | same | timed | DA incident at home address. {mother} assaulted by {partner}. Child present. DASH medium. Occurrence {ref}. || Officers attended domestic abuse incident, {partner} arrested. {child} present in the house. Occ {ref}.
da | Police | 0.7 | domestic_abuse_incident | Occurrence | same | - | Occurrence recorded. DA flag added to address.
da | School | 0.5 | information_shared | Op Encompass | next | - | Operation Encompass notification: domestic incident at home. {child} spoken to by DSL.
ppn | Police | 1.0 | notification | PPN | same | timed | PPN submitted to MASH re DA incident {date}, child present. || Public protection notice to MASH: domestic abuse {date}, occurrence {ref}.
ppn | Children's Social Care | 0.8 | notification | PPN | next | - | PPN received from police re DA incident on {date}. {partner} arrested. NFA at this stage. || Police notification re domestic abuse {date}, occurrence {ref}. Passed to duty team.
ppn | Children's Social Care | 0.5 | notification | Screening | next | - | PPN screened, checks requested from health and education.
ppn | Health Visiting | 0.3 | information_shared | Liaison | late | - | PPN re DA incident {date} shared with HV team. {mother} to be offered support.
icpc | Children's Social Care | 1.0 | initial_conference | ICPC | same | - | ICPC held. {child} made subject of a CP plan under category of neglect. Chair {pro}.
icpc | Police | 0.6 | initial_conference | Conference | same | - | Attended initial child protection conference. Child made subject to CP plan.
icpc | Health Visiting | 0.8 | initial_conference | Case conference | same | - | Initial CP conference attended, report submitted. Plan: neglect.
icpc | School | 0.6 | meeting | Meeting | same | - | DSL attended ICPC for {child}, school report shared.
icpc | Children's Social Care | 0.6 | cp_plan_start | CP Plan | same | - | Child protection plan started, category neglect.
icpc | Children's Social Care | 0.5 | initial_conference | Minutes | late | - | ICPC minutes typed and circulated. || Minutes of ICPC ({date}) sent out.
icpc | GP | 0.5 | initial_conference | Correspondence | late | - | ICPC minutes received, conference held {date}. Filed.
referral | School | 1.0 | referral | Referral to MASH | same | - | Referral made to MASH re {concern}. MASH ref {ref}. || DSL referred to children's social care front door: {concern}.
referral | Children's Social Care | 0.9 | referral | Contact | next | - | Referral received from school re {concern}. MASH ref {ref}. Decision: S17 assessment. || Contact from school DSL: {concern}. Passed to MASH for decision.
cin | Children's Social Care | 1.0 | cin_meeting | CIN Meeting | same | - | CIN meeting held at school. Plan reviewed, actions agreed.
cin | School | 0.7 | cin_meeting | Meeting | same | - | Child in need meeting at school, attended by DSL.
cin | Health Visiting | 0.5 | information_shared | Minutes | late | - | Minutes rec'd: CIN meeting {date}.
cin | Children's Social Care | 0.4 | cin_meeting | Minutes | late | - | CIN meeting record completed and uploaded.
injury_school | School | 1.0 | injury | Concern | same | - | {child} arrived with {injury}, said fell at home. Logged by DSL.
injury_school | Children's Social Care | 0.5 | information_shared | Contact | next | - | School reported {injury} seen on {child} today.
gp | GP | 1.0 | appointment | Consultation | same | - | {child} seen with {mother} for cough and cold. Weight plotted. || Consultation: {child} with ear infection, antibiotics prescribed. || Seen by Dr {pro} for eczema review.
sw_visit | Children's Social Care | 1.0 | home_visit | Home Visit | same | - | Home visit by SW. {child} seen alone in bedroom, room sparse. || Unannounced home visit, no answer. Card left. || Home visit: {mother} and {partner} present, {child} seen.
sw_visit | Children's Social Care | 0.5 | home_visit | Recording | after | - | Visit record {date} completed. || Write-up of home visit {date}.
call | Children's Social Care | 1.0 | phone_call | Telephone | same | - | Telephone call to {mother} re plan. She agreed to attend.
call | Health Visiting | 0.3 | phone_call | Tel | same | - | Tel call from SW {pro} re plan and next visit.
routine 7 hv_visit | Health Visiting | 1.0 | home_visit | Home Visit | same | - | Routine home visit. {child} seen, weight checked, home conditions adequate.
routine 14 core_group | Children's Social Care | 1.0 | core_group | Core Group | same | - | Core group meeting held. CP plan reviewed, progress noted.
routine 14 core_group | School | 0.7 | core_group | Meeting | same | - | Core group meeting attended by DSL, plan reviewed.
routine 14 core_group | Health Visiting | 0.7 | core_group | Core Group | same | - | Core group meeting held, plan reviewed, progress noted.
routine 14 core_group | Children's Social Care | 0.5 | core_group | Minutes | late | - | Core group minutes typed and circulated. || Minutes of core group ({date}) distributed to members.
routine 14 core_group | GP | 0.4 | core_group | Correspondence | late | - | Core group minutes dated {date} received and scanned.
routine 7 dna | GP | 1.0 | missed_appointment | DNA | same | - | DNA letter sent to {mother} re missed appointment for {child}.
"""


def _read_table(table: str) -> tuple[dict[str, tuple[Recording, ...]], dict[str, int]]:
    """Parse _TABLE into kind -> recordings, and routine kind -> gap in days."""
    kinds: dict[str, list[Recording]] = {}
    gaps: dict[str, int] = {}
    for line in table.strip().splitlines():
        kind, agency, chance, event_type, label, timing, timed, texts = (c.strip() for c in line.split(" | "))
        if kind.startswith("routine "):
            _, gap, kind = kind.split()
            gaps[kind] = int(gap)
        recording = Recording(
            agency,
            float(chance),
            event_type,
            label,
            timing,
            tuple(t.strip() for t in texts.split("||")),
            timed == "timed",
        )
        kinds.setdefault(kind, []).append(recording)
    return {k: tuple(v) for k, v in kinds.items()}, gaps


_ALL_KINDS, _ROUTINE_GAP = _read_table(_TABLE)
_KINDS = {k: v for k, v in _ALL_KINDS.items() if k not in _ROUTINE_GAP}
_ROUTINE = {k: (_ALL_KINDS[k], gap) for k, gap in _ROUTINE_GAP.items()}

#: Kinds that may recur on consecutive days (single-agency contacts).
#: Kinds that do not happen within days of each other: a child on a CP plan
#: has core groups, not CIN meetings.
_FAMILY = {"cin": "plan_meeting", "core_group": "plan_meeting"}
_SOLO = frozenset({"gp", "sw_visit", "call", "hv_visit", "dna"})
#: Kinds drawn only as the follow-up of another: the police's notification a
#: day or two after the incident it reports.
_FOLLOWS = {"da": ("ppn", (1, 2))}

_SWAPS = (
    ("mother", "mum"),
    ("Mother", "Mum"),
    ("domestic abuse", "DA"),
    ("DA", "domestic abuse"),
    ("strategy", "strat"),
    ("Strategy", "Strat"),
    ("meeting", "mtg"),
    ("received", "rec'd"),
    ("emergency department", "ED"),
    ("ED", "A&E"),
    ("A&E", "ED"),
    ("Section 47", "S47"),
    ("S47", "section 47"),
    ("child protection", "CP"),
    ("telephone", "tel"),
    ("attended", "was present at"),
    ("held", "took place"),
    ("appointment", "appt"),
    ("social care", "CSC"),
    ("information", "info"),
    ("conference", "conf"),
)


def _typo(word: str, rnd: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rnd.randrange(1, len(word) - 2)
    if rnd.random() < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i + 1 :]


def vary_text(text: str, rnd: random.Random) -> str:
    """Reword a text as another worker might: synonyms, abbreviations, typos, order.

    Example:
        >>> vary_text("Strategy meeting held.", random.Random(0)) != ""
        True
    """
    for old, new in _SWAPS:
        if old in text and rnd.random() < 0.35:
            text = text.replace(old, new, 1)
    sentences = [s.strip() for s in text.split(". ") if s.strip()]
    if len(sentences) > 2 and rnd.random() < 0.3:
        head, tail = sentences[0], sentences[1:]
        rnd.shuffle(tail)
        sentences = [head, *tail]
    text = ". ".join(s.rstrip(".") for s in sentences) + "."
    if rnd.random() < 0.3:
        words = text.split(" ")
        k = rnd.randrange(len(words))
        if words[k].isalpha():
            words[k] = _typo(words[k], rnd)
        text = " ".join(words)
    return text


@dataclass
class _Draft:
    subject: str
    agency: str
    true_event: str
    when: datetime
    precision: str
    event_type: str
    label: str
    text: str
    from_agency: str = ""
    to_agency: str = ""


def _fill(template: str, event_date: date, values: dict[str, str], rnd: random.Random) -> str:
    style = rnd.choice(("%d/%m/%y", "%d/%m/%Y", "%d/%m"))
    if style == "%d/%m/%y" and event_date.year >= 2070:
        style = "%d/%m/%Y"  # a huge one-child case runs for centuries; "12/03/76" would read as 2076
    named = event_date.strftime(style)
    if style == "%d/%m" and rnd.random() < 0.5:
        named = f"{event_date.day}/{event_date.month}"
    return template.format(date=named, **values)


def _record(
    rec: Recording,
    event_id: str,
    subject: str,
    day: date,
    hour: int,
    minute: int,
    values: dict[str, str],
    rnd: random.Random,
    named_day: date | None = None,
) -> list[_Draft]:
    text = vary_text(_fill(rnd.choice(rec.texts), named_day or day, values, rnd), rnd)
    shift = {"same": 0, "next": rnd.choice((0, 1)), "after": 1, "late": rnd.randint(2, 10)}[rec.timing]
    if rec.timing in ("same", "next") and rec.chance < 1.0 and rnd.random() < 0.08:
        shift += rnd.choice((-1, 1))
    when = datetime.combine(day + timedelta(days=shift), datetime.min.time())
    precision = "day"
    if rec.timed and rnd.random() < 0.75:
        when = when.replace(hour=hour, minute=minute)
        precision = "time"
    elif rnd.random() < 0.02:
        when -= timedelta(days=when.weekday())
        precision = "week"
    draft = _Draft(subject, rec.agency, event_id, when, precision, rec.event_type, rec.label, text)
    if rec.event_type == "referral" and rec.agency == _S:
        draft.to_agency = _C
    if rec.agency == _P and rec.event_type == "notification":
        draft.to_agency = _C
    if rec.agency == _C and rec.event_type in ("referral", "notification"):
        draft.from_agency = (
            _S if "school" in text.lower() else (_P if "police" in text.lower() or "PPN" in text else _E)
        )
    drafts = [draft]
    if rnd.random() < 0.015:
        drafts.append(_Draft(**{**draft.__dict__}))
    return drafts


def _subject_drafts(
    subject: str, n_events: int, start: date, rnd: random.Random, agencies: set[str], per_day: float
) -> list[_Draft]:
    span = max(60, int(n_events / per_day))
    values_base = {
        "child": "Child H" if not subject else f"Child {subject}",
        "mother": "Mother",
        "partner": "Partner",
    }
    drafts: list[_Draft] = []
    plan: list[tuple[str, date, tuple[Recording, ...]]] = []
    about: dict[int, date] = {}  # plan position -> the day its records name (a PPN names its incident's)
    routine_budget = n_events // 4
    while routine_budget > 0:
        kind = rnd.choice(sorted(_ROUTINE))
        recs, gap = _ROUTINE[kind]
        first = start + timedelta(days=rnd.randrange(span))
        for k in range(min(routine_budget, rnd.randint(3, 10))):
            plan.append((kind, first + timedelta(days=gap * k), recs))
            routine_budget -= 1
    taken: dict[str, set[int]] = {}

    def free(kind: str, day: date) -> bool:
        """One kind of event happens once a day (multi-agency kinds: once in five days)."""
        days = taken.setdefault(_FAMILY.get(kind, kind), set())
        near = (0,) if kind in _SOLO else (-2, -1, 0, 1, 2)
        if not any((day - start).days + k in days for k in near):
            days.add((day - start).days)
            return True
        return False

    plan = [p for p in plan if free(p[0], p[1])]
    kinds = sorted(k for k in _KINDS if k not in {f for f, _ in _FOLLOWS.values()})
    weights = {
        "gp": 3,
        "sw_visit": 3,
        "call": 3,
        "ed": 2,
        "da": 2,
        "referral": 2,
        "strategy": 1,
        "icpc": 1,
        "cin": 2,
        "injury_school": 2,
    }
    while len(plan) < n_events:
        kind = rnd.choices(kinds, weights=[weights[k] for k in kinds])[0]
        day = start + timedelta(days=rnd.randrange(span))
        if free(kind, day):
            plan.append((kind, day, _KINDS[kind]))
            if kind in _FOLLOWS:
                follow, (lo, hi) = _FOLLOWS[kind]
                later = day + timedelta(days=rnd.randint(lo, hi))
                if free(follow, later):
                    about[len(plan)] = day
                    plan.append((follow, later, _KINDS[follow]))
    for number, (_kind, day, recs) in enumerate(plan):
        event_id = f"{subject or 'S'}-E{number:06d}"
        values = {
            **values_base,
            "pro": rnd.choice(_PROFESSIONALS),
            "ref": str(rnd.randrange(10_000, 99_999)) + rnd.choice(("/21", "/22", "")),
            "injury": rnd.choice(_INJURIES),
            "concern": rnd.choice(_CONCERNS),
        }
        hour, minute = rnd.randint(0, 23), rnd.choice((0, 5, 10, 15, 20, 30, 40, 45, 50))
        for rec in recs:
            if rec.agency in agencies and (rec.chance >= 1.0 or rnd.random() < rec.chance):
                drafts.extend(
                    _record(rec, event_id, subject, day, hour, minute, values, rnd, about.get(number, day))
                )
    return drafts


def generate_case(
    n_events: int,
    *,
    seed: int = 0,
    n_subjects: int = 1,
    agencies: tuple[str, ...] = DEFAULT_AGENCIES,
    timezone: str = DEFAULT_TIMEZONE,
    events_per_day: float = 0.4,
) -> tuple[pd.DataFrame, pd.Series]:
    """Generate a labelled case: events in the schema and the true event of each.

    Args:
        n_events: Real events in all (split evenly over the subjects); each is
            recorded one to four times, so expect about twice as many records.
        seed: Same seed, identical output.
        n_subjects: Children; subject_ref is "" when there is one.
        agencies: The agencies that keep chronologies (a subset of
            ``DEFAULT_AGENCIES``); events recorded by none are dropped.
        timezone: The case's timezone.
        events_per_day: Real events per day per subject (a busy case has
            about 0.3; denser data is harder to match).

    Returns:
        events (``EVENT_COLUMNS``, status "event", ordered by agency then
        row) and truth (the true event id of each row, same index).

    Example:
        >>> events, truth = generate_case(10, seed=1)
        >>> list(events.columns) == list(EVENT_COLUMNS)
        True
    """
    rnd = random.Random(seed)
    drafts: list[_Draft] = []
    for s in range(n_subjects):
        subject = "" if n_subjects == 1 else f"S{s:04d}"
        share = n_events // n_subjects + (1 if s < n_events % n_subjects else 0)
        drafts.extend(_subject_drafts(subject, share, date(2021, 1, 4), rnd, set(agencies), events_per_day))
    return _to_frame(drafts, seed, timezone)


def _to_frame(drafts: list[_Draft], seed: int, timezone: str) -> tuple[pd.DataFrame, pd.Series]:
    drafts.sort(key=lambda d: (d.agency, d.subject, d.when, d.true_event))
    rows, truth = [], []
    counters: dict[str, int] = {}
    for d in drafts:
        counters[d.agency] = counters.get(d.agency, 1) + 1  # row 1 is the header
        row = counters[d.agency]
        slug = d.agency.lower().replace("'", "").replace(" ", "_")
        record_id = "R-" + hashlib.sha1(f"{seed}:{slug}:{row}".encode()).hexdigest()[:12]
        end = d.when + timedelta(days=6) if d.precision == "week" else d.when
        rows.append(
            {
                "record_id": record_id,
                "subject_ref": d.subject,
                "agency": d.agency,
                "source_file": f"{slug}.csv",
                "source_sheet": "",
                "source_row": row,
                "status": "event",
                "reason": "",
                "start": d.when,
                "end": end,
                "date_precision": d.precision,
                "event_type": d.event_type,
                "type_label": d.label,
                "description": d.text,
                "outcome": "",
                "practitioner": "",
                "from_agency": d.from_agency,
                "to_agency": d.to_agency,
                "cluster_id": "",
                "raw": "{}",
            }
        )
        truth.append(d.true_event)
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    for column in EVENT_COLUMNS:
        if column not in rows[0] if rows else False:
            frame[column] = ""  # named fields the generator does not write (plan, diagnosis...)
    for column in ("start", "end"):
        local = pd.to_datetime(frame[column])
        frame[column] = local.dt.tz_localize(
            timezone, ambiguous=np.zeros(len(local), bool), nonexistent="shift_forward"
        )
        frame[column] = frame[column].astype(f"datetime64[us, {timezone}]")
    frame["source_row"] = frame["source_row"].astype("int64")
    return frame, pd.Series(truth, index=frame.index, name="true_event")
