"""Generate the synthetic demo case ``data_samples/child_h/``.

Run with ``.venv/bin/python data_samples/make_demo.py [OUT_DIR]``; OUT_DIR defaults to
``data_samples/child_h`` beside this script. The output is byte-identical on every run.

Everything here is invented: Child H ("Kayla Brennan"), her family, the practitioners, Northshire Police,
Northshire Council, Oakfield Primary School & Nursery and Northshire General Hospital.

How it works
------------
The story is a list of real events (``E(...)``), each holding the records that the agencies made of it
(``R(...)``): one record is one row of one agency's chronology. An event with two or more records is a
matching target (``true_event`` in truth/rows.csv). The renderers then write each agency's rows in its own
real-world layout (title rows, merged cells, Windows-1252, BOM, semicolons, continuation rows, footers...),
note where every record landed (file, sheet, row) and write the truth files. Planted findings and their
controls refer to records by key, so their citations follow the rows wherever they land.

Self-checks at the end re-derive the planted facts (working days with the ``holidays`` library, gaps in
which nobody saw the child, who knew of each concern) from the records, and fail loudly if an edit to the
story breaks a planted finding or makes an unplanned one.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import holidays
import openpyxl
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
FIXED_STAMP = datetime(2021, 1, 12, 9, 0, 0)  # created/modified of every workbook and zip entry

POL, CSC, GP, HV, SCH, ED = (
    "Police",
    "Children's Social Care",
    "GP",
    "Health Visiting",
    "School",
    "Emergency Department",
)
FILES = {
    POL: "police.xlsx",
    CSC: "csc.xlsx",
    GP: "gp.csv",
    HV: "health_visiting.csv",
    SCH: "school.xlsx",
    ED: "ed.csv",
}
SHEETS = {POL: "Chronology", CSC: "Case notes", SCH: "DSL log", GP: "", HV: "", ED: ""}
AGENCY_ORDER = (POL, CSC, GP, HV, SCH, ED)


# --------------------------------------------------------------------------------------------- model
@dataclass
class R:
    """One record: one row in one agency's chronology."""

    agency: str
    day: date
    etype: str  # expected vocabulary id
    text: str  # the main narrative cell
    label: str = ""  # the agency's own type cell
    at: time | None = None
    outcome: str = ""
    who: str = ""
    key: str = ""  # handle for findings
    ref: str = ""  # occurrence / attendance number
    precision: str = ""  # default: "time" when at is set, else "day"
    date_text: str = ""  # School: approximate date written as text
    cont: str = ""  # HV: text carried on in a continuation row below
    to: str = ""  # handoff target (agency label)
    frm: str = ""  # receipt source (agency label)
    seen: bool | None = None  # override of "child seen" (default from etype)
    true_event: str = ""
    loc: tuple[str, str, int] | None = None
    # A happening of its own within a storyline: the notification of an incident
    # (the sender's record and the receiver's record of receiving it), an
    # onward notification with its receipts, a school's own sighting of an
    # injury treated at ED. Its records form the real event E(eid)/part.
    part: str = ""

    @property
    def prec(self) -> str:
        if self.precision:
            return self.precision
        if self.agency in (SCH, GP):  # these files have no time column
            return "day"
        return "time" if self.at else "day"

    @property
    def stamp(self) -> datetime:
        return datetime.combine(self.day, self.at or time(0, 0))


EVENTS: list[tuple[str, list[R]]] = []
KEYS: dict[str, R] = {}


def E(eid: str, *records: R) -> None:
    """A real event. ``eid`` names it; it becomes a true_event id when it has 2+ records."""
    for r in records:
        if r.key:
            assert r.key not in KEYS, r.key
            KEYS[r.key] = r
    EVENTS.append((eid, list(records)))


def d(s: str) -> date:
    return date.fromisoformat(s)


def t(s: str) -> time | str:
    """A time; HV times written as '2.30pm' stay text here and are fixed up by ``_fix_hv_times``."""
    if re.fullmatch(r"\d{1,2}(?:[.:]\d{2})?(am|pm)", s):
        return s
    return time.fromisoformat(s)


def D(s: str) -> date:  # noqa: N802 - reads like a literal
    return d(s)


# people (invented)
PC_LEWIS = "PC 4471 G. Lewis"
PC_OWUSU = "PC 2290 A. Owusu"
PC_GRANT = "PC 3108 K. Grant"
DC_PRICE = "DC 1187 H. Price"
DS_PRYCE = "DS 0904 A. Pryce"
SW1 = "Priya Nair (SW)"
SW2 = "Tom Hadley (SW)"
MASH = "Joseph Okoro (MASH SW)"
MASH2 = "Ruth Adebayo (MASH SW)"
TM = "Sarah Quinn (Team Manager)"
IRO = "Graham Whitlock (CP Chair)"
EDT = "Dan Moreno (EDT SW)"
GP1 = "Dr R. Okafor"
GP2 = "Dr Renée Dubois"
NURSE = "Nurse P. Kaur"
ADMIN = "Admin - L. Hurst"
HV1 = "Claire Dunmore"
HV2 = "Amy Rhodes"
DSL = "Mrs L. Fairweather (DSL)"
DDSL = "Mr D. Achebe (Deputy DSL)"
ED1 = "Dr J. Lowe"
ED2 = "Dr M. Ferreira"
ED3 = "Dr S. Nwosu"
PLN = "K. Walsh (Paed Liaison)"

NAMES = {
    "Kayla Brennan": "Child H",
    "Jodie Brennan": "Mother",
    "Ryan Cole": "Partner",
    "Sandra Brennan": "Maternal grandmother",
}


