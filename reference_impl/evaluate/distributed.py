"""`frs evaluate --workers N` or `--scheduler ADDRESS`: the same evaluation on Dask.

Dask only decides where the work runs; the work is the harness's own:
- embedding: each batch on a worker, through the one onnxruntime session that worker
  built from the model's bytes (`ModelSession`, a worker plugin) with the limits of
  `frs evaluate` (threads, address space, time per batch); the client caches each batch
  as it arrives, so a rerun resumes;
- 1:1 comparisons: the blocks of `tiles` on the workers, only their counts coming back;
- 1:N searches: the gallery cut into one exact flat index per worker, built there and
  held there; each block of probes goes to every shard, only candidates come back.

A worker that dies takes only its running tasks with it: the scheduler runs them again
elsewhere (or on the worker its nanny restarts), so the run completes with the same
report.  A local cluster binds to 127.0.0.1 and serves no dashboard.
"""

from __future__ import annotations

import itertools
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from reference_impl.errors import InputError
from reference_impl.evaluate.runner import Runner


@contextmanager
def cluster(workers: int | None = None, scheduler: str | None = None):
    """A Dask client: of a new local cluster of `workers` processes (one thread each),
    or of the cluster whose scheduler listens at `scheduler`."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--workers and --scheduler need dask and distributed "
                         "(pip install 'frs[distributed]')") from None
    if scheduler:
        client = Client(scheduler, timeout="30s")
        local = None
    else:
        local = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                             host="127.0.0.1", dashboard_address=None,
                             silence_logs=logging.ERROR,
                             env={"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"})
        client = Client(local)
    try:
        yield client
    finally:
        client.close()
        if local is not None:
            local.close()


def _plugin_class():
    from distributed.diagnostics.plugin import WorkerPlugin

    class ModelSession(WorkerPlugin):
        """Builds, once per worker, the bounded onnxruntime session of the model."""

        name = "frs-model-session"

        def __init__(self, model: bytes, manifest, limits):
            self.model, self.manifest, self.limits = model, manifest, limits

        def setup(self, worker):
            from reference_impl.model.safety import BoundedSession

            folder = Path(worker.local_directory if hasattr(worker, "local_directory")
                          else tempfile.mkdtemp())
            path = folder / "frs-model.onnx"
            path.write_bytes(self.model)
            worker.frs_session = BoundedSession(path, self.manifest, self.limits)

    return ModelSession


def _worker_session():
    from distributed import get_worker

    return get_worker().frs_session


def _embed_on_worker(manifest, chunk):
    from reference_impl.evaluate.harness import embed_batch

    return embed_batch(chunk, manifest, _worker_session())


def _call(held, method: str, args: tuple):
    return getattr(held, method)(*args)


IN_FLIGHT = 4  # tasks a worker holds or runs at once


class DaskRunner(Runner):
    """Runs the harness's tasks on the workers of a Dask client."""

    def __init__(self, client, model_path: Path | None = None, manifest=None, limits=None):
        self.client = client
        if model_path is not None:
            plugin = _plugin_class()(Path(model_path).read_bytes(), manifest, limits)
            client.register_plugin(plugin)

    def share(self, value):
        return self.client.scatter(value, broadcast=True, hash=False)

    def hold(self, build: Callable, items: Iterable) -> list:
        # built by a task, not scattered: a shard lost with its worker is built again
        names = sorted(self.client.scheduler_info().get("workers", {}))
        return [self.client.submit(build, *item, workers=[names[i % len(names)]],
                                   allow_other_workers=True, pure=False)
                for i, item in enumerate(items)]

    def each(self, calls: Iterable) -> list:
        futures = [self.client.submit(_call, held, method, args, pure=False)
                   for held, method, args in calls]
        return self.client.gather(futures)

    def map(self, function: Callable, items: Iterable, *shared):
        """Tasks in flight at most IN_FLIGHT per worker, the next one sent as one comes
        back: the results waiting on the workers are bounded by that, not the plan."""
        from distributed import as_completed

        items = iter(items)

        def submit(count: int) -> list:
            return [self.client.submit(function, *shared, item, pure=False)
                    for item in itertools.islice(items, count)]

        running = as_completed(submit(IN_FLIGHT * max(1, self.workers)))
        for future in running:
            yield future.result()
            future.release()
            running.update(submit(1))

    def embed(self, chunks, manifest, session):
        from distributed import as_completed

        futures = {self.client.submit(_embed_on_worker, manifest, chunk, pure=False): number
                   for number, chunk in chunks}
        for future in as_completed(futures):
            yield futures[future], future.result()
            future.release()

    @property
    def workers(self) -> int:
        return len(self.client.scheduler_info().get("workers", {}))


def worker_pids(client) -> list[int]:
    """The process id of each worker (tests stop one to see the run survive it)."""
    return list(client.run(os.getpid).values())
