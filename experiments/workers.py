"""Where tasks run: local worker processes that never outlive ccsim, or a Dask cluster.

Local workers are started by ``spawn``: each is a fresh interpreter and a direct child of
the main process, which it watches, exiting as soon as the main process is gone
(``kill -9`` included), since its results would have nowhere to go. Ctrl-C belongs to
the main process: workers start with it ignored, and the main process kills them at once
instead of waiting for their current tasks. A Dask scheduler is checked for an address
that is one, and for workers, before any task is sent.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING

from sim.errors import InputError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from experiments.runner import Task


#: How often a worker checks that the main process is still there, s.
WATCH_EVERY_S = 0.2


def _watch_parent(parent: int) -> None:
    """Exit this worker as soon as the main process is gone (killed, even with -9).

    A worker started by ``spawn`` is the main process's child: when the main process dies
    the worker is re-parented, so ``os.getppid()`` changes. Its results would have nowhere
    to go, so it stops at once instead of computing for nobody.
    """
    while True:
        if os.getppid() != parent:
            os._exit(1)
        time.sleep(WATCH_EVERY_S)


def _worker_start(parent: int) -> None:
    """Initializer of a local worker: Ctrl-C is the main process's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


class worker_pool:
    """A pool of local worker processes that never outlive the main process.

    Use as a context manager; leaving it by an exception (Ctrl-C included) kills the
    workers instead of waiting for their current tasks.

    Args:
        jobs: Worker processes.
    """

    def __init__(self, jobs: int) -> None:
        import multiprocessing
        import sys

        # The resource tracker inherits these options: after a kill -9 of this process it
        # cleans up the pool's semaphores, and need not warn about them on the terminal.
        quiet_tracker = "ignore:resource_tracker:UserWarning"
        if quiet_tracker not in sys.warnoptions:
            sys.warnoptions.append(quiet_tracker)

        # Compile the engine here, once: the workers then load it from the cache instead
        # of each compiling it at the same time on the first run after an install.
        from sim.model import compile_engine

        compile_engine()
        # spawn: each worker is a fresh interpreter and a direct child of this process
        # (forkserver workers are the fork server's children, and fork copies threads).
        self.executor = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_start,
            initargs=(os.getpid(),),
        )

    def __enter__(self) -> ProcessPoolExecutor:
        return self.executor

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.executor.shutdown(wait=True)
        else:
            kill_workers(self.executor)


def kill_workers(executor: ProcessPoolExecutor) -> None:
    """Stop a pool now: queued tasks dropped, running ones killed (their work is lost)."""
    processes = list(getattr(executor, "_processes", {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(timeout=5)


class _children_ignore_sigint:
    """Ctrl-C is ignored while workers start, so that they inherit the ignoring.

    A terminal sends Ctrl-C to the whole process group: a worker still starting up (before
    its initializer runs) would print a traceback. Workers are started by ``submit``, in
    this thread; the main process handles Ctrl-C again as soon as they are.
    """

    def __enter__(self) -> None:
        self.before = None
        if threading.current_thread() is threading.main_thread():
            self.before = signal.signal(signal.SIGINT, signal.SIG_IGN)

    def __exit__(self, *exc) -> None:
        if self.before is not None:
            signal.signal(signal.SIGINT, self.before)


def run_on(
    pool: ProcessPoolExecutor,
    tasks: Sequence[Task],
    keep: Callable[[dict], None],
    run_task: Callable[[Task], dict],
) -> None:
    """Run tasks on a pool, handing each result to ``keep`` as it comes."""
    with _children_ignore_sigint():
        pending = {pool.submit(run_task, t) for t in tasks}
    try:
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                keep(future.result())
    except BaseException:
        for future in pending:
            future.cancel()
        raise


SCHEMES = ("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")
#: How long to wait for a Dask scheduler to have at least one worker, s.
DASK_WORKER_WAIT_S = 15.0


def check_scheduler(address: str) -> str:
    """Refuse a ``--scheduler`` that is not a Dask scheduler address, in one line."""
    text = address.strip()
    valid = "tcp://HOST:PORT (a Dask scheduler, usually port 8786)"
    if not text:
        raise InputError("is empty", field="--scheduler", valid=valid)
    if text.startswith(("http://", "https://")):
        raise InputError(
            f"{text!r} is a web address (the dashboard's?); the scheduler listens on tcp://",
            field="--scheduler",
            valid=valid,
        )
    rest = next((text[len(s) :] for s in SCHEMES if text.startswith(s)), None)
    if rest is None:
        if "://" in text:
            raise InputError(f"unknown protocol in {text!r}", field="--scheduler", valid=valid)
        rest = text
    host, _, port = rest.rpartition(":")
    if text.startswith("inproc://"):
        return text
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"cannot read {text!r}", field="--scheduler", valid=valid)
    return text if "://" in text else f"tcp://{text}"


def run_dask(
    tasks: Sequence[Task],
    scheduler,
    keep: Callable[[dict], None],
    run_batch: Callable[[Sequence[Task]], list[dict]],
) -> None:
    """Run tasks on a Dask cluster in batches, handing each result to ``keep``."""
    try:
        from dask.distributed import Client, as_completed
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise InputError(
            "needs dask.distributed: pip install 'ccsim[distributed]'", field="--scheduler"
        ) from None
    own = isinstance(scheduler, str)
    try:
        client = (
            Client(check_scheduler(scheduler), timeout="10s")
            if own
            else (scheduler if isinstance(scheduler, Client) else Client(scheduler))
        )
    except (OSError, ValueError) as err:
        raise InputError(f"cannot reach the scheduler ({err})", field="--scheduler") from None
    try:
        try:
            client.wait_for_workers(1, timeout=DASK_WORKER_WAIT_S)
        except (TimeoutError, OSError):
            raise InputError(
                f"the scheduler has no workers (waited {DASK_WORKER_WAIT_S:.0f} s); start some, "
                f"e.g. `dask worker {scheduler if own else 'ADDRESS'}`",
                field="--scheduler",
            ) from None
        # Small replications cost less than Dask's per-task overhead: send them in
        # batches, enough of them to keep every worker busy and to resume at a fine grain.
        workers = max(1, sum(client.nthreads().values()))
        size = max(1, min(20, len(tasks) // (8 * workers)))
        batches = [list(tasks[i : i + size]) for i in range(0, len(tasks), size)]
        futures = client.map(run_batch, batches, pure=False)
        try:
            # Release each batch's result on the cluster as soon as it is saved here, so
            # that workers do not hold a whole sweep in memory.
            for future in as_completed(futures):
                for result in future.result():
                    keep(result)
                future.release()
        except BaseException:
            client.cancel(futures)
            raise
    finally:
        if own or not isinstance(scheduler, Client):
            client.close()
