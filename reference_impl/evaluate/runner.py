"""Where the harness's tasks run: `Runner` runs them here, one after the other;
`reference_impl.evaluate.distributed.DaskRunner` runs the same tasks on Dask workers."""

from __future__ import annotations

from collections.abc import Callable, Iterable


class Runner:
    """Runs tasks in this process."""

    def map(self, function: Callable, items: Iterable, *shared) -> Iterable:
        """function(*shared, item) for each item, results in any order."""
        for item in items:
            yield function(*shared, item)

    workers = 1

    def hold(self, build: Callable, items: Iterable) -> list:
        """build(*item) for each item, each result kept where it was built (a cluster
        spreads them over its workers, one each in turn): handles for `each`."""
        return [build(*item) for item in items]

    def each(self, calls: Iterable) -> list:
        """getattr(held, method)(*args) for each (held, method, args), where `held` is
        kept; the results in order."""
        return [getattr(held, method)(*args) for held, method, args in calls]

    def share(self, value):
        """A value every task gets (a cluster sends it to each worker once)."""
        return value

    def embed(self, chunks, manifest, session) -> Iterable:
        """(number, embed_batch(chunk)) for each numbered chunk of samples, through
        `session` (a cluster uses each worker's own session instead)."""
        from reference_impl.evaluate.harness import embed_batch

        for number, chunk in chunks:
            yield number, embed_batch(chunk, manifest, session)