# --------------------------------------------------------------------------------------------- story
# fmt: off
def story() -> None:  # noqa: PLR0915 - a story is long
    # ---------------- January 2019: the earlier assessment closes (CONTROL closure) ----------------
    E("csc-final-assess-visit",
      R(CSC, D("2019-01-08"), "home_visit", "Home visit to complete C&F assessment (anonymous referral Nov 2018 re home conditions). Kayla seen and observed playing with mum; home adequate, food in cupboards. Jodie Brennan engaging, says relationship with Ryan Cole is 'on and off'.",
        label="Home visit", at=t("10:30"), outcome="Assessment to be concluded.", who=SW1))
    E("closure-2019",
      R(CSC, D("2019-01-10"), "case_closure", "Case closed. Outcome of C&F: no role for CSC; step down to universal services (HV, nursery place). Closure summary authorised by TM.",
        label="Case closure", at=t("16:05"), outcome="Closed - universal services", who=TM, key="csc_close_2019"),
      R(HV, D("2019-01-11"), "information_shared", "Closure letter received from CSC: case closed 10/01/2019, no further CSC involvement. HV to continue universal plus.",
        label="Correspondence", outcome="Filed. Universal plus.", who=HV1, frm=CSC))
    E("sch-start",
      R(SCH, D("2019-01-14"), "school_contact", "Kayla started in Nursery (funded 2-year-old place, Butterflies room). Mum Jodie Brennan completed admission forms at drop-off. Key person Miss Khan. Emergency contacts: mum, MGM Sandra Brennan.",
        label="Admission", outcome="Key person allocated", who=DDSL))
    E("hv-2yr",
      R(HV, D("2019-01-15"), "home_visit", "2-2½ year review (ASQ-3) at home. Kayla seen with mum. Communication just below cut-off; other domains fine. Home tidy. Mum says Ryan stays 'some nights'.",
        label="Home visit - 2 year review", at=t("10:00"), outcome="ASQ repeat in 3 months. Encourage nursery attendance.", who=HV1,
        cont="Discussed sleep routine and screen time; mum receptive. Eczema on both arms - advised to see GP for review."))
    E("sch-spring-2019",
      R(SCH, D("2019-01-08"), "other", "Attendance this term 86%. Several late arrivals; mum says bus times. No safeguarding concerns logged by key person.",
        label="Attendance", precision="term", date_text="Spring term 2019", outcome="Monitor", who=DDSL))
    E("gp-eczema-1",
      R(GP, D("2019-01-23"), "appointment", "Surgery consultation. Kayla seen with mum. Flexural eczema both arms, mild. Emollient + hydrocortisone 1% prescribed. Review 2-3 weeks.",
        label="Face to face", who=GP1))
    E("hv-call-feb",
      R(HV, D("2019-02-05"), "phone_call", "Tel call to mum re ASQ follow-up and nursery settling. Mum says Kayla enjoying nursery.",
        label="Telephone", at=t("14:30"), outcome="Next contact planned 26/02.", who=HV1))
    E("gp-wnb-1",
      R(GP, D("2019-02-11"), "missed_appointment", "WNB – eczema review. DNA letter sent to mum.",
        label="DNA", who=NURSE, key="m1"))
    # ---------------- DA1 ----------------
    E("da1",
      R(POL, D("2019-02-16"), "domestic_abuse_incident", "Call from neighbour re shouting at 14 Larch Close. Jodie BRENNAN states verbal argument with partner Ryan COLE over money; COLE left prior to police arrival. No injuries. Child Kayla (2) in the home, in bed upstairs.",
        label="Domestic Abuse - verbal", at=t("23:40"), outcome="DASH completed - standard risk. PPN to be submitted. Words of advice.", who=PC_LEWIS, ref="NP/19/018842", key="da1_inc"),
      R(POL, D("2019-02-17"), "notification", "PPN (child) submitted to MASH re Kayla BRENNAN following domestic incident 16/02/2019.",
        part="ppn", label="PPN", at=t("10:15"), outcome="PPN to MASH", who=PC_LEWIS, ref="NP/19/018842", to=CSC, key="da1_ppn"),
      R(CSC, D("2019-02-18"), "information_shared", "PPN received from Northshire Police: verbal DA incident 16/02/2019 between Jodie Brennan and Ryan Cole, Kayla in the home. Previous C&F closed 10/01/2019.",
        part="ppn", label="MASH contact", at=t("09:20"), outcome="For MASH decision", who=MASH, frm=POL, key="da1_csc"),
      R(HV, D("2019-02-19"), "information_shared", "MASH notification received: DA incident (verbal) on 16/02/2019, mum and Ryan Cole, Kayla present.",
        part="share", label="Info received", at=t("11:30"), outcome="Discuss at next contact. Routine enquiry re DA.", who=HV1, frm=CSC),
      R(SCH, D("2019-02-19"), "information_shared", "Email from MASH: domestic incident at home address 16/02/2019 (verbal). Logged on CPOMS.",
        part="share", label="Information received", outcome="Key person asked to monitor Kayla", who=DSL, frm=CSC),
      R(GP, D("2019-02-20"), "information_shared", "MASH notification rec’d re domestic incident 16/02/19 (police attended). Read coded; alert added to Kayla’s and Jodie’s records.",
        part="share", label="Correspondence in", who=ADMIN, frm=CSC))
    E("da1-decision",
      R(CSC, D("2019-02-18"), "referral_decision", "MASH decision: second contact in 6 weeks, history of home conditions concern. RAG amber. Open for C&F assessment under S17.",
        label="MASH decision", at=t("15:45"), outcome="Progress to C&F assessment", who=MASH, key="da1_dec"))
    E("assess-start",
      R(CSC, D("2019-02-19"), "assessment", "C&F assessment (S17) started. Allocated SW Priya Nair. Checks requested from HV, GP, nursery.",
        label="Assessment", at=t("10:00"), outcome="Assessment due 22/04/2019", who=SW1, key="assess_start"))
    E("csc-visit-0222",
      R(CSC, D("2019-02-22"), "home_visit", "First assessment visit. Kayla seen; shy but warm with mum. Home cluttered but adequate. Mum says Ryan has 'calmed down' and is not living there.",
        label="Home visit", at=t("14:00"), outcome="Further visit to see Ryan Cole.", who=SW1))
    E("hv-noaccess-1",
      R(HV, D("2019-02-26"), "missed_appointment", "Planned home visit - no reply. Card left. Mum later texted she was at MGM's.",
        label="No access", at=t("2:00pm"), outcome="Rebook", who=HV1, key="m2"))
    E("sch-0228",
      R(SCH, D("2019-02-28"), "school_contact", "Kayla very tired in nursery, slept for an hour after lunch. Key person spoke with mum at collection; mum said late night at MGM's.",
        label="Welfare", outcome="Monitor", who=DDSL))
    # ---------------- Injury at nursery, referral, strategy, S47 ----------------
    E("inj1",
      R(SCH, D("2019-03-04"), "injury", "At drop-off key person Miss Khan noted bruise approx 3cm to Kayla’s left cheek. Asked what happened, Kayla said 'Ryan did it'. Mum said Kayla fell against the coffee table on Sunday. Body map completed.",
        label="Injury / disclosure", at=t("09:15"), outcome="DSL informed immediately", who=DSL, key="inj1_sch"),
      R(SCH, D("2019-03-04"), "referral", "DSL phoned MASH at 11:00 and submitted MAR form re bruise to cheek and Kayla’s comment.",
        part="referral", label="Referral to MASH", at=t("11:00"), outcome="Await MASH decision", who=DSL, to=CSC, key="inj1_ref"),
      R(CSC, D("2019-03-04"), "information_shared", "Referral from Oakfield Primary School DSL (Mrs Fairweather): bruise to L cheek seen at nursery today; Kayla said 'Ryan did it'. Open C&F assessment (SW P. Nair).",
        part="referral", label="MASH contact", at=t("11:10"), outcome="Urgent - to TM", who=MASH, frm=SCH, key="inj1_csc"),
      R(HV, D("2019-03-04"), "information_shared", "Call from SW Priya Nair: bruise to Kayla’s cheek seen at nursery this morning; disclosure - Kayla said Ryan did it. Strat tomorrow, HV invited.",
        part="call-hv", label="Telephone", at=t("3.10pm"), outcome="Will attend strat by phone", who=HV1, frm=CSC),
      R(POL, D("2019-03-04"), "information_shared", "Referral from CSC MASH re 2yr old Kayla BRENNAN with bruise to cheek seen at nursery; allegation - child said 'Ryan did it'. Suspect Ryan COLE.",
        part="referral-police", label="CP referral received", at=t("15:40"), outcome="Strat discussion to be held 05/03", who=DC_PRICE, ref="NP/19/029115", frm=CSC),
      R(GP, D("2019-03-05"), "information_shared", "Call from CSC re bruise to Kayla’s cheek and disclosure at nursery 04/03/19 - S47 under way. Info given: eczema, WNB 11/02, no previous injuries on record.",
        part="call-gp", label="Telephone", who=GP1, frm=CSC))
    E("inj1-decision",
      R(CSC, D("2019-03-04"), "referral_decision", "MASH decision: threshold met for child protection enquiries. TM agreed multi-agency discussion tomorrow 10:00.",
        label="MASH decision", at=t("13:00"), outcome="Convene strat", who=TM, key="inj1_dec"))
    E("strat1",
      R(CSC, D("2019-03-05"), "strategy_discussion", "Strategy discussion: CSC (SW P. Nair, TM S. Quinn), Police (DC Price), HV (C. Dunmore), school DSL. Bruise to cheek + disclosure naming Ryan Cole + DA 16/02. Agreed S47 single agency CSC with joint visit; CP medical not required (bruise fading, explanation plausible per paediatric advice).",
        label="Strategy discussion", at=t("10:00"), outcome="S47 to proceed", who=SW1, key="strat1"),
      R(POL, D("2019-03-05"), "strategy_discussion", "Strat meeting with CSC, HV and nursery re bruise to Kayla BRENNAN. Joint visit agreed; COLE to be interviewed.",
        label="Strategy meeting", at=t("10:00"), outcome="Joint visit 06/03. Crime recorded (ABH on child) pending.", who=DC_PRICE, ref="NP/19/029115"),
      R(HV, D("2019-03-05"), "strategy_discussion", "Telephone strategy discussion. Shared HV history: 2 yr review, no access 26/02, DA notification Feb.",
        label="Strategy discussion", at=t("10am"), outcome="S47 agreed. HV to visit next week.", who=HV1),
      R(SCH, D("2019-03-05"), "strategy_discussion", "DSL took part in strat meeting by phone. Shared body map and attendance.",
        label="Strategy meeting", outcome="Nursery to monitor and record", who=DSL))
    E("s47-visit",
      R(CSC, D("2019-03-06"), "s47_enquiry", "S47 joint visit with DC Price. Kayla seen and observed with mum; bruise fading. Mum maintains fall against coffee table. Ryan Cole not present.",
        label="S47 visit", at=t("14:00"), outcome="S47 continues; ICPC likely", who=SW1),
      R(POL, D("2019-03-06"), "s47_enquiry", "Joint visit with SW under S47 to 14 Larch Close. BRENNAN states accident, denies COLE hit child.",
        label="S47 joint visit", at=t("14:00"), outcome="COLE to be interviewed", who=DC_PRICE, ref="NP/19/029115"))
    E("pol-interview",
      R(POL, D("2019-03-07"), "other", "COLE interviewed under caution (voluntary) re assault on child. Denies. Released under investigation.",
        label="Interview", at=t("11:30"), outcome="RUI. File to CPS for advice.", who=DC_PRICE, ref="NP/19/029115"))
    E("sch-wc-1103",
      R(SCH, D("2019-03-11"), "school_contact", "Kayla quieter than usual this week and clingy at home time. Key person has noted each day.",
        label="Welfare", precision="week", date_text="w/c 11/03/2019", outcome="Shared with SW", who=DDSL, key="sch_share1"))
    E("gp-wnb-2",
      R(GP, D("2019-03-11"), "missed_appointment", "WNB – eczema review (2nd). DNA letter sent to mum.",
        label="DNA", who=NURSE, key="m3"))
    E("hv-0313",
      R(HV, D("2019-03-13"), "home_visit", "Home visit. Kayla seen with mum; bruise no longer visible. Mum tearful about S47.",
        label="Home visit", at=t("11am"), outcome="Weekly visits if plan made.", who=HV1,
        cont="Mum says Ryan is 'not coming back'. Discussed DA services - leaflet for Northshire DA Service given."))
    E("csc-visit-0315",
      R(CSC, D("2019-03-15"), "home_visit", "S47 visit. Kayla seen alone briefly in her bedroom; too young to give account. Mum engaging.",
        label="Home visit", at=t("15:30"), outcome="Request ICPC", who=SW1))
    E("pol-cps",
      R(POL, D("2019-03-19"), "other", "CPS advice: NFA - insufficient evidence. COLE informed by phone.",
        label="Crime update", at=t("16:20"), outcome="NFA", who=DC_PRICE, ref="NP/19/029115"))
    # ---------------- ICPC ----------------
    E("icpc",
      R(CSC, D("2019-03-22"), "initial_conference", "ICPC chaired by G. Whitlock. Attended: mum, SW, HV, nursery DSL; GP report received; Police apologies. Kayla made subject of a CP plan, category emotional abuse (DA).",
        label="ICPC", at=t("10:00"), outcome="CP plan. Core group within 10 working days. RCPC in 3 months.", who=IRO, key="icpc"),
      R(CSC, D("2019-03-22"), "cp_plan_start", "Child protection plan started - category emotional abuse.",
        label="CP plan start", outcome="", who=SW1, key="cp_start"),
      R(HV, D("2019-03-22"), "initial_conference", "Attended ICPC. Kayla now on CP plan (emotional abuse). HV to visit weekly for 8 weeks then fortnightly.",
        label="Conference", at=t("10am"), outcome="Update HV records, CP flag.", who=HV1),
      R(SCH, D("2019-03-22"), "initial_conference", "DSL attended Initial Child Protection Conference. CP plan - emotional abuse. Nursery to share attendance weekly with SW.",
        label="ICPC", outcome="CP file opened", who=DSL),
      R(GP, D("2019-03-25"), "initial_conference", "ICPC outcome rec’d - ICPC 22/03/2019: Kayla subject of CP plan (emotional abuse). CP alert coded.",
        label="Correspondence in", who=ADMIN, frm=CSC))

    # ---------------- the CP plan (22/03 - 22/11/2019): routine contacts -------------------------
    csc_visits = [
        ("2019-03-27", "15:00"), ("2019-04-05", "10:30"), ("2019-04-15", "16:00"), ("2019-04-26", "11:00"),
        ("2019-05-08", "10:00"), ("2019-05-20", "15:15"), ("2019-05-31", "09:45"), ("2019-06-12", "14:30"),
        ("2019-06-21", "10:00"), ("2019-07-03", "16:30"), ("2019-07-15", "13:00"), ("2019-07-25", "10:15"),
        ("2019-08-22", "14:00"), ("2019-09-03", "16:00"), ("2019-09-13", "15:30"), ("2019-09-24", "09:30"),
        ("2019-10-02", "10:00"), ("2019-10-14", "15:00"), ("2019-10-24", "13:30"), ("2019-11-05", "16:15"),
        ("2019-11-15", "10:00"),
    ]
    csc_texts = [
        "Statutory CP visit. Kayla seen and observed with mum; happy, chatty. Home conditions adequate.",
        "CP visit. Kayla seen, playing with toys in lounge. Mum reports no contact from Ryan Cole.",
        "Statutory visit. Kayla seen and observed with mum. Bedroom seen - clean, appropriate.",
        "CP visit. Kayla seen; clean and appropriately dressed. Mum engaging with plan.",
    ]
    joint = {"2019-05-08", "2019-10-02"}
    for i, (day, at) in enumerate(csc_visits):
        txt = csc_texts[i % len(csc_texts)]
        key = {"2019-07-25": "cpv_before_gap", "2019-08-22": "cpv_after_gap",
               "2019-04-15": "cpv_easter_a", "2019-04-26": "cpv_easter_b"}.get(day, "")
        if day == "2019-08-22":
            txt = "Statutory CP visit - first since 25/07 (SW annual leave, no cover visit arranged). Kayla seen with mum; well."
        if day in joint:
            E(f"joint-{day}",
              R(CSC, D(day), "home_visit", "Joint home visit with HV Claire Dunmore. Kayla seen and observed; mum engaging. Plan reviewed.",
                label="Home visit", at=t(at), outcome="Continue plan", who=SW1, key=key),
              R(HV, D(day), "home_visit", "Joint visit with SW Priya Nair. Kayla seen, weighed: 50th centile. Play and interaction good.",
                label="Home visit (joint)", at=t(at), outcome="Continue visits", who=HV1))
        else:
            E(f"csc-cpv-{day}", R(CSC, D(day), "home_visit", txt, label="CP visit", at=t(at),
                                 outcome="Continue CP plan", who=SW1, key=key))

    hv_visits = [
        "2019-03-26", "2019-04-02", "2019-04-09", "2019-04-16", "2019-04-23", "2019-04-30", "2019-05-14",
        "2019-05-21", "2019-06-04", "2019-06-18", "2019-07-16", "2019-07-30", "2019-08-27",
        "2019-09-10", "2019-09-17", "2019-10-15", "2019-10-29", "2019-11-12",
    ]
    hv_texts = [
        "Weekly home visit as per CP plan. Kayla seen with mum, appeared well. Home conditions adequate.",
        "Weekly home visit as per CP plan. Kayla seen with mum, appeared well and interacting. Home adequate.",
        "Home visit as per CP plan. Kayla seen with mum; appeared well. Home conditions adequate.",
    ]
    hv_times = ["10am", "10.30am", "2pm", "11am", "1.30pm", "9.45am"]
    for i, day in enumerate(hv_visits):
        txt = hv_texts[i % 3]
        if day > "2019-05-21":
            txt = txt.replace("Weekly home visit", "Fortnightly home visit")
        cont = ""
        if day == "2019-09-17":
            txt = "Home visit. Kayla seen; bruise on forehead fading, lip healed. Stair gate discussed; mum to buy one."
        if day == "2019-07-16":
            txt = "Home visit. Kayla seen with mum and MGM Sandra Brennan. Mum says Ryan Cole 'gone for good' since arrest."
            cont = "MGM supportive, will have Kayla two nights a week. Kayla weighed: 50th centile, following line."
        E(f"hv-visit-{day}", R(HV, D(day), "home_visit", txt, label="Home visit", at=t(_hv24(hv_times[i % 6])),
                               outcome="Next visit booked", who=HV1, cont=cont))
        # keep the HV time text as written
        EVENTS[-1][1][0].ref = hv_times[i % 6]

    core_groups = [
        ("2019-04-17", "2019-04-24"), ("2019-05-01", ""), ("2019-05-15", ""), ("2019-05-29", "2019-06-05"),
        ("2019-07-10", ""), ("2019-08-07", None), ("2019-09-11", ""), ("2019-10-09", "2019-10-16"),
        ("2019-11-06", ""),
    ]
    for i, (day, minutes) in enumerate(core_groups):
        recs = [
            R(CSC, D(day), "core_group", "Core group meeting. Plan reviewed; actions updated. Mum attended." if i % 2 == 0
              else "Core group. CP plan reviewed with mum and professionals; actions updated.",
              label="Core group", at=t("13:30"), outcome="Next core group booked", who=SW1,
              key="cg1" if i == 0 else ""),
            R(HV, D(day), "core_group", "Core group meeting attended. Plan reviewed, no new concerns from health." if i % 2 == 0
              else "Attended core group. Plan reviewed; HV actions unchanged.",
              label="Meeting", at=t("1.30pm"), outcome="", who=HV1),
        ]
        if i == 0:
            recs[0].text = "First core group meeting since ICPC 22/03. Plan reviewed; actions agreed. Mum attended."
        if day == "2019-08-07":
            recs[0].text = "Core group chaired by TM in SW's absence (annual leave). Plan reviewed; actions updated."
            recs[0].who = TM
        if minutes:
            recs.append(R(SCH, D(minutes), "core_group", f"Minutes rec'd: core group {D(day).strftime('%d/%m/%Y')}. Filed in CP file.",
                          label="Core group minutes", outcome="Actions for nursery noted", who=DSL))
        elif minutes == "":
            recs.append(R(SCH, D(day), "core_group", "DSL attended core group. Attendance and presentation shared.",
                          label="Core group", outcome="", who=DSL))
        E(f"cg-{day}", *recs)

    E("gp-eczema-2",
      R(GP, D("2019-04-04"), "appointment", "Seen with mum for eczema review. Much improved with emollient. CP plan noted; mum engaging.",
        label="Face to face", who=GP2))
    E("assess-done",
      R(CSC, D("2019-04-12"), "assessment_completed", "C&F assessment completed and authorised (incorporating S47 outcome). Needs: DA, emotional harm, mum's low mood.",
        label="C&F assessment authorised", at=t("17:00"), outcome="Completed - CP plan continues", who=TM, key="assess_done"))
    E("sch-apr",
      R(SCH, D("2019-04-03"), "school_contact", "Kayla settled and happy in nursery today; painting with key person. Mum on time at collection.",
        label="Welfare", outcome="", who=DDSL))
    E("sch-may",
      R(SCH, D("2019-05-23"), "school_contact", "Key person notes Kayla's speech improving; using 2-3 word phrases. Attendance this half term 91%.",
        label="Progress", outcome="Shared at core group", who=DDSL))
    E("gp-mum-mood",
      R(GP, D("2019-05-13"), "appointment", "Seen: Jodie Brennan with Kayla. Mum low mood, PHQ-9 14; sertraline 50mg started. Kayla seen - well, eczema controlled.",
        label="Face to face", who=GP1))
    E("rcpc1",
      R(CSC, D("2019-06-14"), "review_conference", "RCPC (first review). Progress noted; Ryan Cole reported to have moved out. Plan to continue - category emotional abuse.",
        label="RCPC", at=t("10:00"), outcome="CP plan continues. Next RCPC within 6 months.", who=IRO, key="rcpc1"),
      R(HV, D("2019-06-14"), "review_conference", "Review case conference attended. Kayla remains on CP plan.",
        label="Conference", at=t("10am"), outcome="Visits fortnightly", who=HV1),
      R(SCH, D("2019-06-14"), "review_conference", "DSL attended RCPC. Plan continues.",
        label="RCPC", outcome="", who=DSL),
      R(GP, D("2019-06-18"), "review_conference", "RCPC outcome letter rec’d (conference 14/06/2019): CP plan continues.",
        label="Correspondence in", who=ADMIN, frm=CSC))
    E("sch-approx",
      R(SCH, D("2019-06-12"), "school_contact", "Mum told key person at collection that Ryan has moved out and is staying with his brother. Recorded retrospectively.",
        label="Information from parent", date_text="approx 12/06/2019", outcome="Shared with SW", who=DDSL, key="sch_share2"))
    # ---------------- DA2 (on the plan) ----------------
    E("da2",
      R(POL, D("2019-06-29"), "domestic_abuse_incident", "999 call from Jodie BRENNAN: ex-partner Ryan COLE attended address, argument, BRENNAN pushed against wall. Child Kayla present and crying. COLE arrested for common assault.",
        label="Domestic Abuse - assault", at=t("21:55"), outcome="DASH medium. COLE in custody. PPN.", who=PC_OWUSU, ref="NP/19/071230", key="da2_inc"),
      R(POL, D("2019-06-30"), "notification", "PPN (child) submitted to MASH: DA assault 29/06/2019, child subject of CP plan.",
        part="ppn", label="PPN", at=t("08:50"), outcome="PPN to MASH", who=PC_OWUSU, ref="NP/19/071230", to=CSC, key="da2_ppn"),
      R(CSC, D("2019-07-01"), "information_shared", "PPN received: DA incident 29/06/2019, Ryan Cole arrested for common assault on Jodie Brennan, Kayla present. Open CP case.",
        part="ppn", label="MASH contact", at=t("08:45"), outcome="To allocated SW", who=MASH, frm=POL, key="da2_csc"),
      R(SCH, D("2019-07-01"), "information_shared", "SW phoned DSL: DA incident at home at the weekend (29/06/2019), police attended, Ryan arrested.",
        part="call-school", label="Information received", outcome="Key person informed", who=DSL, frm=CSC),
      R(HV, D("2019-07-02"), "information_shared", "Information from SW Priya Nair: DA incident 29/06/2019, Ryan Cole arrested. Kayla present.",
        part="call-hv", label="Info received", at=t("9.30am"), outcome="Discuss at next visit", who=HV1, frm=CSC),
      R(GP, D("2019-07-03"), "information_shared", "MASH notification rec’d: DA incident 29/06/19 at home, police attended.",
        part="share-gp", label="Correspondence in", who=ADMIN, frm=CSC))
    E("da2-decision",
      R(CSC, D("2019-07-01"), "referral_decision", "MASH outcome: passed to allocated SW; open CP case, to be considered at core group 10/07.",
        label="MASH decision", at=t("10:30"), outcome="Allocated worker to act", who=MASH, key="da2_dec"))
    E("pol-charge",
      R(POL, D("2019-07-02"), "other", "COLE charged with common assault; bailed with conditions not to attend Larch Close or contact BRENNAN.",
        label="Crime update", at=t("17:10"), outcome="Court 23/07", who=PC_OWUSU, ref="NP/19/071230"))
    E("ed-d-and-v",
      R(ED, D("2019-07-20"), "ed_attendance", "Vomiting and diarrhoea 24 hours, drinking well. Obs normal. Mild dehydration.",
        label="D&V", at=t("16:48"), outcome="Oral fluid challenge passed. Discharged. GP letter.", who=ED2, ref="ED19-07744"),
      R(GP, D("2019-07-22"), "information_shared", "A&E discharge letter: attended 20/07/19 with D&V, discharged.",
        label="Correspondence in", who=ADMIN, frm=ED))
    E("sch-summer",
      R(SCH, D("2019-07-19"), "school_contact", "Last day of term. Kayla seen with mum at collection, happy. DSL reminded mum of holiday club place.",
        label="Welfare", outcome="", who=DSL))
    E("hv-noaccess-2",
      R(HV, D("2019-08-13"), "missed_appointment", "Home visit - no access. No reply, curtains closed. Texted mum.",
        label="No access", at=t("2pm"), outcome="Rebook; SW informed", who=HV1, key="m4"))
    E("sch-sept",
      R(SCH, D("2019-09-04"), "school_contact", "Kayla back in nursery after summer. Settled quickly; seen and spoken to by DSL at drop-off.",
        label="Welfare", outcome="", who=DSL))
    # ---------------- ED 14/09/2019: conflicting accounts (PLANTED) ----------------
    E("ed-head-2019",
      R(ED, D("2019-09-14"), "ed_attendance", "2y8m. Bruise to forehead 4cm and small cut to lower lip. Mum states fell off the sofa onto laminate floor approx 18:30. Alert, no LOC, GCS 15. Known CP plan.",
        label="Head injury", at=t("19:05"), outcome="Discharged with head injury advice. Safeguarding checklist done; paed liaison informed. GP letter.", who=ED1, ref="ED19-09918", key="ed_head"),
      R(GP, D("2019-09-16"), "information_shared", "A&E letter rec’d: 14/09/19 bruise to forehead and cut lip after fall off sofa. Discharged.",
        label="Correspondence in", who=ADMIN, frm=ED),
      R(CSC, D("2019-09-16"), "information_shared", "Paed liaison notification: A&E attendance 14/09/2019, bruise to forehead and cut lip, mum reports fall from sofa onto laminate floor.",
        label="Information received", at=t("11:20"), outcome="SW to discuss at next visit", who=SW1, frm=ED),
      R(HV, D("2019-09-16"), "information_shared", "Paed liaison notification of A&E attendance 14/09/2019. Telephoned mum: she said Kayla fell down the stairs at home on Saturday evening and banged her head.",
        label="Info received", at=t("2.45pm"), outcome="Advised stair gate. Visit 17/09.", who=HV1, frm=ED, key="hv_stairs"),
      R(SCH, D("2019-09-16"), "injury", "Bruise on Kayla’s forehead seen at drop-off. Mum said she took her to A&E on Saturday (14/09/2019) after she fell off the sofa.",
        part="school", label="Injury - explained", outcome="Body map; SW informed", who=DSL))
    # ---------------- ED 02/11/2019, exported twice ----------------
    E("ed-wheeze",
      R(ED, D("2019-11-02"), "ed_attendance", "Fever 39.1, cough, wheeze 2 days. Sats 95%. Viral induced wheeze.",
        label="SOB / wheeze", at=t("03:12"), outcome="Salbutamol via spacer. Discharged. GP letter.", who=ED3, ref="ED19-11207", key="ed_dup_a"),
      R(ED, D("2019-11-02"), "ed_attendance", "Fever 39.1, cough, wheeze 2 days. Sats 95%. Viral induced wheeze.",
        label="SOB / wheeze", at=t("03:12"), outcome="Salbutamol via spacer. Discharged. GP letter.", who=ED3, ref="ED19-11207", key="ed_dup_b"),
      R(GP, D("2019-11-04"), "information_shared", "A&E letter rec’d: 02/11/19 viral induced wheeze, salbutamol given. GP review if recurs.",
        label="Correspondence in", who=ADMIN, frm=ED))
    E("gp-wheeze-review",
      R(GP, D("2019-11-11"), "appointment", "Seen with mum for post-A&E wheeze review. Chest clear. Salbutamol inhaler + spacer.",
        label="Face to face", who=GP2))
    E("sch-oct",
      R(SCH, D("2019-10-21"), "school_contact", "Kayla seen and spoken to by DSL; proud of her painting. No concerns.",
        label="Welfare", outcome="", who=DSL))
    E("sch-nov",
      R(SCH, D("2019-11-19"), "school_contact", "Kayla happy in nursery; attendance 94% this half term.",
        label="Progress", outcome="Report for RCPC", who=DDSL))
    # ---------------- RCPC2: plan ends, CIN ----------------
    E("rcpc2",
      R(CSC, D("2019-11-22"), "review_conference", "RCPC: Ryan Cole not in household since June; mum engaging. CP plan ended; step down to CIN plan.",
        label="RCPC", at=t("10:00"), outcome="CP plan ended. CIN.", who=IRO, key="rcpc2"),
      R(CSC, D("2019-11-22"), "cp_plan_end", "Child protection plan ended. Case continues as CIN (S17).",
        label="CP plan end", outcome="", who=SW1, key="cp_end"),
      R(HV, D("2019-11-22"), "review_conference", "RCPC attended. CP plan ended; CIN plan. HV visits monthly.",
        label="Conference", at=t("10am"), outcome="Remove CP flag; CIN flag", who=HV1),
      R(SCH, D("2019-11-22"), "review_conference", "DSL attended review conference. Plan ended, CIN.",
        label="RCPC", outcome="CP file kept open as CIN", who=DSL),
      R(GP, D("2019-11-26"), "review_conference", "RCPC outcome rec’d: conference 22/11/2019, CP plan ended, CIN.",
        label="Correspondence in", who=ADMIN, frm=CSC))
    E("hv-1126",
      R(HV, D("2019-11-26"), "home_visit", "Home visit. Kayla seen with mum, well. Discussed CIN plan.",
        label="Home visit", at=t("10.15am"), outcome="Monthly visits", who=HV1))
    # ---------------- CIN: Dec 2019 - Feb 2020 ----------------
    E("cin-visit-1204",
      R(CSC, D("2019-12-04"), "home_visit", "CIN visit. Kayla seen; Christmas tree up, home warm. Mum on waiting list for counselling.",
        label="CIN visit", at=t("15:00"), outcome="", who=SW1))
    cin_meetings = [("2019-12-11", True), ("2020-01-22", True), ("2020-02-11", True)]
    for day, school in cin_meetings:
        recs = [
            R(CSC, D(day), "cin_meeting", "CIN meeting. Plan reviewed with mum, HV and nursery." if day != "2020-02-11"
              else "CIN meeting. Nursery raised concerns about Kayla’s presentation this week; mum says washing machine broken. Agreed to close CIN at next review if no further concerns.",
              label="CIN meeting", at=t("11:00"), outcome="Plan continues", who=SW1 if day < "2020-01-01" else SW2),
            R(HV, D(day), "cin_meeting", "CIN meeting attended. No new health concerns.",
              label="Meeting", at=t("11am"), outcome="", who=HV1),
        ]
        if school:
            recs.append(R(SCH, D(day), "cin_meeting", "DSL attended CIN meeting.", label="CIN meeting", outcome="", who=DSL))
        E(f"cin-{day}", *recs)
    E("hv-1210",
      R(HV, D("2019-12-10"), "home_visit", "Home visit. Kayla seen; mum low, sertraline continues. Eczema flare.",
        label="Home visit", at=t("2.30pm"), outcome="Advised GP for eczema.", who=HV1))
    E("sch-dec",
      R(SCH, D("2019-12-16"), "school_contact", "Nativity: Kayla seen and observed taking part; MGM attended.",
        label="Welfare", outcome="", who=DDSL))
    # ---------------- request for information across Christmas (CONTROL missed_handoff) ----------------
    E("rfi-gp",
      R(CSC, D("2019-12-20"), "information_request", "Request for information sent to GP surgery (Dr Okafor) for CIN review: health needs, attendance, any concerns.",
        label="Request for information", at=t("15:40"), outcome="Reply requested by 10/01/2020", who=SW1, to=GP, key="rfi_sent"),
      R(GP, D("2019-12-30"), "information_shared", "Request for information from CSC (dated 20/12/19) rec’d and actioned: GP report sent to SW by secure email.",
        label="Correspondence in", who=GP1, frm=CSC, key="rfi_reply"),
      R(CSC, D("2020-01-02"), "information_shared", "GP response to request for information (sent 20/12/2019) received from Dr Okafor: eczema, wheeze, two eczema reviews not kept in 2019, mum on sertraline.",
        part="reply", label="Information received", at=t("11:15"), outcome="On file for CIN review", who=SW2, frm=GP))
    E("gp-eczema-3",
      R(GP, D("2020-01-07"), "appointment", "Seen with MGM Sandra Brennan for eczema flare. Kayla well otherwise. Steroid cream.",
        label="Face to face", who=GP2))
    E("cin-visit-0108",
      R(CSC, D("2020-01-08"), "home_visit", "CIN visit by new SW Tom Hadley (case transferred from P. Nair). Kayla seen and spoken to. Mum says 'another new social worker'.",
        label="CIN visit", at=t("14:00"), outcome="", who=SW2))
    E("hv-0115",
      R(HV, D("2020-01-15"), "home_visit", "Home visit. Kayla seen with mum. Weighed: 50th centile.",
        label="Home visit", at=t("10am"), outcome="", who=HV1))
    E("sch-jan",
      R(SCH, D("2020-01-27"), "school_contact", "Kayla seen and spoken to by key person; talking about her birthday party at MGM's.",
        label="Welfare", outcome="", who=DDSL))
    # ---------------- neglect concern, closure (PLANTED closure_after_concern) ----------------
    E("neglect",
      R(SCH, D("2020-02-04"), "neglect_concern", "Kayla arrived in same clothes as Friday, strong smell of urine, nappy not changed overnight; hungry, ate two breakfasts. Third day this fortnight. Mum said washing machine broken.",
        label="Neglect / presentation", outcome="Spare clothes given. DSL to call SW.", who=DSL, key="neglect"),
      R(CSC, D("2020-02-05"), "information_shared", "Call from Oakfield DSL re Kayla’s presentation 04/02/2020 (unkempt, smelling of urine, hungry).",
        part="call-csc", label="Telephone", at=t("09:10"), outcome="SW to raise at CIN meeting 11/02", who=SW2, frm=SCH),
      R(HV, D("2020-02-06"), "information_shared", "Email from nursery DSL re Kayla’s presentation on 04/02/2020 (hungry, unkempt).",
        part="email-hv", label="Info received", at=t("4pm"), outcome="Will discuss at CIN meeting", who=HV1, frm=SCH))
    E("cin-visit-0205",
      R(CSC, D("2020-02-05"), "home_visit", "CIN visit. Kayla seen with mum; washing machine now repaired. Some clutter.",
        label="CIN visit", at=t("15:30"), outcome="", who=SW2))
    E("closure-2020",
      R(CSC, D("2020-02-14"), "case_closure", "Case closed. CIN plan objectives met: Ryan Cole out of household, mum engaging with health. Step down to universal services.",
        label="Case closure", at=t("16:40"), outcome="Closed", who=TM, key="csc_close_2020"),
      R(HV, D("2020-02-17"), "information_shared", "Notified by SW Tom Hadley that CSC closed case on 14/02/2020. HV to continue universal plus.",
        label="Info received", at=t("9am"), outcome="Remove CIN flag", who=HV1, frm=CSC),
      R(SCH, D("2020-02-17"), "information_shared", "Email from SW: case closed by CSC 14/02/2020.",
        label="Information received", outcome="CP/CIN file closed; retain", who=DSL, frm=CSC))
    E("sch-feb-b",
      R(SCH, D("2020-02-27"), "school_contact", "Kayla clean and well presented today; seen and spoken to by DSL.",
        label="Welfare", outcome="", who=DSL))
    E("hv-0303",
      R(HV, D("2020-03-03"), "home_visit", "Home visit. Kayla seen, well. Case to transfer to HV Amy Rhodes (caseload change).",
        label="Home visit", at=t("11.30am"), outcome="Handover done", who=HV1))
    # ---------------- lockdown: nobody sees Kayla 18/03 - 11/06/2020 (PLANTED contact_gap) ----------------
    E("sch-lastseen",
      R(SCH, D("2020-03-18"), "school_contact", "DSL spoke with Kayla and mum at collection about nursery shutting from Friday (COVID-19); Kayla seen, happy. Not eligible for key worker place. Weekly welfare calls agreed.",
        label="Welfare", outcome="Welfare call plan", who=DSL, key="gap_start"))
    for day, txt in [
        ("2020-04-01", "Welfare call (lockdown). Spoke to mum; Kayla heard in background. Food parcel offered, declined."),
        ("2020-04-22", "Welfare call. Mum says all fine, Kayla 'bored'. Home learning pack posted."),
        ("2020-05-13", "Welfare call - no answer. Text sent. Mum rang back next day: all ok."),
        ("2020-06-03", "Welfare call. Mum says Kayla not sleeping well. Offered nursery place from 15/06 - mum declined."),
    ]:
        E(f"sch-call-{day}", R(SCH, D(day), "phone_call", txt, label="Welfare call", outcome="", who=DDSL))
    E("hv-call-0408",
      R(HV, D("2020-04-08"), "phone_call", "Virtual contact (phone) due to COVID-19. Introduced self as new HV. Mum coping; Kayla's eczema flaring.",
        label="Telephone", at=t("10am"), outcome="Review 6 weeks", who=HV2))
    E("gp-phone-0506",
      R(GP, D("2020-05-06"), "phone_call", "Telephone consultation with mum (COVID). Eczema flare; photos sent by mum. Emollient + steroid repeat. Mum stressed, rent arrears £600.",
        label="Telephone", who=GP1))
    E("hv-call-0520",
      R(HV, D("2020-05-20"), "phone_call", "Virtual contact (phone). Mum says Kayla eating less. Offered doorstep visit - mum asked to wait.",
        label="Telephone", at=t("2.15pm"), outcome="Doorstep visit when possible", who=HV2,
        cont="Mum mentioned money worries; signposted to food bank and Citizens Advice."))
    E("hv-0611",
      R(HV, D("2020-06-11"), "home_visit", "Garden visit (COVID). Kayla seen - first face to face contact since lockdown. Looks thin; weighed: 9th centile (50th in January). Mum says fussy eating.",
        label="Home visit (garden)", at=t("10.30am"), outcome="Reweigh in 8 weeks. Food diary.", who=HV2, key="gap_end"))
    # ---------------- GP letter to HV never received (PLANTED missed_handoff) ----------------
    E("gp-phone-0615",
      R(GP, D("2020-06-15"), "phone_call", "Telephone consultation: mum worried Kayla off her food. HV weight 11/06 noted on shared record (9th centile, was 50th).",
        label="Telephone", who=GP2))
    E("gp-letter-hv",
      R(GP, D("2020-06-16"), "letter", "Letter to HV team: please review Kayla - weight dropped from 50th to 9th centile, mum struggling financially, poor attendance at eczema reviews last year, previous CP plan. Please advise re home circumstances.",
        label="Letter out", who=GP2, to=HV, key="gp_letter"))
    # ---------------- DA-A: HV never told (PLANTED info_sharing_gap) ----------------
    E("da-a",
      R(POL, D("2020-07-11"), "domestic_abuse_incident", "Report from BRENNAN: ex-partner Ryan COLE came to the address drunk, banging on door, threats to 'take the kid'. COLE left before police arrival. Child not present - staying with MGM.",
        label="Domestic Abuse - harassment", at=t("22:15"), outcome="DASH medium. COLE located and given words of advice. PPN.", who=PC_GRANT, ref="NP/20/066410", key="daa_inc"),
      R(POL, D("2020-07-12"), "notification", "PPN submitted to MASH re Kayla BRENNAN: domestic incident 11/07/2020, COLE threatened to take child.",
        part="ppn", label="PPN", at=t("09:30"), outcome="PPN to MASH", who=PC_GRANT, ref="NP/20/066410", to=CSC, key="daa_ppn"),
      R(CSC, D("2020-07-13"), "information_shared", "PPN received: domestic incident 11/07/2020 at 14 Larch Close, Ryan Cole threatening to take Kayla. Closed case (Feb 2020).",
        part="ppn", label="MASH contact", at=t("09:05"), outcome="For MASH decision", who=MASH2, frm=POL, key="daa_csc"),
      R(SCH, D("2020-07-14"), "information_shared", "Email from MASH: domestic incident 11/07/2020, Ryan Cole at family home. Logged.",
        part="share", label="Information received", outcome="For info over summer", who=DSL, frm=CSC),
      R(GP, D("2020-07-15"), "information_shared", "MASH notification rec’d: domestic incident 11/07/20.",
        part="share", label="Correspondence in", who=ADMIN, frm=CSC))
    E("da-a-decision",
      R(CSC, D("2020-07-13"), "referral_decision", "MASH decision: NFA by CSC. Mum has safety plan; information shared with nursery DSL by email.",
        label="MASH decision", at=t("14:20"), outcome="NFA", who=MASH2, key="daa_dec"))
    E("hv-0805",
      R(HV, D("2020-08-05"), "home_visit", "Home visit. Kayla seen, slim but active. Weighed: 9th centile, no further drop. Mum says eating better.",
        label="Home visit", at=t("11am"), outcome="Review 3 months", who=HV2, key="gap2_end"))
    E("sch-return",
      R(SCH, D("2020-09-02"), "school_contact", "Kayla started in Nursery class (3-4 yrs). Seen and spoken to by DSL at the door; clean, happy. Mum says Ryan 'not around'.",
        label="Welfare", outcome="", who=DSL))
    E("sch-0911",
      R(SCH, D("2020-09-11"), "school_contact", "Kayla seen by DSL; tired and pale, settled after snack.",
        label="Welfare", outcome="Monitor", who=DSL))
    # ---------------- DA-B: decision late (PLANTED referral_decision); HV told (CONTROL info sharing) -----
    E("da-b",
      R(POL, D("2020-09-19"), "domestic_abuse_incident", "999 call: Ryan COLE at 14 Larch Close, argument with Jodie BRENNAN, TV smashed. Child Kayla present, in her bedroom. COLE arrested for criminal damage.",
        label="Domestic Abuse - criminal damage", at=t("20:40"), outcome="DASH high - MARAC referral. PPN.", who=PC_LEWIS, ref="NP/20/089554", key="dab_inc"),
      R(POL, D("2020-09-20"), "notification", "PPN (child) submitted to MASH: DA incident 19/09/2020, high risk, MARAC referral made.",
        part="ppn", label="PPN", at=t("11:05"), outcome="PPN to MASH", who=PC_LEWIS, ref="NP/20/089554", to=CSC, key="dab_ppn"),
      R(CSC, D("2020-09-21"), "information_shared", "PPN received: DA incident 19/09/2020, high risk DASH, Ryan Cole arrested, Kayla present.",
        part="ppn", label="MASH contact", at=t("10:40"), outcome="Awaiting MASH decision", who=MASH, frm=POL, key="dab_csc"),
      R(HV, D("2020-09-24"), "information_shared", "MASH notification re DA incident 19/09/2020 rec'd: Ryan Cole arrested, Kayla present. MARAC.",
        part="share", label="Info received", at=t("3pm"), outcome="Visit to be arranged", who=HV2, frm=CSC, key="dab_hv"),
      R(SCH, D("2020-09-24"), "information_shared", "Email from MASH: DA incident 19/09/2020, police attended, high risk.",
        part="share", label="Information received", outcome="Operation Encompass log", who=DSL, frm=CSC))
    E("da-b-decision",
      R(CSC, D("2020-09-21"), "referral_decision", "MASH decision: refer to Early Help; information to be shared with HV and nursery. MARAC 01/10 to consider.",
        label="MASH decision", at=t("16:10"), outcome="Early Help referral", who=MASH, key="dab_dec"))
    # ---------------- ED burn 26/09/2020: accounts agree (CONTROL conflicting_accounts) ----------------
    E("ed-burn",
      R(ED, D("2020-09-26"), "ed_attendance", "3y8m. Superficial burn to right palm 2cm - touched mum's hair straighteners on bedroom floor. Mum brought promptly, account consistent with injury.",
        label="Burn", at=t("11:20"), outcome="Dressing. Discharged. GP letter; HV notified via paed liaison.", who=ED2, ref="ED20-10311", key="ed_burn"),
      R(GP, D("2020-09-28"), "information_shared", "A&E letter rec’d: 26/09/20 superficial burn R palm from hair straighteners. Dressing.",
        label="Correspondence in", who=ADMIN, frm=ED),
      R(SCH, D("2020-09-28"), "injury", "Dressing on Kayla’s right hand. Mum said she touched hair straighteners on Saturday 26/09/2020; seen at A&E.",
        part="school", label="Injury - explained", outcome="Body map", who=DSL, key="burn_sch"),
      R(CSC, D("2020-09-28"), "information_shared", "Paed liaison notification (for information, previous CP plan): A&E attendance 26/09/2020, superficial burn to R palm, touched hair straighteners. Account consistent.",
        label="Information received", at=t("12:10"), outcome="MASH: for information, NFA", who=MASH, frm=ED),
      R(HV, D("2020-09-29"), "information_shared", "Paed liaison notification: A&E 26/09/2020, burn to right palm from hair straighteners.",
        label="Info received", at=t("10am"), outcome="Safety advice at visit", who=HV2))
    E("hv-1021",
      R(HV, D("2020-10-21"), "home_visit", "Home visit. Kayla seen; burn healed. Weighed: 9th centile. Home safety discussed.",
        label="Home visit", at=t("1.30pm"), outcome="", who=HV2))
    E("sch-oct20",
      R(SCH, D("2020-10-14"), "school_contact", "Kayla seen and spoken to; enjoying forest school. Attendance 89%.",
        label="Progress", outcome="", who=DDSL))
    E("sch-nov20",
      R(SCH, D("2020-11-11"), "school_contact", "Kayla seen by DSL; tired and withdrawn, said 'mummy was crying'. Key person to monitor.",
        label="Welfare", outcome="DSL to refer", who=DSL))
    # ---------------- school referral decided 3 working days late (PLANTED referral_decision) ----------------
    E("sch-referral-2020",
      R(SCH, D("2020-11-11"), "referral", "DSL submitted MAR form to MASH: Kayla increasingly withdrawn, said Ryan 'shouts at mummy and makes her cry'. Mum declined family support in October.",
        label="Referral to MASH", outcome="Await MASH decision", who=DSL, to=CSC, key="ref20_sent"),
      R(CSC, D("2020-11-11"), "information_shared", "MAR received from Oakfield Primary School DSL: Kayla withdrawn, comments about Ryan Cole shouting at mum.",
        label="MASH contact", at=t("14:05"), outcome="For MASH decision", who=MASH2, frm=SCH, key="ref20_csc"),
      R(HV, D("2020-11-17"), "information_shared", "MASH email: school referral 11/11/2020 - Kayla withdrawn, comments about Ryan shouting at mum. Family support offered.",
        part="share", label="Info received", at=t("9.15am"), outcome="Joint visit with family support worker to be offered", who=HV2, frm=CSC))
    E("sch-referral-2020-decision",
      R(CSC, D("2020-11-16"), "referral_decision", "MASH decision (delayed - MASH capacity): offer of family support via Early Help; NFA by CSC. Information shared with school and HV.",
        label="MASH decision", at=t("11:40"), outcome="Early Help", who=MASH2, key="ref20_dec"))
    E("gp-wnb-2020",
      R(GP, D("2020-11-18"), "missed_appointment", "WNB – pre-school booster immunisations (2nd invite). Letter sent to mum.",
        label="DNA", who=NURSE))
    # ---------------- DA-C (third in 2020: PLANTED repeated_concern) ----------------
    E("da-c",
      R(POL, D("2020-12-05"), "domestic_abuse_incident", "Neighbour reports screaming at 14 Larch Close. Jodie BRENNAN with cut to lip, states Ryan COLE slapped her; COLE gone on arrival. Child Kayla present, upset.",
        label="Domestic Abuse - assault", at=t("01:20"), outcome="DASH high. COLE circulated as wanted. PPN.", who=PC_OWUSU, ref="NP/20/112876", key="dac_inc"),
      R(POL, D("2020-12-06"), "notification", "PPN submitted to MASH: DA assault 05/12/2020, child present. Third DA incident since July.",
        part="ppn", label="PPN", at=t("10:00"), outcome="PPN to MASH", who=PC_OWUSU, ref="NP/20/112876", to=CSC, key="dac_ppn"),
      R(CSC, D("2020-12-07"), "information_shared", "PPN received: DA assault 05/12/2020, Jodie Brennan injured, Kayla present.",
        part="ppn", label="MASH contact", at=t("09:15"), outcome="For MASH decision", who=MASH2, frm=POL, key="dac_csc"),
      R(HV, D("2020-12-08"), "information_shared", "MASH notification: DA incident 05/12/2020, mum assaulted by Ryan Cole, Kayla present.",
        part="share", label="Info received", at=t("10.30am"), outcome="Home visit planned 10/12", who=HV2, frm=CSC),
      R(SCH, D("2020-12-08"), "information_shared", "Operation Encompass notification: DA incident 05/12/2020, Kayla present.",
        part="encompass", label="Information received", outcome="Key person informed", who=DSL, frm=POL),
      R(GP, D("2020-12-09"), "information_shared", "MASH notification rec’d: DA incident 05/12/20.",
        part="share", label="Correspondence in", who=ADMIN, frm=CSC))
    E("da-c-decision",
      R(CSC, D("2020-12-07"), "referral_decision", "MASH decision: Early Help offer already made; NFA by CSC. Letter to mum with DA service details.",
        label="MASH decision", at=t("15:30"), outcome="NFA - Early Help", who=MASH2, key="dac_dec"))
    E("hv-noaccess-2020",
      R(HV, D("2020-12-10"), "missed_appointment", "Planned home visit - no access. Mum texted Kayla unwell.",
        label="No access", at=t("2pm"), outcome="Rebook January", who=HV2))
    E("sch-dec20",
      R(SCH, D("2020-12-15"), "school_contact", "Kayla seen and spoken to by DSL; withdrawn, did not want to go home at collection.",
        label="Welfare", outcome="Shared with Early Help worker", who=DSL))
    # ---------------- routine entries (noise, near-identical within an agency) ----------------
    E("pol-court",
      R(POL, D("2019-07-23"), "other", "Northshire Magistrates: COLE pleaded guilty to common assault on BRENNAN. Fine and restraining order 12 months.",
        label="Court result", at=t("15:30"), outcome="Restraining order on PNC", who=DC_PRICE, ref="NP/19/071230"))
    for day in ("2019-06-03", "2019-08-05", "2019-10-21", "2019-12-02"):
        E(f"gp-rx-{day}", R(GP, D(day), "other", "Repeat prescription issued: Epaderm ointment 500g, hydrocortisone 1% cream 30g.",
                              label="Prescription", who=GP1))
    E("gp-eczema-aug",
      R(GP, D("2019-08-19"), "appointment", "Seen with mum and MGM: eczema review. Skin much better. Growth: weight 50th centile.",
        label="Face to face", who=GP2))
    E("gp-flu",
      R(GP, D("2019-10-08"), "appointment", "Nasal flu vaccine given (Fluenz). Kayla seen with mum, well.",
        label="Nurse appointment", who=NURSE))
    E("gp-wheeze-2020",
      R(GP, D("2020-10-12"), "appointment", "Seen with mum: cough, mild wheeze. Chest clear today. Inhaler technique checked. Weight 9th centile.",
        label="Face to face", who=GP2))
    for day, txt in (("2019-05-02", "Case supervision with TM: plan reviewed; risk from Ryan Cole remains; visits every 10 working days."),
                     ("2019-09-05", "Case supervision with TM: visits resumed after leave; home conditions improving."),
                     ("2019-12-18", "Case supervision with TM: CIN plan progressing; consider closure in February.")):
        E(f"csc-sup-{day}", R(CSC, D(day), "other", txt, label="Supervision", at=t("11:30"), outcome="Actions recorded", who=TM))
    for day, txt in (("2019-04-29", "EYFS progress check at age two completed with mum. Kayla seen and observed: prime areas mostly on track, speech emerging."),
                     ("2019-06-26", "Sports day. Kayla seen and spoken to; mum and MGM attended."),
                     ("2019-10-02", "Kayla seen and spoken to by key person; happy, new shoes."),
                     ("2020-01-08", "Kayla back after Christmas; seen and spoken to by DSL. Clean, well presented."),
                     ("2020-12-03", "Nursery Christmas play. Kayla seen; quiet, did not join in. Mum attended.")):
        E(f"sch-extra-{day}", R(SCH, D(day), "school_contact", txt, label="Welfare", outcome="", who=DDSL))
    E("hv-1125",
      R(HV, D("2020-11-25"), "home_visit", "Home visit. Kayla seen, quiet. Mum denies Ryan visiting. Weight 9th centile. Family support worker allocated.",
        label="Home visit", at=t("11am"), outcome="Review 4 weeks", who=HV2))

    # ---------------- the incident that triggered the review ----------------
    E("final",
      R(ED, D("2020-12-17"), "ed_attendance", "3y11m brought by ambulance. Drowsy, GCS 13, boggy swelling R parietal. Mum states fell from top bunk at MGM's. CT: skull fracture. Mechanism not consistent - NAI to be considered.",
        label="Head injury", at=t("18:47"), outcome="Admitted to paediatric ward. Safeguarding referral to MASH/EDT.", who=ED1, ref="ED20-12940", key="final_ed"),
      R(POL, D("2020-12-17"), "injury", "Attended Northshire General Hospital re 3yr old Kayla BRENNAN with skull fracture, possible NAI. Mother and Ryan COLE at hospital.",
        label="Child protection - injury", at=t("20:30"), outcome="CAIT informed. Scene at MGM address secured.", who=PC_GRANT, ref="NP/20/115002"),
      R(ED, D("2020-12-17"), "referral", "Safeguarding referral (MAR form) sent to MASH/EDT re unexplained skull fracture.",
        label="Safeguarding referral", at=t("21:30"), outcome="EDT aware", who=PLN, ref="ED20-12940", to=CSC, key="final_ref"),
      R(CSC, D("2020-12-17"), "information_shared", "EDT: referral from Northshire General ED - Kayla admitted with skull fracture, explanation inconsistent.",
        label="EDT contact", at=t("21:45"), outcome="Urgent", who=EDT, frm=ED, key="final_csc"))
    E("final-decision",
      R(CSC, D("2020-12-17"), "referral_decision", "EDT decision: immediate safeguarding response; Police CAIT informed; Kayla to remain in hospital.",
        label="EDT decision", at=t("22:10"), outcome="Day team to follow up", who=EDT, key="final_dec"))


