"""The ``eccc`` command: one entry point for every driver of the engine."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

import orjson

from engine.audit import Audit
from engine.errors import LocalMisuse
from engine.policies import REGISTRY

EPILOG_POLICIES = (
    "policies (repeat --policy to compose them, in order; parameters after a colon):\n"
    "  every_scan                      a text for every new scan (the service's 'all activity')\n"
    "  milestones                      one text per status change\n"
    "  eta_change:threshold_days=2     ETA-only news needs the date to move this much\n"
    "  quiet_hours:mode=hold|drop,exceptions=false,start=8,end=21,strict_end=20\n"
    "  cap_rolling:limit=3,hours=24    at most N texts per person in any window\n"
    "  cap_calendar:limit=3            at most N texts per person per local calendar day\n"
    "  digest:minutes=60               coalesce a parcel's updates into one text per window\n"
    "  backoff_digest:minutes=30,factor=2,max_minutes=720,reset_hours=24\n"
    "                                  at once if none in reset_hours, else a window that\n"
    "                                  grows with the person's recent texts\n"
    "  weekly_budget:limit=7,days=7,exceptions=false\n"
    "                                  at most N texts per person in any rolling week\n"
    "  actionable:threshold_days=1,delivered=true,first_eta=false\n"
    "                                  only date moves, out for delivery, exceptions, delivered\n"
    "  compliance:mode=hold|drop,caps=true,by=both|area_code|address\n"
    "                                  the compliance table (docs/compliance.md): every legal\n"
    "                                  window the person's clues name, and state caps\n"
    "example: --policy milestones --policy quiet_hours --policy cap_rolling:limit=3"
)


def _cmd_replay(args: argparse.Namespace) -> int:
    from eccc.replay import NotATrace, replay
    from eccc.run_command import load_plugins_or_say
    from engine.retention import RetentionConfig
    from reports.summary import format_table

    trace = Path(args.trace)
    if trace.is_dir():
        print(f"eccc replay: {trace} is a directory, not a trace file", file=sys.stderr)
        return 2
    if not trace.is_file():
        if args.trace == "-" or trace.exists():  # standard input, a pipe, a device
            print(f"eccc replay: {args.trace} is not a regular file; replay reads a trace "
                  "file (save a piped trace to a file first)",
                  file=sys.stderr)
        else:
            print(f"eccc replay: no such trace file: {trace}", file=sys.stderr)
        return 2
    if not load_plugins_or_say(args.plugin, "replay"):
        return 2
    policies = tuple(args.policy or ("every_scan",))
    try:
        retention = RetentionConfig.of_days(args.after_close_days, args.silent_days)
    except (ValueError, OverflowError):  # negative, out of order, NaN or infinite
        print("eccc replay: --after-close-days and --silent-days must be finite, with "
              "0 <= --after-close-days <= --silent-days", file=sys.stderr)
        return 2
    if args.max_errors < 0:
        print("eccc replay: --max-errors must be 0 or more", file=sys.stderr)
        return 2
    out_path = Path(args.out) if args.out else None
    progress = not args.quiet and trace.stat().st_size > 5_000_000 and sys.stderr.isatty()
    audit = Audit() if args.audit else None
    if out_path is not None and out_path.exists() and (
            out_path.is_dir() or out_path.resolve() == trace.resolve()):
        print(f"eccc replay: --out {out_path} is " + ("a directory" if out_path.is_dir()
              else "the trace itself") + "; name another file", file=sys.stderr)
        return 2
    try:
        if out_path is not None and out_path.exists() and not out_path.is_file():
            # A device or a pipe (/dev/null, /dev/stdout, a FIFO): written to as it is;
            # moving a finished file over it replaced /dev/null with a regular file.
            with out_path.open("wb") as fh:
                result = replay(trace, policies, fh, progress, audit, retention,
                                args.max_errors)
        elif out_path is not None:
            # Written beside the target and moved over it at the end: a refused trace or
            # policy (or a crash) leaves an earlier file of that name as it was.
            out_path.parent.mkdir(parents=True, exist_ok=True)
            partial = out_path.with_name(out_path.name + ".partial")
            try:
                with partial.open("wb") as fh:
                    result = replay(trace, policies, fh, progress, audit, retention,
                                    args.max_errors)
                partial.replace(out_path)
            finally:
                partial.unlink(missing_ok=True)
        else:
            result = replay(trace, policies, None, progress, audit, retention, args.max_errors)
    except (LocalMisuse, NotATrace) as exc:
        print(f"eccc replay: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"eccc replay: cannot write {path_error(exc, out_path)}", file=sys.stderr)
        return 2
    for bad in result.bad[: args.max_errors]:
        print(f"{trace}:{bad.line}: {bad.message}", file=sys.stderr)
    if result.rejected > args.max_errors:
        print(f"... and {result.rejected - args.max_errors} more bad records", file=sys.stderr)
    metrics = {"inputs_accepted": result.inputs, "inputs_rejected": result.rejected,
               **result.tally.metrics(), **(audit.metrics() if audit is not None else {})}
    if args.json:
        print(orjson.dumps(metrics, option=orjson.OPT_INDENT_2).decode())
    else:
        print(format_table(metrics, f"replay of {trace} with policies: {', '.join(policies)}"))
        if audit is not None:
            print(audit_table(audit))
        if out_path is not None:
            print(f"outputs written to {out_path}")
    if not result.rejected and not result.inputs:
        print(f"eccc replay: {trace} holds no records", file=sys.stderr)
        return 1
    if result.rejected and args.strict:
        return 1
    if result.rejected and not result.inputs:
        print(f"eccc replay: no record of {trace} was accepted ({result.rejected} bad); is it "
              "a trace (JSON lines, plain or .gz)?", file=sys.stderr)
        return 1
    return 0


def audit_table(audit: Audit) -> str:
    """The audit as a table: one row per rule and kind, one column per resolution."""
    lines = [f"legal-risk audit: {audit.notifications} notifications; texts that would break "
             "each rule if the person is where the column says",
             f"  {'rule':<5} {'kind':<7} {'area code':>10} {'address':>10} {'both':>10}  citation"]
    rows: dict[tuple[str, str], dict[str, int]] = {}
    citations: dict[str, str] = {}
    for jurisdiction, citation, kind, by, n in audit.rows():
        rows.setdefault((jurisdiction, kind), {})[by] = n
        citations[jurisdiction] = citation
    for (jurisdiction, kind), counts in rows.items():
        lines.append(f"  {jurisdiction:<5} {kind:<7} {counts['area_code']:>10} "
                     f"{counts['address']:>10} {counts['both']:>10}  {citations[jurisdiction]}")
    lines.append(f"  {'all':<5} {'':<7} {audit.total('area_code'):>10} "
                 f"{audit.total('address'):>10} {audit.total('both'):>10}")
    return "\n".join(lines)


def _cmd_metrics(args: argparse.Namespace) -> int:
    from reports.glossary import as_json, terminal
    from reports.registry import GROUPS, METRICS, UnknownMetric

    if args.group:  # any case: --group Fatigue is fatigue
        args.group = next((g for g in GROUPS if g.lower() == args.group.lower()), args.group)
    if args.group and args.group not in GROUPS:
        from reports.registry import unknown_message

        print(f"eccc metrics: {unknown_message(args.group, GROUPS, 'group')}", file=sys.stderr)
        return 2
    if args.name:
        try:
            metrics = [METRICS.lookup(n) for n in args.name]
        except UnknownMetric as exc:
            print(f"eccc metrics: {exc}", file=sys.stderr)
            return 2
        # --group with names was ignored: each named metric must be of that group.
        other = [(n, m.group) for n, m in zip(args.name, metrics, strict=True)
                 if args.group and m.group != args.group]
        if other:
            print("eccc metrics: " + "; ".join(f"{n} is in group {g}, not {args.group}"
                                              for n, g in other), file=sys.stderr)
            return 2
        rows = [{f: getattr(m, f) for f in ("name", "unit", "definition", "counts", "excludes",
                                            "stage", "group", "better")} for m in metrics]
        if args.json:
            print(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
        else:
            for r in rows:
                print("\n".join(f"  {k:<10} {v}" for k, v in r.items() if v) + "\n")
        return 0
    if args.json:
        rows = [r for r in as_json() if not args.group or r["group"] == args.group]
        print(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
    else:
        print(terminal(group=args.group), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eccc",
        description="Simulate and load-test parcel-tracking SMS notifications.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    rp = sub.add_parser(
        "replay", help="run a trace file (JSON lines) through the engine",
        description="Run a trace file through the notification engine, fire held texts at "
        "their times, write the outputs as JSON lines and print a summary. Bad records are "
        "reported with their line number and skipped.",
        epilog=EPILOG_POLICIES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rp.add_argument("trace", metavar="TRACE.jsonl",
                    help="trace file in the v1 format (JSON lines; .gz read as gzip)")
    rp.add_argument("--policy", action="append", metavar="NAME[:k=v,...]",
                    help=f"frequency policy (default every_scan); one of: {', '.join(REGISTRY)}")
    rp.add_argument("--out", metavar="OUT.jsonl", help="write every output here")
    rp.add_argument("--strict", action="store_true", help="exit 1 if any record was bad")
    rp.add_argument("--json", action="store_true", help="print the summary as JSON")
    rp.add_argument("--quiet", action="store_true", help="no progress bar")
    rp.add_argument("--audit", action="store_true",
                    help="count the notifications that would break each rule of the "
                    "compliance table, resolving each person's zone by area code, by "
                    "address and by both (docs/compliance.md)")
    rp.add_argument("--after-close-days", type=float, default=3.0, metavar="D",
                    help="the engine forgets a parcel D days after it is delivered or returned "
                    "(default 3: a scenario's [retention] after_close_days, to replay its "
                    "trace with the outputs of its run)")
    rp.add_argument("--silent-days", type=float, default=30.0, metavar="D",
                    help="... or D days after its last scan (default 30: [retention] "
                    "silent_days)")
    rp.add_argument("--max-errors", type=int, default=20, metavar="N",
                    help="print at most N bad-record messages")
    rp.add_argument("--plugin", action="append", metavar="PATH",
                    help="a Python file registering policies of one's own (repeatable)")
    rp.set_defaults(func=_cmd_replay)

    from eccc.bench_command import add_bench_command

    bp = add_bench_command(sub)  # the HTTP options of bench are added below

    mp = sub.add_parser(
        "metrics", help="what every metric in summary.json means",
        description="Every metric of summary.json: unit, definition, what it counts and what "
        "not, the stage that computes it, grouped by the question it answers.",
        )
    mp.add_argument("name", nargs="*", help="only these metrics (families resolve: "
                    "facility_denver_rpdc_utilisation)")
    mp.add_argument("--group", help="only this group (volume, latency, fatigue, ...)")
    mp.add_argument("--json", action="store_true", help="print as JSON")
    mp.set_defaults(func=_cmd_metrics)

    # --- simulation: eccc run (eccc/run_command.py) ---
    from eccc.run_command import add_run_command

    add_run_command(sub)
    # --- end simulation ---

    # --- HTTP shim: serve, loadtest, and the bench http options (eccc/http_commands.py) ---
    from eccc.http_commands import add_commands

    add_commands(sub, bp)
    # --- end HTTP shim ---

    # --- sweeps: eccc sweep, eccc compare (eccc/research_commands.py) ---
    from eccc.research_commands import add_commands as add_sweep_commands

    add_sweep_commands(sub)
    # --- end sweeps ---

    from eccc.schema_command import add_commands as add_schema_commands

    add_schema_commands(sub)

    from eccc.helpfmt import DefaultsFormatter

    parser.formatter_class = DefaultsFormatter
    for command in sub.choices.values():  # --help shows every default, on every command
        command.formatter_class = DefaultsFormatter
        for action in command._actions:  # argparse prints no line for an option without help
            if action.help is None and action.default not in (None, False):
                action.help = "default: %(default)s"
    return parser


def not_a_directory(path: Path | str) -> Path | None:
    """The first of ``path``'s ancestors that exists and is not a directory (a file where
    --out wants a folder on the way), or None."""
    for parent in reversed(Path(path).parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return None


def path_error(exc: OSError, path: Path | str | None = None) -> str:
    """An OSError about a path, as one line: 'afile is not a directory' where mkdir of
    afile/x said 'File exists' (or 'afile/x/y: Not a directory')."""
    where = path if path is not None else exc.filename
    if isinstance(exc, FileExistsError | NotADirectoryError) and where is not None:
        # mkdir of a file's name says File exists: the file itself is in the way then
        itself = isinstance(exc, FileExistsError) and Path(where).is_file()
        blocking = Path(where) if itself else not_a_directory(where)
        if blocking is not None:
            return f"{where}: {blocking} is not a directory"
    return f"{where}: {exc.strerror or exc}"


class StdoutFailed(Exception):
    """Standard output could not be written (a full disk, > /dev/full, an I/O error): not
    an OSError, so no command's own ``except OSError`` mistakes it for its --out file."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class _GuardedStdout:
    """``sys.stdout`` while a command runs: a failed write or flush becomes
    ``StdoutFailed`` (a closed pipe stays BrokenPipeError, for the quiet exit)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StdoutFailed(exc) from exc

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StdoutFailed(exc) from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _silence_stdout(stream: Any) -> None:
    """Point standard output at devnull: Python flushes it again at exit, and what is still
    buffered would fail again ("Exception ignored ..."; Python's docs, signal)."""
    import os

    with contextlib.suppress(OSError, ValueError, AttributeError):  # a test's capture
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


def _empty_option(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """The first option given as an empty string (``--out ""`` was ignored: replay wrote
    nothing and exited 0, run wrote to its default directory); no option of eccc means
    anything empty, a path least of all."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    command = sub.choices[args.command]
    for action in command._actions:
        if not action.option_strings:
            continue
        value = getattr(args, action.dest, None)
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and not v.strip() for v in values):
            return str(max(action.option_strings, key=len))
    return None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    empty = _empty_option(parser, args)
    if empty is not None:
        print(f"eccc {args.command}: {empty} needs a value, not an empty string",
              file=sys.stderr)
        return 2
    stdout = sys.stdout
    sys.stdout = _GuardedStdout(stdout)
    try:
        code: int = args.func(args)
        sys.stdout.flush()  # a closed pipe or a full disk shows here, inside the handlers
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, as command-line tools do.
        _silence_stdout(stdout)
        return 141  # 128 + SIGPIPE, what a shell reports for a tool ended by the pipe
    except StdoutFailed as exc:
        _silence_stdout(stdout)
        print(f"eccc {args.command}: cannot write to standard output: "
              f"{exc.error.strerror or exc.error}", file=sys.stderr)
        return 1
    except OSError as exc:
        if exc.filename is None:  # not about a path the user gave (a socket, a device...)
            print(f"eccc {args.command}: {type(exc).__name__}: {exc.strerror or exc}",
                  file=sys.stderr)
            return 1
        # A path that cannot be read or written (--out naming a file, a directory that
        # cannot be made): one line naming it, not a traceback.
        print(f"eccc {args.command}: {path_error(exc)}", file=sys.stderr)
        return 2
    finally:
        sys.stdout = stdout
    return code


if __name__ == "__main__":
    sys.exit(main())
