"""The writes a transaction gathers (store/writes.py): sent together, seen by the transaction's own
reads, a row changed twice written once with its last values; on each store."""

from __future__ import annotations

from typing import Any

from guestkit_runtime import Scheduler, open_store
from guestkit_runtime.store.writes import Writes

from .conftest import job, worker


def _steps(writes: Writes, job_id: str) -> list[Any]:
    return writes.rows("SELECT message, lease_id, document FROM steps WHERE job_id = ? ORDER BY id", (job_id,))


def test_reads_see_the_writes_gathered_and_a_row_changed_twice_is_written_once(store_url: str) -> None:
    store = open_store(store_url)
    Scheduler(store).submit(job("job-writes-1"))
    with store.transaction() as tx:
        writes = Writes(tx)
        for message in ("one", "two"):  # NULLs in a whole column: typed as the column's
            writes.insert("steps", {"job_id": "job-writes-1", "at_us": 1, "message": message, "status": "queued"})
        writes.update("jobs", "job_id", "job-writes-1", {"priority": 7, "last_sequence": None})
        writes.update("jobs", "job_id", "job-writes-1", {"priority": 9, "deadline_us": 2**40})
        assert _steps(writes, "job-writes-1") == [("one", None, None), ("two", None, None)]
        assert writes.one("SELECT priority, last_sequence, deadline_us FROM jobs") == (9, None, 2**40)
        writes.update("jobs", "job_id", "job-writes-1", {"priority": 3})
        writes.flush()
    with store.transaction() as tx:
        assert tx.one("SELECT priority FROM jobs") == (3,)
    store.close()


def test_documents_keep_every_character_through_a_batch(store_url: str) -> None:
    store = open_store(store_url)
    scheduler = Scheduler(store)
    text = 'quotes " and \\ backslashes, \u00e9, \U0001f600, a tab\t and a newline\n'
    scheduler.submit(job("job-writes-2", data={"message": text}))
    (claim,) = scheduler.claim(worker(), start="started")
    assert scheduler.job("job-writes-2")["payload"]["data"]["message"] == text
    steps = scheduler.trace("job-writes-2")["steps"]
    assert steps[0]["document"]["payload"]["data"]["message"] == text
    assert steps[1]["document"]["lease_id"] == claim.lease["lease_id"]
    store.close()
