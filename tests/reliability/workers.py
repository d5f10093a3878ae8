"""Running many requests or service calls at the same moment, in threads."""

from __future__ import annotations


def run_threads(app, jobs: list, *, timeout: float = 120) -> list:
    """Run each ``job()`` in its own thread and app context, all released at once;
    returns their results (an exception is returned, not raised, to be asserted on)."""
    import threading

    from checkin.extensions import db

    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def work(i, job):
        with app.app_context():
            try:
                barrier.wait(timeout=timeout)
                results[i] = job()
            except Exception as exc:  # noqa: BLE001 — the test asserts there were none
                db.session.rollback()
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i, job), daemon=True)
               for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a worker thread did not finish"
    return results
