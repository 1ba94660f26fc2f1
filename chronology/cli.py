"""The command line: a thin shell over the pipeline's functions.

    chronology init FOLDER                  draft a case.toml for the files in FOLDER
    chronology init --update FOLDER         add the files case.toml does not list yet; keep every edit
    chronology validate CASE.toml           ingest only: per-source counts and every rejected row
    chronology merge CASE.toml [--out DIR]  the whole pipeline; writes every output (default: out/ beside
                                            the case file)
    chronology report CASE.toml [--out DIR] the findings and every view again from the last merge's records
                                            and matches (after decisions.csv or [rules] edits): no re-matching
    chronology batch FOLDER --out DIR       every case in a folder of case folders, in parallel
    chronology --version

Exit status (also in ``--help``): 0 on success; 2 on bad input with a one-line
reason naming file, sheet, row and column (and on a usage error); 1 on an
internal error (a bug in the toolkit), also as one line, asking to re-run
with --debug; 130 when interrupted. A traceback is shown only with --debug.
A merge that fails at any stage leaves the previous run's outputs as they
were (see ``chronology.outputs``). Checks that can fail cheaply (settings,
agency labels, corrections.csv, pseudonyms without [names], the output
folder) run before any agency file is read. On a terminal, steps that take
more than a second say so on stderr; otherwise nothing but the results is
printed.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from chronology.errors import InputError

if TYPE_CHECKING:
    from chronology.config import CaseConfig

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_CODES = f"""exit status:
  {EXIT_OK}    success
  {EXIT_INTERNAL}    internal error (a bug in the toolkit): one line; re-run with --debug and report it
  {EXIT_BAD_INPUT}    bad input (one line naming file, sheet, row and column) or a usage error
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C); earlier outputs are left as they were"""
#: Seconds a step runs before the terminal is told about it.
PROGRESS_DELAY = 1.0


def _print(text: str = "") -> None:
    print(text, flush=True)


class Progress:
    """Steps of a long command on stderr, only on a terminal and only once a step takes over a second.

    Example:
        >>> with Progress(enabled=False).step("matching 249 records"):
        ...     pass
    """

    def __init__(self, enabled: bool | None = None, delay: float | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.delay = PROGRESS_DELAY if delay is None else delay

    @contextmanager
    def step(self, what: str) -> Iterator[None]:
        """Say ``what`` on stderr if it is still running after the delay, then how long it took."""
        if not self.enabled:
            yield
            return
        began = time.monotonic()
        shown = threading.Event()

        def announce() -> None:
            shown.set()
            print(f"chronology: {what}...", file=sys.stderr, flush=True)

        timer = threading.Timer(self.delay, announce)
        timer.daemon = True
        if self.delay > 0:
            timer.start()
        else:
            announce()
        try:
            yield
        finally:
            timer.cancel()
            if shown.is_set():
                print(f"chronology: {what}: {time.monotonic() - began:.1f} s", file=sys.stderr, flush=True)


def source_table(sources: pd.DataFrame) -> str:
    """The per-source table the user sees: rows read, events, continuations, rejected.

    Example:
        >>> df = pd.DataFrame([{"source_file": "gp.csv", "agency": "GP", "sheet": "",
        ...     "rows_read": 3, "events": 2, "continuations": 1, "rejected": 0}])
        >>> print(source_table(df))  # doctest: +NORMALIZE_WHITESPACE
        source  agency  rows read  events  continuations  rejected
        gp.csv  GP              3       2              1         0
        total                   3       2              1         0
    """
    counts = ["rows_read", "events", "continuations", "rejected"]
    rows = [
        [
            f"{r.source_file}" + (f" [{r.sheet}]" if getattr(r, "sheet", "") else ""),
            str(r.agency),
            *(str(int(getattr(r, c))) for c in counts),
        ]
        for r in sources.itertuples(index=False)
    ]
    rows.append(["total", "", *(str(int(sources[c].sum())) for c in counts)])
    header = ["source", "agency", "rows read", "events", "continuations", "rejected"]
    widths = [max(len(x[i]) for x in [header, *rows]) for i in range(len(header))]
    lines = []
    for line in [header, *rows]:
        cells = [cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(line)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def rejected_lines(events: pd.DataFrame) -> list[str]:
    """One line per rejected row: file, sheet, row and the reason."""
    rejected = events[events["status"] == "rejected"]
    out = []
    for r in rejected.itertuples(index=False):
        where = r.source_file + (f", sheet '{r.source_sheet}'" if r.source_sheet else "")
        out.append(f"{where}, row {r.source_row}: {r.reason}")
    return out


def cmd_init(args: argparse.Namespace) -> int:
    """Draft a case.toml for the agency files in a folder, or add the files it does not list yet."""
    from chronology.ingest.draft import draft_case, update_case

    folder = Path(args.folder)
    if not folder.is_dir():
        raise InputError("not a folder", file=str(folder))
    target = folder / "case.toml"
    if target.exists() and args.update:
        text, added = update_case(target)
        if not added:
            _print(f"{target} lists every chronology file in {folder} already; nothing changed.")
            return EXIT_OK
        target.write_text(text, encoding="utf-8", newline="")
        import tomllib

        labels = {
            str(x.get("path")): x.get("agency") for x in tomllib.loads(text.lstrip("\ufeff"))["sources"]
        }
        _print(f"Added {len(added)} source(s) to {target}, every existing line kept:")
        for path in added:
            name = path.relative_to(folder).as_posix()
            _print(f"  {name}: agency {labels[name]!r}" if name in labels else f"  {name}: could not be read")
        _print(f"Check their agency labels, then run: chronology validate {target}")
        return EXIT_OK
    if target.exists() and not args.force:
        raise InputError(
            "case.toml exists already",
            file=str(target),
            hint="use --update to add new files and keep your edits, or --force to replace it",
        )
    text = draft_case(folder)
    kept = ""
    if target.exists():  # --force: the edited file is kept beside the new one, never lost
        backup = target.with_name("case.toml.bak")
        backup.write_bytes(target.read_bytes())
        kept = f" (the previous one kept as {backup.name})"
    target.write_text(text, encoding="utf-8")
    _print(f"Wrote {target}{kept}. Check the agency labels, then run: chronology validate {target}")
    return EXIT_OK


def _unlisted_lines(config: CaseConfig) -> list[str]:
    """A warning for each chronology file in the case folder that case.toml does not list."""
    from chronology.ingest.draft import unlisted_files

    return [
        f"warning: {path.name} is in the case folder but not in case.toml; "
        f"add it with: chronology init --update {config.folder}"
        for path in unlisted_files(config.path)
    ]


def cmd_validate(args: argparse.Namespace) -> int:
    """Ingest only and show what was read and rejected."""
    from chronology.config import load_config
    from chronology.pipeline import prepare
    from chronology.preflight import preflight

    config = load_config(args.case)
    preflight(config)
    with Progress().step(f"reading {len(config.sources)} agency files"):
        ingested, fixed = prepare(config)
    _print(source_table(ingested.sources))
    lines = rejected_lines(ingested.events)
    if lines:
        _print(f"\nRejected rows ({len(lines)}):")
        for line in lines:
            _print(f"  {line}")
    applied = int((fixed.table["applied"] == "applied").sum()) if len(fixed.table) else 0
    if len(fixed.table):
        _print(f"\nCorrections: {applied} of {len(fixed.table)} applied (corrections.csv).")
    for warning in ingested.warnings:
        _print(f"warning: {warning}")
    for line in _unlisted_lines(config):
        _print(line)
    return EXIT_OK


def default_out(case: str | Path) -> Path:
    """The output folder when --out is not given: ``out/`` beside the case file.

    Example:
        >>> default_out("cases/child_h/case.toml").as_posix()
        'cases/child_h/out'
    """
    return Path(case).parent / "out"


def cmd_merge(args: argparse.Namespace) -> int:
    """Run the whole pipeline and write every output."""
    from chronology.analysis import summary
    from chronology.config import load_config
    from chronology.outputs import write_outputs
    from chronology.pipeline import run_case
    from chronology.preflight import preflight

    config = load_config(args.case)
    out = Path(args.out) if args.out else default_out(args.case)
    pseudonymise = True if args.pseudonymise else None
    preflight(config, out_dir=out, pseudonymise=pseudonymise)
    progress = Progress()
    run = run_case(config, progress=progress.step)
    _print(source_table(run.sources))
    events = run.events[run.events["status"] == "event"]
    multi = int((run.clusters["size"] > 1).sum()) if len(run.clusters) else 0
    _print(
        f"\nMatching: {len(events)} event records in {len(run.clusters)} real events "
        f"({multi} recorded by more than one record)."
    )
    _print("\nFindings:")
    _print(summary(run.findings))
    if len(run.corrections):
        applied = int((run.corrections["applied"] == "applied").sum())
        _print(f"\nCorrections: {applied} of {len(run.corrections)} applied (corrections.csv).")
    for warning in run.warnings:
        _print(f"warning: {warning}")
    for line in _unlisted_lines(config):
        _print(line)
    if args.pseudonymise or config.pseudonymise:
        from chronology.pseudonyms import unlisted_surnames

        for surname in unlisted_surnames(config.names):
            _print(f"warning: the surname '{surname}' alone is not in [names], so it stays as written")
    with progress.step("writing the outputs"):
        written = write_outputs(run, out, pseudonymise=pseudonymise)
    _print(f"\nWrote {len(written)} files to {out.resolve()}:")
    for name in written:
        _print(f"  {name}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """Analyse again and re-render every output from the last merge's records and matches."""
    from chronology.analysis import summary
    from chronology.config import load_config
    from chronology.outputs import write_outputs
    from chronology.preflight import preflight
    from chronology.rerender import load_run, was_pseudonymised

    config = load_config(args.case)
    out = Path(args.out) if args.out else default_out(args.case)
    pseudonymise = True if args.pseudonymise else None
    preflight(config, out_dir=out, pseudonymise=pseudonymise)
    if was_pseudonymised(out):  # its records hold the pseudonyms: the outputs stay pseudonymised
        pseudonymise = True
    progress = Progress()
    with progress.step("reading the merge's records and finding again"):
        run = load_run(config, out)
    _print("Findings (decisions.csv and [rules] applied again; records and matches from the last merge):")
    _print(summary(run.findings))
    for warning in run.warnings:
        _print(f"warning: {warning}")
    with progress.step("writing the outputs"):
        written = write_outputs(run, out, pseudonymise=pseudonymise)
    _print(f"\nWrote {len(written)} files to {out.resolve()}.")
    return EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    """Run every case in a folder of case folders, in parallel."""
    from chronology.batch import run_batch

    pseudonymise = True if args.pseudonymise else None
    results = run_batch(Path(args.folder), Path(args.out), workers=args.workers, pseudonymise=pseudonymise)
    failed = [r for r in results if r.status == "error"]
    skipped = [r for r in results if r.status == "skipped"]
    ran = len(results) - len(skipped)
    events = sum(r.events for r in results)
    findings = sum(r.findings for r in results)
    _print(f"{ran} cases: {events} events, {findings} findings; {len(failed)} with bad input.")
    for r in failed:
        _print(f"  {r.case}: {r.message}")
    for r in skipped:
        _print(f"  {r.case}: skipped: {r.message}")
    _print(f"Wrote one folder per case and summary.csv to {Path(args.out).resolve()}")
    return EXIT_BAD_INPUT if failed else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    from chronology import __version__

    parser = argparse.ArgumentParser(
        prog="chronology",
        description="Merge agencies' chronologies for a case review and find where information did not travel.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"chronology {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show a traceback on bad input or an internal error"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # --debug is accepted after the command too ("chronology merge case.toml --debug").
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show a traceback")
    common: dict[str, Any] = {
        "parents": [debug],
        "epilog": EXIT_CODES,
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }

    p = sub.add_parser("init", help="draft a case.toml for the agency files in FOLDER", **common)
    p.add_argument("folder", metavar="FOLDER")
    how = p.add_mutually_exclusive_group()
    how.add_argument(
        "--update",
        action="store_true",
        help="add a source for each file case.toml does not list yet, keeping every line of it",
    )
    how.add_argument(
        "--force",
        action="store_true",
        help="replace an existing case.toml (the old one kept as case.toml.bak)",
    )
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("validate", help="ingest only: per-source counts and every rejected row", **common)
    p.add_argument("case", metavar="CASE.toml")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("merge", help="run the whole pipeline and write every output", **common)
    p.add_argument("case", metavar="CASE.toml")
    p.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="folder for the outputs (default: out/ beside the case file)",
    )
    p.add_argument(
        "--pseudonymise",
        action="store_true",
        help="replace the real names of [names] in every output (also [case] pseudonymise = true)",
    )
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser(
        "report",
        help="after decisions.csv or [rules] edits: the findings and every output again from the last "
        "merge's records and matches, without re-reading or re-matching",
        **common,
    )
    p.add_argument("case", metavar="CASE.toml")
    p.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="the merge's output folder (default: out/ beside the case file)",
    )
    p.add_argument("--pseudonymise", action="store_true", help="as merge --pseudonymise")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("batch", help="run every case.toml in FOLDER's sub-folders, in parallel", **common)
    p.add_argument("folder", metavar="FOLDER")
    p.add_argument("--out", required=True, metavar="DIR", help="one output folder per case is made here")
    p.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: the number of cores)"
    )
    p.add_argument("--pseudonymise", action="store_true", help="as merge --pseudonymise, for every case")
    p.set_defaults(func=cmd_batch)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``chronology`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except InputError as exc:
        if args.debug:
            raise
        print(f"chronology: {exc.line()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("chronology: interrupted; earlier outputs are left as they were", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug, not bad input: one line, the traceback only with --debug
        if args.debug:
            raise
        print(f"chronology: {internal_error_line(exc)}", file=sys.stderr)
        return EXIT_INTERNAL


def internal_error_line(exc: BaseException) -> str:
    """The one line shown for an unexpected exception.

    Example:
        >>> internal_error_line(KeyError("wb_cluster"))
        "internal error (KeyError: 'wb_cluster'); earlier outputs are left as they were; re-run with --debug for the traceback and report it"
    """
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    what = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return (
        f"internal error ({what}); earlier outputs are left as they were; "
        "re-run with --debug for the traceback and report it"
    )


if __name__ == "__main__":
    sys.exit(main())
