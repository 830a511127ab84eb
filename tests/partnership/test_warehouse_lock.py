"""One writer at a time on the working DuckDB file, across processes."""

import multiprocessing
import time

import pytest

from partnership.warehouse import WarehouseBusy, write_connection, writer_lock


def _hold_lock(data_dir, ready, release):
    from partnership.config import load_settings

    with writer_lock(load_settings(data_dir=data_dir)):
        ready.set()
        release.wait(30)


def test_a_second_writer_waits_then_gives_up_with_a_clear_message(settings):
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(settings.data_dir), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        started = time.monotonic()
        with pytest.raises(WarehouseBusy, match="another process is writing"):
            with writer_lock(settings, timeout=0.5):
                pass
        assert time.monotonic() - started >= 0.5
    finally:
        release.set()
        holder.join(30)
    with write_connection(settings) as con:  # free again once the holder has gone
        assert con.execute("SELECT 42").fetchone() == (42,)


def test_a_thread_that_holds_the_lock_is_refused_at_once_instead_of_waiting_for_itself(settings):
    """A step that Dagster stopped part-way keeps the lock until its generator is collected; the next
    step on the same thread used to wait the full timeout (10 minutes per freshness check)."""
    held = writer_lock(settings)
    held.__enter__()  # as a suspended generator holds it
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseBusy, match="already holds the writers' lock"):
            with writer_lock(settings, timeout=30):
                pass
        assert time.monotonic() - started < 5
    finally:
        held.__exit__(None, None, None)
    with writer_lock(settings, timeout=1):  # released: free again
        pass
