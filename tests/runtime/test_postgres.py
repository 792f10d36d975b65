"""What the PostgreSQL store does for speed that must not quietly stop: the claim walks the queue's
index in order on a table filled faster than it is analysed (a burst of submissions), rather than
sorting every queued job on every claim (4.7 ms a claim instead of 0.1 with 5,000 queued)."""

from __future__ import annotations

from typing import Any

import pytest

from guestkit_runtime import Scheduler, open_store
from guestkit_runtime.store.postgres import _PgTx

from .conftest import PostgresServer, job, worker


def test_a_claim_walks_the_queue_index_on_a_table_never_analysed(
    postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(postgres.fresh_url())
    scheduler = Scheduler(store)
    for index in range(500):
        scheduler.submit(job(f"job-plan-{index:03d}"))
    reads: list[tuple[str, Any]] = []
    rows = _PgTx.rows

    def recorded(self: Any, sql: str, params: Any = ()) -> Any:
        reads.append((sql, params))
        return rows(self, sql, params)

    monkeypatch.setattr(_PgTx, "rows", recorded)
    assert len(scheduler.claim(worker(), limit=8)) == 8
    (claim_sql, params), *_ = [read for read in reads if "FOR UPDATE SKIP LOCKED" in read[0]]
    monkeypatch.setattr(_PgTx, "rows", rows)
    with store.transaction() as tx:
        for statement in store.before_claim:
            tx.send(statement)
        plan = "\n".join(line for (line,) in tx.rows("EXPLAIN " + claim_sql, params))
    assert "Index Scan using jobs_queued" in plan and "Sort" not in plan, plan
    store.close()
