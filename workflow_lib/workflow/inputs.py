"""A job's input files as the studies take them: policies looked up by identity among the files
the rule declared, never a path rebuilt from the config inside a job."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
import polars as pl

from workflow_lib.core.checkpoint import CheckpointError
from workflow_lib.core.errors import BadInput
from workflow_lib.core.tables import read_returns
from workflow_lib.studies.policy import Policy, load_policy
from workflow_lib.workflow import layout


class MissingInput(BadInput, LookupError):
    """A job asked for a policy whose files its rule does not declare as inputs."""


def policy_files(files: Iterable[str]) -> Callable[[dict], tuple[str, str | None]]:
    """identity (env, algo, seed, step) -> (checkpoint, replay file or None on-policy), both
    among the rule's input files. Asking for a policy the rule does not declare is an error
    naming it: its files may not exist yet, or be out of date."""
    declared = {str(f) for f in files}

    def paths(identity: dict) -> tuple[str, str | None]:
        env, algo, seed, step = (identity[k] for k in ("env", "algo", "seed", "step"))
        checkpoint, replay = layout.policy_paths(env, algo, seed, step)
        missing = [p for p in (checkpoint, replay) if p is not None and p not in declared]
        if missing:
            raise MissingInput(f"{env} {algo} seed {seed} step {step}: {', '.join(missing)} is not an input of this job")
        return checkpoint, replay

    return paths


def check_place(path: str, policy: Policy, replay: bool = False) -> None:
    """A file under results/ holds what its place there says (env, algo, seed and, for a
    checkpoint, step): a file copied or renamed into another run's place is an error naming it."""
    expected = (layout.replay_path(policy.env, policy.algo, policy.seed) if replay
                else layout.checkpoint_path(policy.env, policy.algo, policy.seed, policy.step))
    parts, want = Path(path).parts, Path(expected).parts
    if "checkpoints" in parts and parts[-len(want):] != want:
        what = f"{policy.env} {policy.algo} seed {policy.seed}" + ("" if replay else f" step {policy.step}")
        raise CheckpointError(f"{path}: holds {what}, whose place is {expected}")


def load_checked_policy(checkpoint: str, replay: str | None) -> Policy:
    """load_policy, with each file's metadata checked against its place under results/."""
    policy = load_policy(checkpoint, replay)
    check_place(checkpoint, policy)
    if replay is not None:
        check_place(replay, policy, replay=True)
    return policy


def checked_policies(checkpoints: Iterable[str], replay: str | None) -> Iterator[Policy]:
    """The policies of a run's checkpoints (one replay file), loaded one at a time, each checked."""
    return (load_checked_policy(path, replay) for path in checkpoints)


def policy_loader(files: Iterable[str]) -> Callable[[dict], Policy]:
    """identity (env, algo, seed, step) -> its Policy, loaded from the rule's input files."""
    paths = policy_files(files)
    return lambda identity: load_checked_policy(*paths(identity))


def purd_returns(files: Iterable[str]) -> Callable[[dict], np.ndarray]:
    """identity (env, algo, seed, step) -> the returns of its PURD under its own update, read from
    the rule's input files (an error naming the policy if the rule does not declare it)."""
    declared = {str(f) for f in files}

    def returns(identity: dict) -> np.ndarray:
        env, algo, seed, step = (identity[k] for k in ("env", "algo", "seed", "step"))
        path = layout.purd_path(env, algo, algo, seed, step)
        if path not in declared:
            raise MissingInput(f"{env} {algo} seed {seed} step {step}: {path} is not an input of this job")
        return read_returns(path, {"env": env, "algo": algo, "seed": seed, "step": step})

    return returns


def log_rows(log, table: pl.DataFrame, line: str) -> None:
    """One log line per row of a job's small result table (picked policies), `line` a format
    string of its columns."""
    for row in table.iter_rows(named=True):
        log.info(line.format(**row))
