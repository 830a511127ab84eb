"""A throwaway PostgreSQL cluster for the tests: initdb into a temporary folder, the server started
as a child process on a free localhost port (and a Unix socket in the same folder), stopped, reaped
and removed afterwards even when the test fails. Debian's binaries (/usr/lib/postgresql/<version>/bin);
the server refuses to run as root, so under root it runs as the `postgres` user the package creates.

The cluster sorts text with ICU's en-GB collation, as a UK server would, not bytewise like DuckDB and
Spark: a model that depends on string order fails the cross-engine comparison here."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    dbname: str
    socket_dir: Path


def postgres_bin() -> Path | None:
    """The newest installed server's bin folder, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return found[-1].parent if found else None


def _connect_when_ready(server: subprocess.Popen, root: Path, port: int, user: str, password: str):
    import psycopg2

    deadline = time.monotonic() + 60
    while True:
        try:
            return psycopg2.connect(host="127.0.0.1", port=port, dbname="postgres", user=user, password=password,
                                    connect_timeout=2)
        except psycopg2.OperationalError:
            if server.poll() is not None or time.monotonic() > deadline:
                log = (root / "server.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"PostgreSQL did not start:\n{log}") from None
            time.sleep(0.2)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def throwaway_postgres(dbname: str = "impact", user: str = "impact") -> Iterator[PostgresServer]:
    binaries = postgres_bin()
    if binaries is None:
        raise FileNotFoundError("PostgreSQL server binaries not found under /usr/lib/postgresql "
                                "(Debian package postgresql; .ci/run installs it)")
    as_user = None
    if os.geteuid() == 0:
        as_user = pwd.getpwnam("postgres")
    root = Path(tempfile.mkdtemp(prefix="impact-pg-"))
    root.chmod(0o755)
    if as_user:
        os.chown(root, as_user.pw_uid, as_user.pw_gid)
    password = secrets.token_hex(16)
    port = _free_port()
    data = root / "data"

    def run(*args: str) -> None:
        done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=120,
                              user=as_user.pw_uid if as_user else None,
                              group=as_user.pw_gid if as_user else None, cwd=root)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")

    pwfile = root / "pwfile"
    pwfile.write_text(password + "\n", encoding="utf-8")
    if as_user:
        os.chown(pwfile, as_user.pw_uid, as_user.pw_gid)
    server = None
    try:
        run(binaries / "initdb", "-D", data, "-U", user, "--pwfile", pwfile, "--auth", "scram-sha-256",
            "-E", "UTF8", "--locale-provider", "icu", "--icu-locale", "en-GB", "--locale", "C.UTF-8")
        pwfile.unlink()
        # the server is our child (not pg_ctl's daemon), so stopping it also reaps it
        log = (root / "server.log").open("w")
        server = subprocess.Popen(
            [str(binaries / "postgres"), "-D", str(data), "-p", str(port), "-k", str(root),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off", "-c", "shared_buffers=64MB"],
            stdout=log, stderr=subprocess.STDOUT, cwd=root,
            user=as_user.pw_uid if as_user else None, group=as_user.pw_gid if as_user else None)
        admin = _connect_when_ready(server, root, port, user, password)
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{dbname}"')
        admin.close()
        yield PostgresServer("127.0.0.1", port, user, password, dbname, root)
    finally:
        if server is not None:
            server.send_signal(signal.SIGQUIT)  # immediate shutdown: the cluster is thrown away
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(root, ignore_errors=True)
