"""The throwaway cluster the engine tests use leaves nothing behind, even when the test fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from throwaway_postgres import postgres_bin, throwaway_postgres


def running(pid: int) -> bool:
    """Alive and not a zombie (an exited server whose parent has not reaped it yet has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(postgres_bin() is None, reason="PostgreSQL server binaries not installed")
def test_a_failing_test_still_stops_the_server_and_removes_its_cluster():
    import psycopg2

    with pytest.raises(RuntimeError, match="the test failed"):
        with throwaway_postgres() as server:
            pid = int((server.socket_dir / "data" / "postmaster.pid").read_text().split()[0])
            connection = psycopg2.connect(host=server.host, port=server.port, user=server.user,
                                          password=server.password, dbname=server.dbname)
            connection.close()
            raise RuntimeError("the test failed")
    assert not server.socket_dir.exists()
    assert not running(pid)
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(host=server.host, port=server.port, user=server.user, password=server.password,
                         dbname=server.dbname, connect_timeout=3)