def _hv24(s: str) -> str:
    """'2.30pm' -> '14:30' (for sorting; the HV file keeps the text as written)."""
    m = re.fullmatch(r"(\d{1,2})(?:[.:](\d{2}))?(am|pm)", s)
    if not m:
        return s
    h, mi, ap = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if ap == "pm" and h != 12:
        h += 12
    return f"{h:02d}:{mi:02d}"


def _fix_hv_times() -> None:
    """HV times were written as '2.30pm' in the story; store a time, keep the text in ``ref``."""
    for _, recs in EVENTS:
        for r in recs:
            if r.agency == HV and isinstance(r.at, str):
                r.ref = r.ref or r.at
                r.at = t(_hv24(r.at))


# --------------------------------------------------------------------------------------------- findings
@dataclass
class Finding:
    pid: str
    kind: str
    subkind: str
    expect: str
    agencies: list[str]
    frm: str
    to: str
    start: str
    end: str
    cites: list[str]  # record keys
    note: str


def findings() -> list[Finding]:
    F = Finding  # noqa: N806
    return [
        F("P01", "missed_handoff", "", "fire", [GP, HV], GP, HV, "2020-06-16", "2020-06-23", ["gp_letter"],
          "GP wrote to the HV team on 16/06/2020 asking for a review of Kayla's weight and circumstances; Health Visiting records no receipt or action (its next record is a routine visit on 05/08/2020)."),
        F("C01", "missed_handoff", "", "control", [CSC, GP], CSC, GP, "2019-12-20", "2019-12-30", ["rfi_sent", "rfi_reply"],
          "CSC request for information to the GP on Friday 20/12/2019, actioned by the GP on 30/12/2019: 10 calendar days but the 4th working day (Christmas Day and Boxing Day are bank holidays)."),
        F("P02", "info_sharing_gap", "", "fire", [POL, CSC, HV], POL, HV, "2020-07-11", "2020-07-25", ["daa_inc", "daa_ppn", "daa_csc"],
          "Domestic incident 11/07/2020 recorded by Police (PPN to CSC, shared with school and GP) while Health Visiting was involved (visits 11/06 and 05/08/2020); nothing shows Health Visiting knew."),
        F("C02", "info_sharing_gap", "", "control", [POL, CSC, HV], POL, HV, "2020-09-19", "2020-10-03", ["dab_inc", "dab_hv"],
          "Domestic incident 19/09/2020 recorded by Police while Health Visiting was involved; Health Visiting records the MASH notification on 24/09/2020."),
        F("P03", "contact_gap", "", "fire", [SCH, HV], "", "", "2020-03-18", "2020-06-11", ["gap_start", "gap_end"],
          "No professional saw Kayla for 85 days in the first lockdown (18/03/2020 to 11/06/2020): only welfare calls, phone contacts and a telephone consultation."),
        F("C03", "contact_gap", "", "control", [HV], "", "", "2020-06-11", "2020-08-05", ["gap_end", "gap2_end"],
          "55 days between HV garden visit 11/06/2020 and HV home visit 05/08/2020 (under the 60-day threshold; phone calls, a letter and a police incident with the child not present in between)."),
        F("P04", "timescale_breach", "referral_decision", "fire", [SCH, CSC], SCH, CSC, "2020-11-11", "2020-11-16", ["ref20_sent", "ref20_csc", "ref20_dec"],
          "School referral (MAR form) received by MASH on Wednesday 11/11/2020; MASH decision only on Monday 16/11/2020, 3 working days later (rule: 1)."),
        F("C04", "timescale_breach", "referral_decision", "control", [SCH, CSC], SCH, CSC, "2019-03-04", "2019-03-04", ["inj1_ref", "inj1_csc", "inj1_dec"],
          "School referral 04/03/2019 received and decided by MASH the same day. PPNs to MASH (17/02/2019, 30/06/2019, 12/07/2020, 20/09/2020, 06/12/2020) and the ED referral of 17/12/2020 are also decided within 1 working day of receipt."),
        F("P05", "timescale_breach", "icpc_to_core_group", "fire", [CSC, HV, SCH], "", "", "2019-03-22", "2019-04-17", ["icpc", "cg1"],
          "ICPC 22/03/2019; first core group 17/04/2019, 18 working days later (Good Friday and Easter Monday excluded; rule: 10)."),
        F("P06", "timescale_breach", "cp_visits", "fire", [CSC], "", "", "2019-07-25", "2019-08-22", ["cpv_before_gap", "cpv_after_gap"],
          "Kayla on a CP plan; CSC statutory visits 25/07/2019 and 22/08/2019 are 20 working days apart (SW on leave, no cover; rule: 10)."),
        F("C05", "timescale_breach", "cp_visits", "control", [CSC], "", "", "2019-04-15", "2019-04-26", ["cpv_easter_a", "cpv_easter_b"],
          "CP visits 15/04/2019 and 26/04/2019 are 11 calendar days but 7 working days apart (Good Friday, Easter Monday); every other pair of CP visits is within 10 working days, as are ICPC to first visit and last visit to plan end."),
        F("C06", "timescale_breach", "strategy_to_icpc", "control", [CSC, POL, HV, SCH], "", "", "2019-03-05", "2019-03-22", ["strat1", "icpc"],
          "Strategy discussion 05/03/2019 to ICPC 22/03/2019: 13 working days (rule: 15)."),
        F("C07", "timescale_breach", "icpc_to_review", "control", [CSC, HV, SCH], "", "", "2019-03-22", "2019-06-14", ["icpc", "rcpc1"],
          "ICPC 22/03/2019 to first RCPC 14/06/2019: under 3 months."),
        F("C08", "timescale_breach", "review_interval", "control", [CSC, HV, SCH], "", "", "2019-06-14", "2019-11-22", ["rcpc1", "rcpc2"],
          "RCPC 14/06/2019 to RCPC 22/11/2019 (plan ended): under 6 months."),
        F("C09", "timescale_breach", "assessment_duration", "control", [CSC], "", "", "2019-02-19", "2019-04-12", ["assess_start", "assess_done"],
          "C&F assessment started 19/02/2019, completed 12/04/2019: 38 working days (rule: 45)."),
        F("P07", "repeated_concern", "domestic_abuse", "fire", [POL, CSC], POL, CSC, "2020-07-11", "2020-12-05", ["daa_inc", "dab_inc", "dac_inc"],
          "Three domestic abuse incidents notified to CSC (11/07, 19/09, 05/12/2020) within 12 months with no strategy discussion, conference or assessment (MASH decisions only: NFA, Early Help)."),
        F("C10", "repeated_concern", "missed_appointment", "control", [GP, HV, CSC], "", "", "2019-02-11", "2019-03-11", ["m1", "m2", "m3", "assess_start"],
          "Three missed appointments of Kayla (GP WNB 11/02, HV no access 26/02, GP WNB 11/03/2019) within 12 months, but a C&F assessment started 19/02/2019 and a strategy discussion was held 05/03/2019 in the window."),
        F("P08", "closure_after_concern", "", "fire", [CSC, SCH], SCH, CSC, "2020-01-15", "2020-03-15", ["csc_close_2020", "neglect"],
          "CSC closed the case on 14/02/2020, ten days after the school recorded a neglect concern (04/02/2020: unkempt, smelling of urine, hungry)."),
        F("C11", "closure_after_concern", "", "control", [CSC], "", "", "2018-12-11", "2019-02-09", ["csc_close_2019"],
          "CSC closed the case on 10/01/2019 with no concern from another agency in the 30 days before or after (the next concern is the DA incident of 16/02/2019, 37 days later)."),
        F("P09", "conflicting_accounts", "", "fire", [ED, HV], ED, HV, "2019-09-14", "2019-09-16", ["ed_head", "hv_stairs"],
          "ED attendance 14/09/2019: mum told ED Kayla fell off the sofa (also in the GP, CSC and school records), but told the HV two days later she fell down the stairs."),
        F("C12", "conflicting_accounts", "", "control", [ED, GP, CSC, SCH, HV], "", "", "2020-09-26", "2020-09-29", ["ed_burn", "burn_sch"],
          "ED attendance 26/09/2020 for a burn: ED, GP, CSC, school and HV all record the same account (touched hair straighteners)."),
        # Issue 15: handoffs are read from every column whatever the record's type, and every recipient is
        # checked; a concern is read from every text column. These follow from the records as written.
        F("P10", "missed_handoff", "", "fire", [SCH, CSC], SCH, CSC, "2019-03-11", "2019-03-22", ["sch_share1"],
          "The school's welfare note of w/c 11/03/2019 says in its outcome that it was shared with the SW; CSC records nothing of it."),
        F("P11", "missed_handoff", "", "fire", [SCH, CSC], SCH, CSC, "2019-06-12", "2019-06-19", ["sch_share2"],
          "Mum told the school on about 12/06/2019 that Ryan had moved out; the outcome says shared with the SW; CSC records nothing of it."),
        F("P12", "missed_handoff", "", "fire", [HV, CSC], HV, CSC, "2019-08-13", "2019-08-20", ["m4"],
          "HV no access visit 13/08/2019, outcome 'SW informed'; CSC records no contact from the HV about it."),
        F("P13", "info_sharing_gap", "", "fire", [HV, SCH], HV, SCH, "2020-06-11", "2020-06-25", ["gap_end"],
          "HV garden visit 11/06/2020: Kayla looks thin, weight down from the 50th to the 9th centile; the school, in weekly contact by phone, shows no knowledge of it."),
        F("P14", "missed_handoff", "", "fire", [CSC, HV, SCH], CSC, HV, "2020-11-16", "2020-11-23", ["ref20_dec"],
          "MASH decision 16/11/2020: 'Information shared with school and HV'; neither the HV nor the school records receiving it."),
        F("P15", "missed_handoff", "", "fire", [CSC, POL], CSC, POL, "2020-12-17", "2020-12-24", ["final_dec"],
          "EDT decision 17/12/2020: 'Police CAIT informed'; the police chronology records nothing of it."),
    ]


