"""Algorithm 1, post-update CVaR rejection (Sec. 4.2, A.9, A.10; docs/protocol.md, "Algorithm 1").

From an off-policy checkpoint (networks, targets, optimizer states, replay prefix, and on Brax
the training env), K proposals. A proposal takes one cycle of training exactly as training would (proposals: training's
own loop of the env's family): policy_delay env steps with exploration noise, each stored and
followed by one training update, the last of which moves the actor and the targets (TD3: two
steps, one actor step; SAC: one step); on a host-stepped task the env starts fresh (a checkpoint
holds no simulator state; proposals says how). Its candidate's PURD is estimated with N samples
of the algorithm's own update (the PURD engine), and it is accepted iff CVaR_alpha(candidate) >= (1 - delta)
CVaR_alpha(current), the current policy's PURD having been estimated once, when it was accepted.
A rejection keeps the current networks, optimizer states, replay buffer (contents and insertion
point) and step count; the env and the key stream go on. The baseline accepts every proposal
(plain TD3/SAC) and uses the same keys.

The host only decides, from N returns, which state to keep: proposals and PURDs are jitted
programs (on a host-stepped task, training's host loop), and a rejected candidate is simply
dropped. While nothing has been rejected both
variants hold the same state, so its proposal and PURD are computed once.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
import polars as pl

from workflow_lib.core.tables import with_identity
from workflow_lib.studies import purd
from workflow_lib.analysis import selection, stats
from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.studies.proposals import BraxProposer, proposer
from workflow_lib.training.host_loop import HostCarry
from workflow_lib.training.loops import OffPolicyCarry
from workflow_lib.agents.replay import ReplayBuffer
from workflow_lib.training.files import load_checkpoint, load_replay

VARIANTS = ("rejection", "baseline")
STAT_COLUMNS = ("mean", "std", "ltp", "cvar")


@dataclasses.dataclass(frozen=True)
class Settings:
    """One run of Algorithm 1; every field is a config value (algorithm1 and stats sections)."""

    proposals: int = 40  # K
    samples: int = 1000  # N: PURD samples per estimate
    alpha: float = 0.1  # CVaR level
    delta: float = 0.0  # tolerance: accept iff CVaR' >= (1 - delta) CVaR
    batch_size: int = 100  # PURD samples per jitted chunk
    episode_length: int = 1000  # evaluation rollouts
    ltp_alpha: float = 0.5
    bins: int = 100


@dataclasses.dataclass(frozen=True)
class Start:
    """A checkpoint ready for proposals: its identity, the proposer of its env's family and the
    variants' first state (unbatched: the carry, and on a host-stepped task its simulator copy)."""

    env: str
    backend: str
    algo: str
    seed: int
    step: int
    max_steps: int  # training's episode length (truncation of the env that goes on)
    carry: Any
    proposer: Any = dataclasses.field(compare=False)


def run_keys(env: str, algo: str, seed: int, step: int, run: int) -> tuple[jax.Array, jax.Array]:
    """(proposal key, PURD key) of one run: runs of one checkpoint are independent, and the two
    variants of a run share both streams."""
    root = jax.random.fold_in(purd.root_key(env, algo, seed, step, "algorithm1"), run)
    k_proposals, k_purd = jax.random.split(root)
    return k_proposals, k_purd


