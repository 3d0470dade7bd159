"""Checkpoint files: flax msgpack with a versioned header, written atomically, validated on load.

Layout of every file (a msgpack map; see README "Checkpoint format"):
  format: "return-landscapes-checkpoint", version: 1, kind: "agent" | "replay" | "snapshot",
  meta: JSON text (env, backend, algo, seed(s), step, hyperparameters, ...),
  state: the flax state dict of the saved pytree (PRNG keys stored as their uint32 key data).
The header is embedded rather than a JSON sidecar so a checkpoint is a single Snakemake output
that can never be half-present.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import serialization

from workflow_lib.core.errors import BadInput, first_line

FORMAT = "return-landscapes-checkpoint"
VERSION = 1


# The metadata fields that loading a file of each kind reads.
REQUIRED = {
    "agent": ("env", "backend", "algo", "seed", "step", "hyperparameters"),
    "replay": ("env", "backend", "algo", "seed", "capacity", "hyperparameters"),
    "states": ("env", "backend", "seed", "collection_times"),
}


class CheckpointError(BadInput):
    """A checkpoint file that is missing, truncated, of another format or of the wrong shape."""


def _is_key(x) -> bool:
    return hasattr(x, "dtype") and jnp.issubdtype(x.dtype, jax.dtypes.prng_key)


def _to_plain(tree: Any) -> Any:
    return jax.tree.map(lambda x: np.asarray(jax.random.key_data(x) if _is_key(x) else jnp.asarray(x)), tree)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync, then rename: never a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def save(path: str | os.PathLike, kind: str, meta: dict, tree: Any) -> None:
    """Serialize `tree` with its header to `path`, atomically."""
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "kind": kind,
        "meta": json.dumps(meta, sort_keys=True),
        "state": serialization.to_state_dict(_to_plain(tree)),
    }
    atomic_write_bytes(path, serialization.msgpack_serialize(payload))


def read_header(path: str | os.PathLike, kind: str | None = None) -> tuple[dict, dict]:
    """The parsed (meta, raw state dict) of a file, after checking format, version and kind."""
    path = Path(path)
    try:
        payload = serialization.msgpack_restore(path.read_bytes())
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such checkpoint file") from None
    except Exception as exc:  # msgpack raises several types on truncated or foreign bytes
        raise CheckpointError(f"{path}: not a readable checkpoint (truncated or corrupt): {first_line(exc)}") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a {FORMAT} file")
    if payload.get("version") != VERSION:
        raise CheckpointError(f"{path}: format version {payload.get('version')}, this code reads {VERSION}")
    if kind is not None and payload.get("kind") != kind:
        raise CheckpointError(f"{path}: holds a {payload.get('kind')!r} checkpoint, expected {kind!r}")
    try:
        meta = json.loads(payload.get("meta"))
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{path}: its metadata is not JSON text ({exc})") from None
    if not isinstance(meta, dict):
        raise CheckpointError(f"{path}: its metadata is not a JSON object")
    missing = [k for k in REQUIRED.get(payload.get("kind"), ()) if k not in meta]
    if missing:
        raise CheckpointError(f"{path}: its metadata lacks {', '.join(missing)}")
    if not isinstance(payload.get("state"), dict):
        raise CheckpointError(f"{path}: holds no state")
    return meta, payload["state"]


def restore(path: str | os.PathLike, template: Any, state: dict) -> Any:
    """Fill `template` (arrays or ShapeDtypeStructs) from a state dict, checking every leaf."""
    try:
        restored = serialization.from_state_dict(template, state)
    except Exception as exc:
        raise CheckpointError(f"{path}: structure does not match what this code expects: {exc}") from None
    flat_t, treedef = jax.tree_util.tree_flatten_with_path(template)
    flat_r = jax.tree.leaves(restored)
    if len(flat_t) != len(flat_r):
        raise CheckpointError(f"{path}: {len(flat_r)} arrays, expected {len(flat_t)}")
    out = []
    for (key_path, t), r in zip(flat_t, flat_r):
        want = jax.eval_shape(jax.random.key_data, t) if _is_key(t) else t
        r = np.asarray(r)
        if r.shape != tuple(want.shape) or r.dtype != want.dtype:
            name = jax.tree_util.keystr(key_path)
            raise CheckpointError(
                f"{path}: array {name} is {r.dtype}{list(r.shape)}, expected {want.dtype}{list(want.shape)}"
            )
        out.append(jax.random.wrap_key_data(r) if _is_key(t) else jnp.asarray(r))
    return jax.tree.unflatten(treedef, out)


def load(path: str | os.PathLike, kind: str, template_fn) -> tuple[dict, Any]:
    """(meta, tree) of a file; `template_fn(meta)` gives the expected pytree (shapes suffice)."""
    meta, state = read_header(path, kind)
    try:
        template = template_fn(meta)
    except Exception as exc:  # an unknown env or algo, hyperparameters of another version, ...
        raise CheckpointError(f"{path}: its metadata does not describe a run this code can build: "
                              f"{type(exc).__name__}: {exc}") from None
    return meta, restore(path, template, state)
