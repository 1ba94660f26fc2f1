"""conflicting_accounts: one event, different explanations to different agencies."""

from __future__ import annotations

from chronology.analysis.conflicting_accounts import mechanisms


def test_mechanisms_are_reduced_to_kind_and_object():
    assert mechanisms("Mum said he fell off the sofa") == [("fall", "sofa", "fell off the sofa")]
    assert mechanisms("fell down the stairs")[0][:2] == ("fall", "stair")
    assert mechanisms("hit by mum's boyfriend")[0][:2] == (
        "hit",
        "boyfriend",
    )  # the possessor's noun is the object
    assert mechanisms("Burn from the iron, hit by his brother")[0][:2] == ("burn", "iron")
    assert mechanisms("No explanation given for the bruising")[0][:2] == ("unexplained", "")
    assert mechanisms("Child seen in clinic, well") == []


def test_different_explanations_in_one_cluster_fire(ev, detect):
    found = detect(
        "conflicting_accounts",
        ev(
            "Emergency Department",
            "2019-05-12",
            "ed_attendance",
            "Bruised arm. Mother says he fell off the sofa.",
            rid="e1",
            cluster_id="k1",
        ),
        ev(
            "School",
            "2019-05-13",
            "injury",
            "Child said he was hit by mum's boyfriend",
            rid="s1",
            cluster_id="k1",
        ),
    )
    assert len(found) == 1
    f = found.iloc[0]
    assert '"fell off the sofa"' in f.statement and '"hit by mum\'s boyfriend"' in f.statement
    assert f.severity == "high"  # an ED attendance
    assert f.agencies == ["Emergency Department", "School"]


def test_same_explanation_worded_differently_does_not_fire(ev, detect):
    found = detect(
        "conflicting_accounts",
        ev(
            "Emergency Department",
            "2019-05-12",
            "ed_attendance",
            "Fell down the stairs at home",
            rid="e1",
            cluster_id="k1",
        ),
        ev(
            "GP",
            "2019-05-14",
            "appointment",
            "Follow-up after falling down the stairs",
            rid="g1",
            cluster_id="k1",
        ),
    )
    assert len(found) == 0  # fall/stair both


def test_one_agency_silent_or_different_clusters_do_not_fire(ev, detect):
    found = detect(
        "conflicting_accounts",
        ev(
            "Emergency Department",
            "2019-05-12",
            "ed_attendance",
            "Fell off the sofa",
            rid="e1",
            cluster_id="k1",
        ),
        ev(
            "School", "2019-05-13", "injury", "Bruise to arm noted", rid="s1", cluster_id="k1"
        ),  # no explanation phrase
        ev(
            "School", "2019-09-13", "injury", "Hit by a ball in PE", rid="s2", cluster_id="k2"
        ),  # another event
    )
    assert len(found) == 0