def load_start(checkpoint_path, replay_path, proposals: int, run: int) -> Start:
    """The checkpoint's full state with its replay prefix, the buffer grown by the room the
    proposals' transitions need, and the run's proposal key."""
    meta, state = load_checkpoint(checkpoint_path)
    algo = ALGORITHMS[meta["algo"]]
    if not algo.off_policy:
        raise ValueError(f"{checkpoint_path}: Algorithm 1 takes TD3 or SAC checkpoints, not {meta['algo']}")
    if meta["step"] < meta.get("warmup_steps", 0):
        raise ValueError(f"{checkpoint_path}: step {meta['step']} is before learning starts")
    if int(state["steps"]) != int(state["buffer_size"]):
        raise ValueError(f"{checkpoint_path}: {int(state['steps'])} steps but {int(state['buffer_size'])} stored")
    _, stored = load_replay(replay_path)
    key, _ = run_keys(meta["env"], meta["algo"], meta["seed"], meta["step"], run)
    buffer = ReplayBuffer(stored.data, state["buffer_size"])
    if "env" in state:
        carry = OffPolicyCarry(state["agent"], state["env"], buffer, key, state["steps"])
    else:  # a host-stepped run's checkpoint
        carry = HostCarry(state["agent"], buffer, key, state["steps"])
    max_steps = meta.get("episode_length", 1000)
    propose = proposer(meta["env"], meta["backend"], meta["algo"], max_steps)
    first = propose.initial(with_room(carry, proposals),
                            (meta["env"], meta["algo"], meta["seed"], meta["step"], "algorithm1", run))
    return Start(meta["env"], meta["backend"], meta["algo"], meta["seed"], meta["step"], max_steps, first, propose)


def with_room(carry, proposals: int):
    """The carry with its buffer grown by the transitions `proposals` proposals store (a checkpoint
    at the end of training has a full buffer). Rows beyond the insertion point are never read."""
    room = proposals * carry.agent.config.policy_delay
    grow = lambda x: jnp.concatenate([x, jnp.zeros((room, *x.shape[1:]), x.dtype)])  # noqa: E731
    return carry.replace(buffer=carry.buffer.replace(data=jax.tree.map(grow, carry.buffer.data)))


def estimate(start: Start, carry, root: jax.Array, settings: Settings) -> dict[str, float]:
    """PURD statistics (mean, std, LTP, CVaR_alpha) of the policy of `carry` from N samples of the
    algorithm's own update, drawn from its buffer prefix."""
    policy = purd.Policy(start.env, start.backend, start.algo, start.seed, start.step, carry.agent, carry.buffer,
                         max_steps=start.max_steps)
    # A chunk never exceeds N: purd.sample computes whole chunks, so a larger one would waste work.
    sampling = purd.Settings(n=settings.samples, batch_size=min(settings.batch_size, settings.samples),
                             episode_length=settings.episode_length)
    returns = purd.sample(policy, start.algo, sampling, root=root)["return"].astype(np.float64)
    point = stats.point_statistics(returns[None], stats.StatsSettings(cvar_alphas=(settings.alpha,),
                                                                     ltp_alpha=settings.ltp_alpha, bins=settings.bins))
    return {"mean": float(point["mean"][0]), "std": float(point["std"][0]), "ltp": float(point["ltp"][0]),
            "cvar": float(point[stats.cvar_name(settings.alpha)][0])}


def accepts(candidate_cvar: float, current_cvar: float, delta: float) -> bool:
    """Algorithm 1's test: CVaR(candidate) >= (1 - delta) CVaR(current)."""
    return candidate_cvar >= (1.0 - delta) * current_cvar


def decide(variant: str, current, held: dict, candidate, estimated: dict, delta: float,
           keep: Callable = BraxProposer.keep) -> tuple[Any, dict, bool]:
    """(state, statistics, accepted) after a proposal: the candidate if the variant accepts it, else
    the current networks, optimizer states, buffer (contents and insertion point) and step count with
    the candidate's env and key, which go on (`keep`, the proposer's)."""
    if variant == "baseline" or accepts(estimated["cvar"], held["cvar"], delta):
        return candidate, estimated, True
    return keep(current, candidate), held, False


def _row(variant: str, proposal: int, accepted: bool, steps, candidate: dict, held: dict) -> dict:
    return {"variant": variant, "proposal": proposal, "accepted": accepted, "env_steps": int(steps),
            **candidate, **{f"current_{k}": held[k] for k in STAT_COLUMNS}}


