"""Chunks over devices: the sharding of a chunk's items, the host loop over chunks, progress."""

from __future__ import annotations

import logging
import time
from typing import Callable

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P


def largest_divisor(n: int, at_most: int) -> int:
    return max(d for d in range(1, min(n, at_most) + 1) if n % d == 0)


def shardings(batch_size: int) -> tuple[NamedSharding, NamedSharding]:
    """(replicated, split along the sample axis) over the local devices that divide batch_size.

    Samples are independent: a chunk is split over several GPUs, or over the CPU cores exposed
    as host devices (runtime.host_devices); everything else is replicated.
    """
    devices = jax.local_devices()
    mesh = Mesh(np.array(devices[: largest_divisor(batch_size, len(devices))]), ("samples",))
    return NamedSharding(mesh, P()), NamedSharding(mesh, P("samples"))


def progress_logger(log: logging.Logger | None, label: str, unit: str, episode_length: int,
                    total: int | None = None) -> Callable | None:
    """A run_chunks progress callback logging "label: done/total unit, rate env-steps/s", the
    rate counted from its creation; `total` caps the count where the last chunk is padded."""
    if log is None:
        return None
    t0 = time.monotonic()

    def progress(done: int, n: int) -> None:
        n = total or n
        done = min(done, n)
        log.info("%s: %d/%d %s, %.0f env-steps/s", label, done, n, unit,
                 done * episode_length / (time.monotonic() - t0))

    return progress


def run_chunks(program, fixed: tuple, items, batch_size: int, sharded, progress=None) -> dict:
    """Outputs of `program(*fixed, chunk)` over `items` (an array or a pytree of arrays with a
    leading item axis) in chunks of batch_size, the last one padded with its last item and
    trimmed: one compiled program for any count, and each item computed by it at a fixed
    position. progress(done, total) after every chunk."""
    n, outs = len(jax.tree.leaves(items)[0]), []
    for start in range(0, n, batch_size):

        def padded(x, start=start):
            chunk = np.asarray(x[start: start + batch_size])
            return np.concatenate([chunk, np.repeat(chunk[-1:], batch_size - len(chunk), axis=0)])

        outs.append(jax.device_get(program(*fixed, jax.device_put(jax.tree.map(padded, items), sharded))))
        if progress is not None:
            progress(min(start + batch_size, n), n)
    return {k: np.concatenate([o[k] for o in outs])[:n] for k in outs[0]}