# fmt: on
# --------------------------------------------------------------------------------------------- rendering
@dataclass
class Row:
    """A row as written, with its truth."""

    cells: list
    status: str = "event"  # event | continuation | rejected | blank | header
    reason: str = ""
    rec: R | None = None


def by_agency(agency: str) -> list[R]:
    recs = [r for _, rs in EVENTS for r in rs if r.agency == agency]
    return sorted(recs, key=lambda r: (r.day, r.at is None, r.at or time(0, 0)))


def ddmmyyyy(x: date) -> str:
    return x.strftime("%d/%m/%Y")


def police_rows() -> list[Row]:
    rows = []
    for r in by_agency(POL):
        rows.append(Row([r.stamp, r.ref, r.label, r.text, r.outcome, r.who], rec=r))
    return rows


def csc_rows() -> list[Row]:
    rows = []
    for r in by_agency(CSC):
        rows.append(
            Row(
                [r.day.isoformat(), r.at.strftime("%H%M") if r.at else "", r.label, r.text, r.outcome, r.who],
                rec=r,
            )
        )
    return rows


def gp_rows() -> list[Row]:
    rows = []
    for r in by_agency(GP):
        rows.append(Row([r.day.strftime("%d/%m/%y"), r.label, r.text, r.who], rec=r))
    return rows


