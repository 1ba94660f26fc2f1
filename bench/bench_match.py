"""Benchmark matching against Splink (DuckDB) on labelled synthetic cases.

Not a test. Generates cases with ``chronology.synth.generate_case``, matches
them with ``chronology.match.match_events`` and, side by side in the same
run, with Splink 4+ on DuckDB, and prints a markdown table: records, wall
time, peak memory, pairwise precision / recall / F1 and B-cubed F1, and the
ratios.

Usage::

    python -m bench.bench_match                    # 10k and 100k records, one case
    python -m bench.bench_match --sizes 10000 --million   # and 1M over 1,000 subjects
    python -m bench.bench_match --no-splink
    python -m bench.bench_match --estimate         # m/u tables for schemas/match.toml

Splink 5 is configured as an experienced user would for this task, with no
labels (``_splink_settings``): blocking on subject within a day either side
and on subject and event type within 14 days; comparisons of subject,
description (Jaro-Winkler and token Jaccard levels), event type, day
difference up to 14 days, time and agency; u by random sampling, m by EM on
two blocking rules, the prior from a deterministic rule; clusters scored at
a sweep of match probabilities, the best F1 reported. Each matcher runs in a
fresh process, so each peak memory is its own.

Example:
    >>> _records_to_events(10_000)
    4762
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chronology.match import match_events  # noqa: E402
from chronology.match.estimate import estimate_m_u  # noqa: E402
from chronology.match.metrics import cluster_scores  # noqa: E402
from chronology.match.settings import load_settings  # noqa: E402
from chronology.synth import generate_case  # noqa: E402

#: Records per real event in the generated cases (measured: about 2.1; 1.8 before one agency recorded an event several times).
RECORDS_PER_EVENT = 2.1


def _records_to_events(records: int) -> int:
    """Real events to generate for about ``records`` records."""
    return round(records / RECORDS_PER_EVENT)


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (ru_maxrss is KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_chronology(events: pd.DataFrame, truth: pd.Series) -> dict[str, float]:
    """Time match_events and score it."""
    gc.collect()
    start = time.perf_counter()
    result = match_events(events)
    seconds = time.perf_counter() - start
    scores = cluster_scores(result.events["cluster_id"], truth)
    return {"seconds": seconds, "pairs": float(len(result.pairs)), **scores}


def _splink_input(events: pd.DataFrame) -> pd.DataFrame:
    local = events["start"].dt.tz_localize(None)
    text = events["description"].astype(str).str.lower()
    timed = (events["date_precision"].astype(str) == "time").to_numpy()
    minute = ((local - pd.Timestamp("1970-01-01")).dt.total_seconds() // 60).astype("float64").to_numpy()
    return pd.DataFrame(
        {
            "unique_id": events["record_id"].astype(str).to_numpy(),
            "subject": events["subject_ref"].astype(str).to_numpy(),
            "day": (local.dt.normalize() - pd.Timestamp("1970-01-01")).dt.days.astype("int64").to_numpy(),
            "minute": np.where(timed, minute, np.nan),
            "event_type": events["event_type"].astype(str).to_numpy(),
            "agency": events["agency"].astype(str).to_numpy(),
            "text": text.to_numpy(dtype=object),
            "words": text.str.findall(r"[a-z0-9]{2,}").apply(lambda w: sorted(set(w))).to_numpy(dtype=object),
        }
    )


#: Pairwise match probabilities at which Splink's clusters are scored; the best F1 is reported.
SPLINK_THRESHOLDS = (0.99, 0.95, 0.9, 0.8, 0.7, 0.5, 0.3, 0.1, 0.03, 0.01, 0.001)


def _splink_settings(wide: bool = True):  # noqa: ANN202 - a splink SettingsCreator
    """Splink 5 set up as an experienced user would for this task (issue 13's protocol).

    Blocking on the subject within a day either side, and on the subject and
    event type within 14 days (minutes, letters and receipts come later);
    comparisons of the subject, the description (Jaro-Winkler levels and
    token Jaccard levels), the event type, the day difference up to 14 days,
    the time where both have one, and the agency. ``wide=False`` blocks on
    the subject within a day either side only (the set-up that measured
    F1 0.746 on 47k records in issue 13): Splink clusters by connected
    components, so the 14-day rule chains fortnightly routine events.
    """
    import splink.comparison_library as cl
    from splink import SettingsCreator
    from splink.comparison_level_library import CustomLevel, ElseLevel, NullLevel
    from splink.comparison_library import CustomComparison

    jaccard = (
        "len(list_intersect(words_l, words_r)) * 1.0 / "
        "greatest(len(list_distinct(list_concat(words_l, words_r))), 1)"
    )
    words = CustomComparison(
        comparison_description="token Jaccard of the description",
        comparison_levels=[
            NullLevel("words"),
            *[CustomLevel(f"{jaccard} >= {t}", f"Jaccard >= {t}") for t in (0.7, 0.5, 0.3, 0.15)],
            ElseLevel(),
        ],
    )
    day = CustomComparison(
        comparison_description="days apart",
        comparison_levels=[
            NullLevel("day"),
            *[CustomLevel(f"abs(day_l - day_r) <= {d}", f"within {d} days") for d in (0, 1, 3, 7, 14)],
            ElseLevel(),
        ],
    )
    minute = CustomComparison(
        comparison_description="minutes apart",
        comparison_levels=[
            NullLevel("minute"),
            CustomLevel("abs(minute_l - minute_r) <= 30", "within 30 minutes"),
            CustomLevel("abs(minute_l - minute_r) <= 180", "within 3 hours"),
            ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            "l.subject = r.subject and abs(l.day - r.day) <= 1",
            *(
                ["l.subject = r.subject and l.event_type = r.event_type and abs(l.day - r.day) <= 14"]
                if wide
                else []
            ),
        ],
        comparisons=[
            cl.ExactMatch("subject"),
            cl.JaroWinklerAtThresholds("text", [0.9, 0.8, 0.7]),
            words,
            cl.ExactMatch("event_type"),
            day,
            minute,
            cl.ExactMatch("agency"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def run_splink(events: pd.DataFrame, truth: pd.Series, wide: bool = True) -> dict[str, float]:
    """Time Splink 5 on DuckDB on the same events, unsupervised, and score it at each threshold.

    u by random sampling; m by EM on two blocking rules (subject and day;
    subject and event type); the prior estimated from a deterministic rule;
    no labels. The time counts training, prediction and clustering at the
    best threshold.
    """
    from splink import DuckDBAPI, Linker, block_on

    frame = _splink_input(events)
    gc.collect()
    start = time.perf_counter()
    linker = Linker(DuckDBAPI().register(frame), _splink_settings(wide), log_level="WARNING")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("subject", "day", "event_type")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("subject", "day"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("subject", "event_type"))
    predictions = linker.inference.predict(threshold_match_probability=min(SPLINK_THRESHOLDS))
    trained = time.perf_counter() - start
    out: dict[str, float] = {}
    truth_by_id = pd.Series(truth.to_numpy(), index=events["record_id"].astype(str).to_numpy())
    for threshold in SPLINK_THRESHOLDS:
        begin = time.perf_counter()
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
        table = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
        seconds = trained + time.perf_counter() - begin
        predicted = table.set_index("unique_id")["cluster_id"].astype(str).reindex(truth_by_id.index)
        scores = cluster_scores(
            predicted.fillna(pd.Series(predicted.index, index=predicted.index)), truth_by_id
        )
        out.update({f"{k}@{threshold}": v for k, v in scores.items()})
        out[f"seconds@{threshold}"] = seconds
    best = max(SPLINK_THRESHOLDS, key=lambda th: out[f"pairwise_f1@{th}"])
    out["best"] = best
    out["seconds"] = out[f"seconds@{best}"]
    out.update(
        {k: out[f"{k}@{best}"] for k in ("pairwise_precision", "pairwise_recall", "pairwise_f1", "bcubed_f1")}
    )
    return out


def _row(label: str, n: int, seconds: float, memory: float, s: dict[str, float]) -> str:
    return (
        f"| {label} | {n:,} | {seconds:.1f} | {n / seconds:,.0f} | {memory:,.0f} | {s['pairwise_precision']:.3f} "
        f"| {s['pairwise_recall']:.3f} | {s['pairwise_f1']:.3f} | {s['bcubed_f1']:.3f} |"
    )


def _measure(which: str, records: int, n_subjects: int, seed: int) -> dict[str, float]:
    """One matcher on one generated case, in this (fresh) process: seconds, peak MB and scores."""
    events, truth = generate_case(_records_to_events(records), seed=seed, n_subjects=n_subjects)
    base = peak_mb()
    if which == "chronology":
        out = run_chronology(events, truth)
    else:
        out = run_splink(events, truth, wide=which == "splink")
    out["records"] = float(len(events))
    out["peak_mb"] = peak_mb()
    out["base_mb"] = base
    return out


def _fresh(which: str, records: int, n_subjects: int, seed: int) -> dict[str, float]:
    """``_measure`` in a new process, so that each peak is its own."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_measure, (which, records, n_subjects, seed))


def bench(
    records: int,
    n_subjects: int,
    splink: bool,
    seed: int,
    variants: tuple[str, ...] = ("splink", "splink_narrow"),
) -> list[str]:
    """Benchmark one size, each matcher in a fresh process; return markdown table rows."""
    ours = _fresh("chronology", records, n_subjects, seed)
    n = int(ours["records"])
    plural = "s" if n_subjects > 1 else ""
    rows = [_row(f"chronology ({n_subjects} subject{plural})", n, ours["seconds"], ours["peak_mb"], ours)]
    if splink:
        labels = {"splink": "+-1 day and type within 14 days", "splink_narrow": "+-1 day"}
        for which, label in ((w, labels[w]) for w in variants):
            theirs = _fresh(which, records, n_subjects, seed)
            rows.append(
                _row(
                    f"Splink 5/DuckDB, EM, blocked {label}, best p>={theirs['best']}",
                    n,
                    theirs["seconds"],
                    theirs["peak_mb"],
                    theirs,
                )
            )
            rows.append(
                f"| ratio chronology / that Splink | | {ours['seconds'] / theirs['seconds']:.2f}x time | | "
                f"{ours['peak_mb'] / theirs['peak_mb']:.2f}x | | | "
                f"{ours['pairwise_f1'] / theirs['pairwise_f1']:.2f}x F1 | "
                f"{ours['bcubed_f1'] / theirs['bcubed_f1']:.2f}x |"
            )
    return rows


#: Levels where the synthetic data is not to be trusted: (m, u) replacing the
#: estimate (None keeps it), and why. Printed as comments by ``estimate``.
JUDGEMENT: dict[tuple[str, str], tuple[tuple[float | None, float | None], str]] = {
    ("text", "none"): ((0.05, None), "raised: real records of one event are less alike than synthetic ones"),
    ("words", "few"): ((0.15, None), "raised: real records of one event often share few words"),
    ("event_type", "incompatible"): ((0.02, None), "raised: ingestion may classify a record wrongly"),
    ("references", "shared"): ((None, 0.001), "raised to one in a thousand"),
    ("names", "shared"): (
        (0.1, 0.02),
        "synthetic names are common and filtered out: judgement, not estimate",
    ),
    ("names", "none"): ((0.9, 0.98), "judgement, as above"),
}


def estimate(n_events: int = 4000, seed: int = 100) -> str:
    """m/u tables estimated on a labelled synthetic case, for schemas/match.toml.

    The levels in ``JUDGEMENT`` are replaced, each with a comment giving the
    estimate and the reason; the output is what schemas/match.toml holds.
    """
    events, truth = generate_case(n_events, seed=seed)
    result = match_events(events)
    labelled = pd.Series(truth.to_numpy(), index=events["record_id"].to_numpy())
    levels = {feature: tuple(v) for feature, v in load_settings().m_u.items()}
    found = estimate_m_u(result.pairs, labelled, levels=levels)
    lines = [f"# prior = {found['prior']}"]
    m_u = found["m_u"]
    assert isinstance(m_u, dict)
    for feature, values in m_u.items():
        lines.append(f"[m_u.{feature}]")
        for level, (m, u) in values.items():
            if (feature, level) in JUDGEMENT:
                (jm, ju), why = JUDGEMENT[(feature, level)]
                lines.append(f"# estimated m {m}, u {u}; {why}")
                m, u = (jm if jm is not None else m), (ju if ju is not None else u)
            lines.append(f"{level} = {{ m = {m}, u = {u} }}")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true", help="also 1M records over 1,000 subjects")
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument(
        "--narrow-only", action="store_true", help="Splink blocked within a day only (the faster of the two)"
    )
    parser.add_argument(
        "--per-subject",
        type=int,
        default=0,
        help="records per subject (a case of that many records per child; 0: one subject at each size)",
    )
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--estimate", action="store_true")
    args = parser.parse_args(argv)
    if args.estimate:
        print(estimate())
        return
    print("| matcher | records | seconds | records/s | peak MB | precision | recall | F1 | B-cubed F1 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    variants = ("splink_narrow",) if args.narrow_only else ("splink", "splink_narrow")
    for size in args.sizes:
        subjects = max(1, size // args.per_subject) if args.per_subject else 1
        for line in bench(size, subjects, not args.no_splink, args.seed, variants):
            print(line, flush=True)
    if args.million:
        for line in bench(1_000_000, 1000, not args.no_splink, args.seed):
            print(line, flush=True)
    print(f"\nPeak memory: ru_maxrss of a fresh process per matcher. numpy {np.__version__}.")


if __name__ == "__main__":
    main()
