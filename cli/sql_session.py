"""`impact sql` from query text to printed result, in a child process the CLI watches over.

The query runs in a forked child: DuckDB can end a process from C++ (an exception thrown while a
connection closes once aborted `impact sql` with exit 134), and a query can run for ever. The
parent only waits: it relays the child's one-line messages, stops the child when the configured
timeout has passed (the child first interrupts DuckDB itself, which is the usual way out), and
turns any abnormal end into one line. Results go straight from the child to standard output, in
batches, so a large `--csv` never sits in memory."""

from __future__ import annotations

import csv
import faulthandler
import json
import os
import re
import select
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
from duckdb.sqltypes import VARCHAR

from cli.evaluator_access import explain_error, one_line, open_for_query
from cli.sql_render import cell, json_value, plan_columns, write_table
from cli.sql_statements import Refused, Runnable, vet
from partnership.config import Settings

MODES = ("table", "csv", "json")
BATCH = 10_000
GRACE_SECONDS = 5.0  # after the timeout, how long the child has to stop by itself
_WHAT = re.compile(r'"exception_message":"((?:[^"\\]|\\.)*)"')


def run_sql(settings: Settings, text: str, *, mode: str = "table", max_rows: int = 50) -> int:
    """Run `text` against the published snapshot and print the result; returns the exit code."""
    limits = settings.sql
    timed_out = (f"impact sql: stopped after {limits.timeout_seconds:g} s, the limit set by [sql] "
                 "timeout_seconds in the configuration; nothing was changed")
    with tempfile.TemporaryDirectory(prefix="impact-sql-") as scratch:
        return run_isolated(
            lambda: _query(settings, text, mode, max_rows, Path(scratch), timed_out),
            deadline_seconds=limits.timeout_seconds + GRACE_SECONDS, timed_out=timed_out)


def say(message: str) -> None:
    print(f"impact sql: {message}", file=sys.stderr, flush=True)


def _query(settings: Settings, text: str, mode: str, max_rows: int, scratch: Path, timed_out: str) -> int:
    try:
        con = open_for_query(settings.published_path, memory_limit=settings.sql.memory_limit, scratch=scratch)
    except (FileNotFoundError, duckdb.Error) as exc:
        say(explain_error(exc))
        return 1
    timer = threading.Timer(settings.sql.timeout_seconds, con.interrupt)
    timer.daemon = True
    timer.start()
    try:
        runnables = vet(con, text)
        if mode != "table" and len(runnables) > 1:
            raise Refused(f"--{mode} writes one result: give one statement (found {len(runnables)})")
        for position, runnable in enumerate(runnables):
            if position:
                print()
            _run(con, runnable, mode, max_rows)
    except Refused as exc:
        say(f"refused: {exc}")
        return 1
    except duckdb.InterruptException:
        print(timed_out, file=sys.stderr, flush=True)
        return 1
    except duckdb.Error as exc:
        say(explain_error(exc))
        return 1
    except BrokenPipeError:  # `impact sql ... | head`: the reader has all it wants
        return 0
    finally:
        timer.cancel()
    return 0


def _run(con: duckdb.DuckDBPyConnection, runnable: Runnable, mode: str, max_rows: int) -> None:
    if runnable.explain:
        result = con.execute(runnable.sql)
        if mode == "table":
            for _key, plan in result.fetchall():
                print(plan)
            return
        names = [d[0] for d in result.description]
        columns, _ = plan_columns(names, [VARCHAR] * len(names), mode)
        _emit(result, columns, mode, max_rows)
        return
    relation = con.sql(runnable.sql)  # binds the query: names and types, nothing run yet
    columns, select_list = plan_columns(relation.columns, relation.types, mode)
    _emit(relation.project(select_list), columns, mode, max_rows)


def _emit(result, columns, mode: str, max_rows: int) -> None:
    out = sys.stdout
    if mode == "table":
        rows = result.fetchmany(max_rows)
        total = len(rows)
        while batch := result.fetchmany(BATCH):  # count the rest without keeping it
            total += len(batch)
        write_table(out, columns, rows, total)
    elif mode == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.name for c in columns])
        while batch := result.fetchmany(BATCH):
            writer.writerows([cell(v, c, for_people=False) for v, c in zip(row, columns, strict=True)]
                             for row in batch)
    else:
        names = _unique([c.name for c in columns])
        keys = [json.dumps(name, ensure_ascii=False) for name in names]
        while batch := result.fetchmany(BATCH):
            for row in batch:
                out.write("{" + ",".join(f"{k}:{json_value(v, c)}" for k, v, c in zip(keys, row, columns,
                                                                                     strict=True)) + "}\n")
    out.flush()


def _unique(names: list[str]) -> list[str]:
    """JSON object keys must differ: a repeated column name gets _2, _3 ..."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return unique


def run_isolated(work: Callable[[], int], *, deadline_seconds: float, timed_out: str) -> int:
    """Run `work` in a forked child; its exit code, or 1 with one line if it ended abnormally."""
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its standard error (C++ messages included) goes to the parent
        os.close(read_end)
        os.dup2(write_end, 2)
        faulthandler.disable()  # a crash here is the parent's to report, in one line
        code = 1
        try:
            code = work()
        except BaseException as exc:  # noqa: BLE001 - the child never shows a traceback
            say(f"{type(exc).__name__}: {one_line(str(exc))}")
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:  # noqa: BLE001, S110 - a closed pipe: nothing more to say
                    pass
            os._exit(code)
    os.close(write_end)
    try:
        messages, finished = _collect(read_end, time.monotonic() + deadline_seconds)
    except KeyboardInterrupt:
        _stop(pid)
        print("impact sql: interrupted; nothing was changed", file=sys.stderr)
        return 130
    finally:
        os.close(read_end)
    if not finished:
        _stop(pid)
        print(timed_out, file=sys.stderr)
        return 1
    _, status = os.waitpid(pid, 0)
    text = messages.decode("utf-8", "replace")
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) in (0, 1):
        sys.stderr.write(text)
        return os.WEXITSTATUS(status)
    how = (signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status)
           else f"exit code {os.WEXITSTATUS(status)}")
    print(f"impact sql: DuckDB ended abnormally ({how}) on this input; nothing was changed"
          f"{_last_words(text)}", file=sys.stderr)
    return 1


def _collect(fd: int, deadline: float) -> tuple[bytes, bool]:
    """The child's standard error until it closes (it has ended) or the deadline passes."""
    messages = bytearray()
    while (remaining := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                return bytes(messages), True
            messages += chunk
    return bytes(messages), False


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)


def _last_words(text: str) -> str:
    found = _WHAT.findall(text)
    if found:
        return f": {found[-1]}"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return f": {lines[-1]}" if lines else ""
