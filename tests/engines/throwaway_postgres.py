"""A throwaway PostgreSQL cluster for the tests: initdb into a temporary folder, a server on a free
localhost port (and a Unix socket in the same folder), stopped and removed afterwards even when the
test fails. Debian's binaries (/usr/lib/postgresql/<version>/bin); the server refuses to run as root,
so under root it runs as the `postgres` user the package creates.

The cluster sorts text with ICU's en-GB collation, as a UK server would, not bytewise like DuckDB and
Spark: a model that depends on string order fails the cross-engine comparison here."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
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
    started = False
    try:
        run(binaries / "initdb", "-D", data, "-U", user, "--pwfile", pwfile, "--auth", "scram-sha-256",
            "-E", "UTF8", "--locale-provider", "icu", "--icu-locale", "en-GB", "--locale", "C.UTF-8")
        pwfile.unlink()
        options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=64MB")
        run(binaries / "pg_ctl", "-D", data, "-o", options, "-l", root / "server.log", "-w", "-t", "60", "start")
        started = True
        import psycopg2

        admin = psycopg2.connect(host="127.0.0.1", port=port, dbname="postgres", user=user, password=password)
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{dbname}"')
        admin.close()
        yield PostgresServer("127.0.0.1", port, user, password, dbname, root)
    finally:
        if started:
            try:
                run(binaries / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
            except RuntimeError:
                pid_file = data / "postmaster.pid"
                if pid_file.exists():  # stop it by its own pid, nothing broader
                    os.kill(int(pid_file.read_text().split()[0]), 9)
        shutil.rmtree(root, ignore_errors=True)