def _hv_time_text(at: time | None) -> str:
    """time(14, 30) -> '2.30pm', time(10, 0) -> '10am' (how the HV system prints times)."""
    if at is None:
        return ""
    h = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    return f"{h}{suffix}" if at.minute == 0 else f"{h}.{at.minute:02d}{suffix}"


def hv_rows() -> list[Row]:
    rows = []
    for r in by_agency(HV):
        rows.append(
            Row([ddmmyyyy(r.day), r.ref or _hv_time_text(r.at), r.label, r.text, r.outcome, r.who], rec=r)
        )
        if r.cont:
            rows.append(
                Row(["", "", "", r.cont, "", ""], status="continuation", reason="continuation", rec=r)
            )
    return rows


def school_rows() -> list[Row]:
    rows = []
    for r in by_agency(SCH):
        rows.append(Row([r.date_text or r.day, r.label, r.text, r.outcome, r.who], rec=r))
    return rows


def ed_rows() -> list[Row]:
    rows = []
    for r in by_agency(ED):
        if r.etype == "referral":
            rows.append(
                Row([r.stamp.strftime("%d-%b-%Y %H:%M"), r.ref, r.label, r.text, r.outcome, r.who], rec=r)
            )
        else:
            rows.append(
                Row([r.stamp.strftime("%d-%b-%Y %H:%M"), r.ref, r.label, r.text, r.outcome, r.who], rec=r)
            )
    return rows


