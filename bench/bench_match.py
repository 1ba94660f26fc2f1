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

Splink is configured as a user of it would for this task: blocking on
subject and day (the same day or one apart), comparisons on the description
(Jaro-Winkler and shared words), event type, agency and day; u estimated by
random sampling, m from the labels (the true event of each record: more
than a user has, so Splink's figures are a generous baseline), then
clustering at a match probability of 0.9, 0.5 and 0.1 (ratios against the
best of the three).

Example:
    >>> _records_to_events(10_000)
    5556
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

#: Records per real event in the generated cases (measured: about 1.8).
RECORDS_PER_EVENT = 1.8


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
    return pd.DataFrame(
        {
            "unique_id": events["record_id"].astype(str).to_numpy(),
            "subject": events["subject_ref"].astype(str).to_numpy(),
            "day": (local.dt.normalize() - pd.Timestamp("1970-01-01")).dt.days.astype("int64").to_numpy(),
            "event_type": events["event_type"].astype(str).to_numpy(),
            "agency": events["agency"].astype(str).to_numpy(),
            "text": text.to_numpy(dtype=object),
            "words": text.str.findall(r"[a-z]{3,}").apply(lambda w: sorted(set(w))).to_numpy(dtype=object),
        }
    )


def run_splink(
    events: pd.DataFrame,
    truth: pd.Series,
    thresholds: tuple[float, ...] = (0.9, 0.5, 0.1),
    labelled: bool = True,
) -> dict[str, float]:
    """Time Splink on DuckDB on the same events and score it at each threshold.

    With ``labelled``, Splink's m values are estimated from the true event of
    each record (the truth of this very case: an advantage chronology's own
    weights, estimated on another seed, do not have); otherwise by EM.
    """
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    frame = _splink_input(events)
    frame["true_event"] = truth.astype(str).to_numpy()
    gc.collect()
    start = time.perf_counter()
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            "l.subject = r.subject and l.day = r.day",
            "l.subject = r.subject and l.day + 1 = r.day",
            "l.subject = r.subject and l.day = r.day + 1",
        ],
        comparisons=[
            cl.JaroWinklerAtThresholds("text", [0.9, 0.8, 0.7]),
            cl.ArrayIntersectAtSizes("words", [4, 2, 1]),
            cl.ExactMatch("event_type"),
            cl.ExactMatch("agency"),
            cl.ExactMatch("day"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(frame), settings, log_level="WARNING")
    linker.training.estimate_probability_two_random_records_match([block_on("subject", "day")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    if labelled:
        linker.training.estimate_m_from_label_column("true_event")
    else:
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("subject", "day"))
    predictions = linker.inference.predict(threshold_match_probability=min(thresholds))
    trained = time.perf_counter() - start
    out: dict[str, float] = {}
    truth_by_id = pd.Series(truth.to_numpy(), index=events["record_id"].astype(str).to_numpy())
    for threshold in thresholds:
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
    return out


def _row(label: str, n: int, seconds: float, memory: float, s: dict[str, float], suffix: str = "") -> str:
    get = lambda k: s[f"{k}{suffix}"]  # noqa: E731
    return (
        f"| {label} | {n:,} | {seconds:.1f} | {n / seconds:,.0f} | {memory:,.0f} | {get('pairwise_precision'):.3f} "
        f"| {get('pairwise_recall'):.3f} | {get('pairwise_f1'):.3f} | {get('bcubed_f1'):.3f} |"
    )


def bench(records: int, n_subjects: int, splink: bool, seed: int) -> list[str]:
    """Benchmark one size; return markdown table rows."""
    events, truth = generate_case(_records_to_events(records), seed=seed, n_subjects=n_subjects)
    n = len(events)
    ours = run_chronology(events, truth)
    rows = [
        _row(
            f"chronology ({n_subjects} subject{'s' if n_subjects > 1 else ''})",
            n,
            ours["seconds"],
            peak_mb(),
            ours,
        )
    ]
    if splink:
        theirs = run_splink(events, truth)
        for threshold in (0.9, 0.5, 0.1):
            t = theirs[f"seconds@{threshold}"]
            rows.append(_row(f"Splink/DuckDB p>={threshold}", n, t, peak_mb(), theirs, f"@{threshold}"))
        best = max((0.9, 0.5, 0.1), key=lambda th: theirs[f"pairwise_f1@{th}"])
        rows.append(
            f"| ratio chronology / Splink (p>={best}) | | {ours['seconds'] / theirs[f'seconds@{best}']:.2f}x time | | "
            f"| | | {ours['pairwise_f1'] / theirs[f'pairwise_f1@{best}']:.2f}x F1 | "
            f"{ours['bcubed_f1'] / theirs[f'bcubed_f1@{best}']:.2f}x |"
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
    parser.add_argument(
        "--million", action="store_true", help="also 1M records over 1,000 subjects (no Splink)"
    )
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--estimate", action="store_true")
    args = parser.parse_args(argv)
    if args.estimate:
        print(estimate())
        return
    print("| matcher | records | seconds | records/s | peak MB | precision | recall | F1 | B-cubed F1 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        for line in bench(size, 1, not args.no_splink, args.seed):
            print(line, flush=True)
    if args.million:
        for line in bench(1_000_000, 1000, False, args.seed):
            print(line, flush=True)
    print(
        f"\nPeak memory is the process's (ru_maxrss), cumulative over the rows above. numpy {np.__version__}."
    )


if __name__ == "__main__":
    main()