def run(start: Start, run_index: int, settings: Settings,
        log: logging.Logger | None = None) -> tuple[pl.DataFrame, dict[str, Any]]:
    """(trace, final states) of both variants. The trace has per variant and proposal (0 is the
    start) whether it was accepted, the candidate's PURD statistics and those of the policy held
    after the decision."""
    _, k_purd = run_keys(start.env, start.algo, start.seed, start.step, run_index)
    propose = start.proposer.propose
    first = estimate(start, start.carry, jax.random.fold_in(k_purd, 0), settings)
    current = {v: start.carry for v in VARIANTS}
    held = {v: first for v in VARIANTS}
    rows = [_row(v, 0, True, start.carry.steps, first, first) for v in VARIANTS]
    spent: dict[str, list[float]] = {"update": [], "purd": []}  # seconds per proposal
    for k in range(1, settings.proposals + 1):
        # The same state in both variants (nothing rejected yet): one proposal and one PURD serve both.
        todo = VARIANTS[:1] if current["rejection"] is current["baseline"] else VARIANTS
        t0 = time.monotonic()
        candidates = {v: jax.block_until_ready(propose(current[v])) for v in todo}
        t1 = time.monotonic()
        estimates = {v: estimate(start, candidates[v], jax.random.fold_in(k_purd, k), settings) for v in todo}
        t2 = time.monotonic()
        spent["update"].append(t1 - t0)
        spent["purd"].append(t2 - t1)
        for v in VARIANTS:
            candidate, est = candidates.get(v, candidates[todo[0]]), estimates.get(v, estimates[todo[0]])
            current[v], held[v], accepted = decide(v, current[v], held[v], candidate, est, settings.delta,
                                                   start.proposer.keep)
            rows.append(_row(v, k, accepted, current[v].steps, est, held[v]))
        if log is not None:
            last = rows[-2:]
            log.info("proposal %d/%d: candidate CVaR %.1f %s (held %.1f, LTP %.3f); baseline LTP %.3f; "
                     "update %.3f s, PURD %.2f s (%d estimate%s)", k, settings.proposals, last[0]["cvar"],
                     "accepted" if last[0]["accepted"] else "rejected", last[0]["current_cvar"],
                     last[0]["current_ltp"], last[1]["current_ltp"], t1 - t0, t2 - t1, len(todo),
                     "s" if len(todo) > 1 else "")
    if log is not None:
        rejected = sum(not r["accepted"] for r in rows if r["variant"] == "rejection")
        log.info("done: %d of %d proposals rejected; %s", rejected, settings.proposals, cost_summary(spent))
    return pl.DataFrame(rows), current


def cost_summary(spent: dict[str, list[float]]) -> str:
    """Where a proposal's time goes, from per-proposal seconds; the first proposal, which compiles
    the proposal program, is left out of the medians when there are others."""
    steady = {k: v[1:] or v for k, v in spent.items()}
    update, estimate_ = (float(np.median(steady[k])) for k in ("update", "purd"))
    share = 100 * update / max(update + estimate_, 1e-12)
    return (f"median proposal {update + estimate_:.3f} s: update {update:.4f} s ({share:.1f}%), PURD {estimate_:.3f} s; "
            f"first proposal (compiles) {spent['update'][0] + spent['purd'][0]:.1f} s")


def trace(starts: pl.DataFrame, start: int, run_index: int, paths: Callable[[dict], tuple[str, str]],
          settings: Settings, log: logging.Logger | None = None) -> pl.DataFrame:
    """The trace of one run of both variants from starting policy `start` of the starts table
    (columns start, env, algo, seed, step), with its identity in front."""
    row = selection.rejection_start(starts, start)
    begin = load_start(*paths(row), settings.proposals, run_index)
    if log is not None:
        log.info("%s %s seed %d step %d, run %d: %d proposals, N = %d, CVaR alpha %g, delta %g", begin.env, begin.algo,
                 begin.seed, begin.step, run_index, settings.proposals, settings.samples, settings.alpha, settings.delta)
    table, _ = run(begin, run_index, settings, log)
    identity = {"env": begin.env, "algo": begin.algo, "start": start, "seed": begin.seed, "step": begin.step,
                "run": run_index}
    return with_identity(table, identity)