def _insert_after(rows: list[Row], pred, new: Row) -> None:
    for i, row in enumerate(rows):
        if row.rec is not None and pred(row.rec):
            j = i + 1
            while j < len(rows) and rows[j].status == "continuation":
                j += 1
            rows.insert(j, new)
            return
    raise AssertionError("anchor not found")


def _fixed_xlsx(wb: openpyxl.Workbook) -> bytes:
    """Save a workbook with fixed document properties and fixed zip timestamps."""
    wb.properties.creator = "chronology demo generator"
    wb.properties.lastModifiedBy = "chronology demo generator"
    wb.properties.created = FIXED_STAMP
    buf = io.BytesIO()
    wb.save(buf)
    stamp = FIXED_STAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    data,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_STAMP.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, data)
    return out.getvalue()


WRAP = Alignment(wrap_text=True, vertical="top")
SERIAL_DATES = {date(2019, 10, 2)}  # School: written as an Excel serial number (43740) in a General cell


def write_police(out: Path) -> list[tuple[Row, str, int]]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Chronology"
    ws["A1"] = "Northshire Police IMR chronology - Child H"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Prepared by DS 0904 A. Pryce, Public Protection Unit, 12/01/2021"
    header = ["Date/Time", "Occurrence No", "Incident type", "Summary", "Action taken", "Officer"]
    hr = 4
    for c, h in enumerate(header, 1):
        ws.cell(hr, c, h).font = Font(bold=True)
    placed = []
    r = hr + 1
    for row in police_rows():
        for c, v in enumerate(row.cells, 1):
            cell = ws.cell(r, c, v)
            cell.alignment = WRAP
            if c == 1:
                cell.number_format = "dd/mm/yyyy hh:mm"
        placed.append((row, "Chronology", r))
        r += 1
    r += 1  # one blank row before the footer
    ws.cell(r, 1, "End of chronology").font = Font(italic=True)
    placed.append((Row(["End of chronology"], status="rejected", reason="footer"), "Chronology", r))
    for col, w in zip("ABCDEF", (17, 15, 24, 80, 40, 18), strict=True):
        ws.column_dimensions[col].width = w
    notes = wb.create_sheet("Notes")
    for i, line in enumerate(
        [
            "Notes to the panel",
            "Occurrence numbers are from the force records management system.",
            "Times are the time of the call or, for PPNs, the time the PPN was submitted.",
            "Names of third parties have been removed.",
            "Contact: Public Protection Unit, Northshire Police.",
        ],
        1,
    ):
        notes.cell(i, 1, line)
    (out / FILES[POL]).write_bytes(_fixed_xlsx(wb))
    return placed


def write_csc(out: Path) -> list[tuple[Row, str, int]]:
    wb = openpyxl.Workbook()
    cover = wb.active
    cover.title = "Cover"
    for i, (k, v) in enumerate(
        [
            ("Northshire Council Children's Services - case record export", ""),
            ("Child", "Kayla Brennan"),
            ("Date of birth", "09/01/2017"),
            ("LCS ID", "4471023"),
            ("Period", "01/01/2019 - 31/12/2020"),
            ("Exported", "14/01/2021 09:32 by S. Quinn"),
            ("Note", "Case notes only; documents and forms not included."),
        ],
        1,
    ):
        cover.cell(i, 1, k)
        if v:
            cover.cell(i, 2, v)
    ws = wb.create_sheet("Case notes")
    header = ["Event date", "Time", "Contact type", "Case note", "Outcome", "Worker"]
    for c, h in enumerate(header, 1):
        ws.cell(1, c, h).font = Font(bold=True)
    placed = []
    for i, row in enumerate(csc_rows(), 2):
        for c, v in enumerate(row.cells, 1):
            ws.cell(i, c, v)
        placed.append((row, "Case notes", i))
    (out / FILES[CSC]).write_bytes(_fixed_xlsx(wb))
    return placed


def write_school(out: Path) -> list[tuple[Row, str, int]]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "DSL log"
    ws["A1"] = "Oakfield Primary School & Nursery - safeguarding chronology: Kayla Brennan (DOB 09/01/2017)"
    ws["A1"].font = Font(bold=True)
    header = ["Date", "Concern / event", "Details", "Action taken", "DSL"]
    for c, h in enumerate(header, 1):
        ws.cell(2, c, h).font = Font(bold=True)
    rows = school_rows()
    # the impossible date, in February 2020
    _insert_after(
        rows,
        lambda r: r.key == "neglect",
        Row(
            [
                "31/02/2020",
                "Attendance",
                "Attendance letter 1 sent to mum: attendance 84% this half term.",
                "Monitor",
                DDSL,
            ],
            status="event",
            reason="date as written is impossible",
        ),
    )
    # one blank row in the summer holiday
    _insert_after(rows, lambda r: r.day == D("2019-07-19"), Row([], status="blank"))
    placed = []
    r = 3
    merged_from = None
    for row in rows:
        if row.status == "blank":
            r += 1
            continue
        rec = row.rec
        for c, v in enumerate(row.cells, 1):
            if c == 1 and isinstance(v, date):
                if rec is not None and rec.key == "inj1_ref":
                    continue  # merged with the row above
                if v in SERIAL_DATES:
                    # pasted from another sheet: the date lost its format and shows as a serial number
                    ws.cell(r, 1, (v - date(1899, 12, 30)).days).number_format = "General"
                else:
                    cell = ws.cell(r, 1, datetime.combine(v, time(0, 0)))
                    cell.number_format = "dd/mm/yyyy"
                if rec is not None and rec.key == "inj1_sch":
                    merged_from = r
            else:
                ws.cell(r, c, v).alignment = WRAP
        placed.append((row, "DSL log", r))
        r += 1
    assert merged_from is not None
    ws.merge_cells(start_row=merged_from, start_column=1, end_row=merged_from + 1, end_column=1)
    ws.cell(merged_from, 1).alignment = Alignment(vertical="center")
    for col, w in zip("ABCDE", (14, 22, 80, 30, 26), strict=True):
        ws.column_dimensions[col].width = w
    (out / FILES[SCH]).write_bytes(_fixed_xlsx(wb))
    return placed


def _write_csv(
    path: Path,
    header: list[str],
    rows: list[Row],
    *,
    encoding: str,
    delimiter: str = ",",
    lineterminator: str = "\r\n",
    quoting: int = csv.QUOTE_MINIMAL,
) -> list[tuple[Row, str, int]]:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator, quoting=quoting)
    w.writerow(header)
    placed = []
    n = 1
    for row in rows:
        n += 1
        if row.status == "blank":
            buf.write(lineterminator)
            continue
        w.writerow(row.cells)
        placed.append((row, "", n))
    path.write_bytes(buf.getvalue().encode(encoding))
    return placed


def write_gp(out: Path) -> list[tuple[Row, str, int]]:
    header = ["Date of contact", "Consultation type", "Entry", "Clinician"]
    rows = gp_rows()
    # a page-break export repeats the header
    _insert_after(
        rows,
        lambda r: r.day == D("2019-09-16"),
        Row(list(header), status="rejected", reason="repeated header"),
    )
    return _write_csv(out / FILES[GP], header, rows, encoding="cp1252", quoting=csv.QUOTE_ALL)


def write_hv(out: Path) -> list[tuple[Row, str, int]]:
    header = ["Date", "Time", "Contact", "Narrative", "Action", "HV"]
    rows = hv_rows()
    # multi-line cells: the two conference records carry line breaks
    for row in rows:
        if (
            row.rec is not None
            and row.status == "event"
            and row.rec.etype in ("initial_conference", "review_conference")
        ):
            row.cells[3] = row.cells[3].replace(". ", ".\n", 1)
        if row.rec is not None and row.status == "event" and row.rec.key == "hv_stairs":
            row.cells[3] = row.cells[3].replace(" Telephoned", "\nTelephoned")
    data = b"\xef\xbb\xbf"
    placed = _write_csv(out / FILES[HV], header, rows, encoding="utf-8", delimiter=";")
    (out / FILES[HV]).write_bytes(data + (out / FILES[HV]).read_bytes())
    return placed


def write_ed(out: Path) -> list[tuple[Row, str, int]]:
    header = ["Arrival", "Attendance No", "Presenting complaint", "Triage notes", "Outcome", "Clinician"]
    rows = ed_rows()
    _insert_after(rows, lambda r: r.key == "ed_dup_b", Row([], status="blank"))
    return _write_csv(out / FILES[ED], header, rows, encoding="utf-8", lineterminator="\n")


CASE_TOML = """# Synthetic demo case: everything here is invented.
# Each source names only its path and agency; the readers detect the rest.

[case]
name = "Child H review"
timezone = "Europe/London"
date_of_birth = 2017-01-09

[names]
# real name = pseudonym; practitioners' names are left as they are
"Kayla Brennan" = "Child H"
"Kayla" = "Child H"
"Jodie Brennan" = "Mother"
"Jodie" = "Mother"
"Brennan" = "Mother"          # the police write the mother as BRENNAN alone
"Ryan Cole" = "Partner"
"Ryan" = "Partner"
"Cole" = "Partner"
"Sandra Brennan" = "Maternal grandmother"
"Sandra" = "Maternal grandmother"
"14 Larch Close" = "the family home"

[[sources]]
path = "police.xlsx"
agency = "Police"

[[sources]]
path = "csc.xlsx"
agency = "Children's Social Care"

[[sources]]
path = "gp.csv"
agency = "GP"

[[sources]]
path = "health_visiting.csv"
agency = "Health Visiting"

[[sources]]
path = "school.xlsx"
agency = "School"

[[sources]]
path = "ed.csv"
agency = "Emergency Department"
"""


# --------------------------------------------------------------------------------------------- truth
def write_truth(out: Path, placed: dict[str, list[tuple[Row, str, int]]], fnd: list[Finding]) -> None:
    tdir = out / "truth"
    tdir.mkdir(parents=True, exist_ok=True)
    # true_event ids: only for events with 2+ records
    te: dict[int, str] = {}
    for eid, recs in EVENTS:
        groups: dict[str, list[R]] = {}
        for r in recs:
            groups.setdefault(f"{eid}/{r.part}" if r.part else eid, []).append(r)
        for gid, members in groups.items():
            if len(members) >= 2:
                for r in members:
                    te[id(r)] = gid
                    r.true_event = gid
    cols = [
        "source_file",
        "source_sheet",
        "source_row",
        "status",
        "reason_hint",
        "event_type",
        "date",
        "date_precision",
        "true_event",
        "agency",
        "from_agency",
        "to_agency",
        "record_key",
    ]
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for agency in AGENCY_ORDER:
        for row, sheet, n in placed[agency]:
            rec = row.rec
            if row.status == "event" and rec is not None:
                assert rec is not None
                rec.loc = (FILES[agency], sheet, n)
                w.writerow(
                    [
                        FILES[agency],
                        sheet,
                        n,
                        "event",
                        "approximate date" if rec.date_text.startswith("approx") else "",
                        rec.etype,
                        rec.day.isoformat(),
                        rec.prec,
                        te.get(id(rec), ""),
                        agency,
                        rec.frm,
                        rec.to,
                        rec.key,
                    ]
                )
            elif row.status == "event":  # the impossible date: kept, dated by its month
                w.writerow(
                    [
                        FILES[agency],
                        sheet,
                        n,
                        "event",
                        row.reason,
                        "letter",
                        "2020-02-01",
                        "month",
                        "",
                        agency,
                    ]
                    + ["", "", ""]
                )
            else:
                w.writerow(
                    [FILES[agency], sheet, n, row.status, row.reason, "", "", "", "", agency, "", "", ""]
                )
    (tdir / "rows.csv").write_bytes(buf.getvalue().encode("utf-8"))

    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        [
            "planted_id",
            "kind",
            "subkind",
            "expect",
            "agencies",
            "from_agency",
            "to_agency",
            "start",
            "end",
            "cites",
            "note",
        ]
    )
    for f in fnd:
        cites = []
        for k in f.cites:
            loc = KEYS[k].loc
            assert loc is not None, k
            cites.append(f"{loc[0]}:{loc[1]}:{loc[2]}")
        w.writerow(
            [
                f.pid,
                f.kind,
                f.subkind,
                f.expect,
                ";".join(f.agencies),
                f.frm,
                f.to,
                f.start,
                f.end,
                ";".join(cites),
                f.note,
            ]
        )
    (tdir / "findings.csv").write_bytes(buf.getvalue().encode("utf-8"))
    (tdir / "README.md").write_bytes(TRUTH_README.encode("utf-8"))


TRUTH_README = """# Truth of the Child H demo case

Written by `data_samples/make_demo.py` with the agency files; do not edit by hand (re-run the generator).
Everything is invented. Dates are ISO (`2019-03-05`), local to Europe/London.

## rows.csv: what every row of every source is

One line per **non-empty row below the header** of the chronology in each source (the data sheet only:
the Police "Notes" sheet, the CSC "Cover" sheet and the title rows above a header are not rows of the
chronology). Blank rows are not listed.

| column | meaning |
|---|---|
| source_file | the path as written in case.toml |
| source_sheet | the worksheet ("" for CSV) |
| source_row | the row number a spreadsheet program shows, header rows and title rows included. For CSV: the **record** number with the header as row 1, counting every record `csv.reader` yields (a blank line is a record; a quoted cell spanning several lines is part of one record), i.e. `enumerate(csv.reader(f), start=1)`. A file's BOM is not a record. |
| status | `event`, `continuation` (no date, no type: text carrying on the entry above) or `rejected` (footer, repeated header); a date that cannot exist (31/02/2020) is an event dated by its month |
| reason_hint | for rejected and continuation rows a word the reader's `reason` should contain ("footer", "repeated header", "continuation"); for events with an approximate date, "approximate date"; for a date that cannot exist, "date as written is impossible" |
| event_type | the expected type id of `schemas/vocabulary.toml` (events only) |
| date | the local date of the start (events only). Approximate dates start where `chronology/ingest/dates.py` says: "w/c 11/03/2019" is 2019-03-11 (precision week), "Spring term 2019" is 2019-01-08 (precision term: the first day every school is in term), "approx 12/06/2019" is 2019-06-12 (precision day, approximate) |
| date_precision | `time`, `day`, `week`, `month`, `term` (events only) |
| true_event | an id shared by every row that records the same real event (used to score matching); empty when only one row records the event. Receipts that name the event they learned of ("Minutes rec'd: core group 17/04/2019", "A&E letter rec'd ...") belong to that event. The ED attendance exported twice is one true event. As in the reference cases (`shared/cases/README.md`), a notification is a happening of its own: the police's PPN and the MASH's record of receiving it are one event (`da1/ppn`), apart from the incident it reports (`da1`); the MASH's onward notification and the records of receiving it another (`da1/share`); a call or an email to one agency, recorded only by that agency, an event of one record; a school's own sighting of an injury that ED treated is the school's event. |
| agency | the agency label of the source |
| from_agency / to_agency | for receipts and handoffs, the case's agency label of the sender / receiver (informative, not scored) |
| record_key | the generator's handle for records that findings cite (informative) |

## Event types: the conventions behind event_type

- A record that an agency **received** something (a PPN, a MASH notification, an ED or paed liaison letter,
  a referral, a closure letter, an email or call passing on information) is `information_shared`, with
  `from_agency` the sender, even when its wording says "PPN", "referral" or "notification". Only the
  sender's record is `notification`, `referral`, `letter` or `information_request` (with `to_agency`).
- A record of a meeting or conference, whether attended or learned of afterwards ("Minutes rec'd: core
  group 17/04/2019", "ICPC outcome rec'd"), takes the meeting's type (`core_group`, `initial_conference`...).
- Records of seeing an injury are `injury` (the school's body-map entries); an emergency department row is
  `ed_attendance` whatever it presents with; a police record of a domestic incident is
  `domestic_abuse_incident` even when it says "No injuries" or "arrested".
- A school's own day-to-day entries in which staff saw the child are `school_contact`; welfare calls in
  lockdown are `phone_call`; a GP "Face to face" consultation is `appointment`.
- A MASH or EDT decision row is `referral_decision`, whatever it decides; starting a C&F assessment is
  `assessment`, completing it `assessment_completed`.

## findings.csv: planted findings and their controls

| column | meaning |
|---|---|
| planted_id | P.. for a planted finding, C.. for a control |
| kind, subkind | the finding kind of DESIGN.md; subkind for timescale_breach (`referral_decision`, `strategy_to_icpc`, `icpc_to_core_group`, `icpc_to_review`, `review_interval`, `assessment_duration`, `cp_visits`) and for repeated_concern (the concern category) |
| expect | `fire`: the detector must report it; `control`: a near miss the detector must **not** report |
| agencies | the agencies involved, `;`-separated |
| from_agency, to_agency | for handoffs and information sharing, who should have told whom |
| start, end | the period concerned (ISO dates) |
| cites | the rows that show it, `source_file:sheet:row;...` (sheet empty for CSV, so `gp.csv::12`); a finding that fires should cite at least these rows |
| note | one sentence: what was planted |

A finding matches a planted row when kind (and subkind for timescale_breach) agree, the finding's start
(as a local date) falls within start..end, and it cites at least one of the rows in `cites`. (Not "its
period overlaps": the contact-gap control C03 begins on the day the planted gap P03 ends, and shares that
row.) Every `fire` row must be matched by a finding; no `control` row may be. Default rules apply (schemas/rules.toml):
5 working days for handoffs, 60/14 days for information sharing, 60 days for contact gaps, the Working
Together timescales, 3 concerns in 12 months, 30 days around a closure. Working days exclude weekends and
England & Wales bank holidays.

## What is planted (short)

- Matching: about 30 multi-agency true events (strategy discussion, ICPC, RCPCs, core groups, CIN meetings,
  DA incidents with PPN and MASH receipt, ED attendances with GP letters and HV notifications), receipts
  recorded up to a week later with the date named in the text, one ED attendance exported twice. Traps
  that must stay apart: weekly/fortnightly HV visits and CSC CP visits with near-identical wording, often
  on adjacent days (HV 16/04 and CSC 15/04/2019), nine core groups with the same wording, repeated
  "WNB - DNA letter sent" rows, and MASH contact and MASH decision rows on the same day.
- Findings: see findings.csv; the generator's self-checks re-derive each from the records.
"""


# --------------------------------------------------------------------------------------------- self-checks
UK_HOL = holidays.country_holidays("GB", subdiv="ENG", years=range(2018, 2022))
NOT_SEEN = [
    "child not seen",
    "not seen",
    "no access",
    "no reply",
    "no answer",
    "child asleep",
    "was asleep",
    "at nursery",
    "at school",
    "not present",
    "not at home",
    "not brought",
    "was not brought",
    "did not attend",
    "dna",
    "wnb",
]
SEEN_TYPES = {"home_visit", "appointment", "school_contact", "ed_attendance", "hospital_admission"}
CONCERN = {
    "injury": "injury",
    "disclosure": "disclosure",
    "domestic_abuse_incident": "domestic_abuse",
    "neglect_concern": "neglect",
}


def is_wd(x: date) -> bool:
    return x.weekday() < 5 and x not in UK_HOL


def wd_between(a: date, b: date) -> int:
    """Working days after a, up to and including b."""
    n, x = 0, a
    while x < b:
        x += timedelta(days=1)
        n += is_wd(x)
    return n


def _has(text: str, phrase: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text.lower()) is not None


def seen(r: R) -> bool:
    if r.seen is not None:
        return r.seen
    if r.etype not in SEEN_TYPES or r.prec in ("term",):
        return False
    return not any(_has(r.text + " " + r.outcome, p) for p in NOT_SEEN)


def self_check(fnd: list[Finding]) -> list[str]:
    log = []
    allrecs = [r for _, rs in EVENTS for r in rs]
    # 1. contact gaps
    days = sorted({r.day for r in allrecs if seen(r)})
    gaps = [(a, b, (b - a).days) for a, b in zip(days, days[1:], strict=False) if (b - a).days > 45]
    log.append("child-seen gaps > 45 days: " + ", ".join(f"{a}..{b} ({n})" for a, b, n in gaps))
    assert [(str(a), str(b)) for a, b, n in gaps if n > 60] == [("2020-03-18", "2020-06-11")], gaps
    assert any(str(a) == "2020-06-11" and n == 55 for a, b, n in gaps), gaps
    # 2. timescales
    k = KEYS
    assert wd_between(k["strat1"].day, k["icpc"].day) == 13
    assert wd_between(k["icpc"].day, k["cg1"].day) == 18
    first_cg = min(r.day for r in allrecs if r.etype == "core_group")
    assert first_cg == k["cg1"].day
    log.append(f"assessment: {wd_between(k['assess_start'].day, k['assess_done'].day)} WD")
    cpv = sorted(
        r.day
        for r in allrecs
        if r.agency == CSC and r.etype == "home_visit" and k["cp_start"].day <= r.day <= k["cp_end"].day
    )
    pts = [k["cp_start"].day, *cpv, k["cp_end"].day]
    over = [(a, b, wd_between(a, b)) for a, b in zip(pts, pts[1:], strict=False) if wd_between(a, b) > 10]
    assert [(str(a), str(b)) for a, b, _ in over] == [("2019-07-25", "2019-08-22")], over
    log.append(
        f"cp visit gaps over 10 WD: {over}; max of the rest: "
        f"{max(wd_between(a, b) for a, b in zip(pts, pts[1:], strict=False) if (a, b) != over[0][:2])} WD"
    )
    assert wd_between(k["cpv_easter_a"].day, k["cpv_easter_b"].day) <= 10
    assert (k["cpv_easter_b"].day - k["cpv_easter_a"].day).days > 10
    # referral decisions: every handoff to CSC has a CSC decision within 1 WD of CSC's receipt, except DA-B
    for sent, recv, dec in [
        ("da1_ppn", "da1_csc", "da1_dec"),
        ("inj1_ref", "inj1_csc", "inj1_dec"),
        ("da2_ppn", "da2_csc", "da2_dec"),
        ("daa_ppn", "daa_csc", "daa_dec"),
        ("dab_ppn", "dab_csc", "dab_dec"),
        ("dac_ppn", "dac_csc", "dac_dec"),
        ("final_ref", "final_csc", "final_dec"),
        ("ref20_sent", "ref20_csc", "ref20_dec"),
    ]:
        n_recv = wd_between(k[recv].day, k[dec].day)
        n_sent = wd_between(k[sent].day, k[dec].day)
        late = sent == "ref20_sent"
        assert (n_recv > 1) == late and (n_sent > 1) == late, (sent, n_recv, n_sent)
    handoffs = [r for r in allrecs if r.to]
    assert {r.key for r in handoffs} == {
        "da1_ppn",
        "inj1_ref",
        "da2_ppn",
        "daa_ppn",
        "dab_ppn",
        "dac_ppn",
        "final_ref",
        "rfi_sent",
        "gp_letter",
        "ref20_sent",
    }, [r.key for r in handoffs]
    # 3. missed handoffs: receipt by the target in the same true event within 5 WD
    for _eid, recs in EVENTS:
        for r in recs:
            if not r.to:
                continue
            got = [x for x in recs if x.agency == r.to and x is not r]
            ok = [x for x in got if wd_between(r.day, x.day) <= 5]
            assert bool(ok) == (r.key != "gp_letter"), r.key
    assert wd_between(k["rfi_sent"].day, k["rfi_reply"].day) == 4
    # 4. information sharing: for each concern, every agency active (record within 60 days before and
    #    after) knows within 14 days (a record in the same true event), except the planted gap.
    expected_gaps = {("da-a", HV)}
    found = set()
    for eid, recs in EVENTS:
        concern = [
            r
            for r in recs
            if r.etype in CONCERN
            or (r.etype == "ed_attendance" and eid in ("ed-head-2019", "ed-burn", "final"))
        ]
        if not concern:
            continue
        c0 = min(concern, key=lambda r: r.stamp)
        knowers = {r.agency for r in recs if (r.day - c0.day).days <= 14}
        for b in AGENCY_ORDER:
            if b in knowers:
                continue
            before = any(0 < (c0.day - r.day).days <= 60 for r in allrecs if r.agency == b)
            after = any(0 < (r.day - c0.day).days <= 60 for r in allrecs if r.agency == b)
            if before and after:
                found.add((eid, b))
    assert found == expected_gaps, found
    log.append(f"info-sharing gaps: {sorted(found)}")
    # 5. repeated concerns: windows of 12 months from each concern
    resp = {
        "strategy_discussion",
        "s47_enquiry",
        "initial_conference",
        "review_conference",
        "assessment",
        "assessment_completed",
    }
    resp_days = sorted({r.day for r in allrecs if r.etype in resp})
    cats: dict[str, list[date]] = {}
    for eid, recs in EVENTS:
        for cat, types in (
            ("domestic_abuse", {"domestic_abuse_incident"}),
            ("missed_appointment", {"missed_appointment"}),
            ("injury", {"injury"}),
            ("neglect", {"neglect_concern"}),
        ):
            ds = [r.day for r in recs if r.etype in types]
            if eid in ("ed-head-2019", "ed-burn", "final") and cat == "injury":
                ds.append(recs[0].day)
            if ds:
                cats.setdefault(cat, []).append(min(ds))
    fired = []
    for cat, ds in cats.items():
        ds.sort()
        for i, a in enumerate(ds):
            end = a.replace(year=a.year + 1)
            inwin = [x for x in ds[i:] if x < end]
            if len(inwin) >= 3:
                response = any(a <= x < end for x in resp_days)
                if not response:
                    fired.append((cat, a))
    assert fired == [("domestic_abuse", D("2020-07-11"))], fired
    log.append(f"repeated concerns firing: {fired}")
    # 6. closures
    for key, should in (("csc_close_2019", False), ("csc_close_2020", True)):
        c = k[key].day
        near = [
            r
            for _, rs in EVENTS
            for r in rs
            if r.agency != CSC and r.etype in CONCERN and abs((r.day - c).days) <= 30
        ]
        assert bool(near) == should, (key, near)
    near_end = [
        r
        for r in allrecs
        if r.agency != CSC and r.etype in CONCERN and abs((r.day - k["cp_end"].day).days) <= 30
    ]
    assert not near_end
    # 7. the matching traps: same-agency, same-type records never closer than 7 days unless one event
    log.append(
        f"events: {len(EVENTS)}; multi-agency true events: {sum(1 for _, rs in EVENTS if len({r.agency for r in rs}) >= 2)}"
    )
    return log


# --------------------------------------------------------------------------------------------- main
def build(out: Path) -> list[str]:
    EVENTS.clear()
    KEYS.clear()
    story()
    _fix_hv_times()
    fnd = findings()
    out.mkdir(parents=True, exist_ok=True)
    placed = {
        POL: write_police(out),
        CSC: write_csc(out),
        GP: write_gp(out),
        HV: write_hv(out),
        SCH: write_school(out),
        ED: write_ed(out),
    }
    (out / "case.toml").write_bytes(CASE_TOML.encode("utf-8"))
    write_truth(out, placed, fnd)
    return self_check(fnd)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else HERE / "child_h"
    for line in build(out):
        print(line)
    n = len((out / "truth" / "rows.csv").read_text(encoding="utf-8").splitlines()) - 1
    print(f"wrote {out} ({n} rows in truth/rows.csv)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
