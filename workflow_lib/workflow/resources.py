"""What each job asks a scheduler for, derived from the config's scale (config key `resources`).

Pure functions of the config, so that the same rules ask for minutes on the tiny config and
hours on the paper-scale one. Runtimes are in minutes and memory in MB, Snakemake's
`runtime` and `mem_mb` (the SLURM executor turns them into -t and --mem).
"""

from __future__ import annotations

import math
from pathlib import Path

from workflow_lib.agents.registry import off_policy
from workflow_lib.envs.host import host_family, plays_frames
from workflow_lib.workflow.config import btp_sizes, kept_states, learner_episode_length


def machine_has_gpu() -> bool:
    """Whether this machine has an NVIDIA GPU (its device file; no JAX import at planning)."""
    return Path("/dev/nvidia0").exists()


def resolve_gpus(config: dict, local: bool, has_gpu: bool | None = None) -> None:
    """Fill resources.gpu where the config leaves it open (null): a job sent to a cluster asks for
    one GPU, a local job one only where this machine has a GPU (a CPU laptop's jobs then need no
    --resources gpu=N to run side by side)."""
    res = config["resources"]
    if res["gpu"] is None:
        res["gpu"] = int(not local or (machine_has_gpu() if has_gpu is None else has_gpu))


def _minutes(config: dict, seconds: float) -> int:
    res = config["resources"]
    return max(res["min_runtime"], math.ceil(res["runtime_margin"] * seconds / 60))


def train_runtime(config: dict, algo: str, env: str | None = None) -> int:
    """Minutes for one training job: its steps (per seed; seeds of a block run vmapped, or step
    their host-stepped simulators in lockstep)."""
    res = config["resources"]
    if env is not None and host_family(env) is not None:
        # A discrete Gymnasium env of the user's is timed as a game: its learner's CNN dominates.
        rate = res["atari_train_steps_per_s" if plays_frames(env) else "host_train_steps_per_s"]
        return _minutes(config, config[algo]["total_steps"] / rate)
    rates = res["train_steps_per_s"]
    rate = rates.get(algo, min(rates.values()))  # a learner without a measured rate: the slowest
    return _minutes(config, config[algo]["total_steps"] / rate)


def train_mem(config: dict, algo: str, n_seeds: int) -> int:
    """MB for one training job: the base plus, off-policy, the whole replay buffer of its seeds."""
    res = config["resources"]
    replay = 0 if not off_policy(algo) else config[algo]["total_steps"] * n_seeds * res["replay_bytes_per_step"]
    return res["mem_mb"] + math.ceil(replay / 2**20)


def purd_env_steps(config: dict, algo: str, n: int | None = None) -> int:
    """Env steps of a PURD job of n samples (default purd.samples): n rollouts, plus for PPO each
    sample's own fresh unroll (docs/protocol.md)."""
    steps = learner_episode_length(config, algo)
    if not off_policy(algo):  # on-policy (PPO): each sample's update collects a fresh unroll
        steps += config[algo]["num_envs"] * config[algo]["unroll_length"]
    return (config["purd"]["samples"] if n is None else n) * steps


def rollout_rate(config: dict, env: str | None) -> float:
    """Env steps per second of rollouts: a host-stepped env's (its simulator's) or a Brax env's."""
    if env is None or host_family(env) is None:
        return config["resources"]["purd_steps_per_s"]
    key = "atari_purd_steps_per_s" if plays_frames(env) else "host_purd_steps_per_s"
    return config["resources"][key]


def purd_runtime(config: dict, algo: str, n: int | None = None, policies: int = 1, env: str | None = None) -> int:
    """Minutes for a PURD job of n samples (default purd.samples) of each of `policies` policies
    (on a host-stepped env, at the host simulator's rate)."""
    return _minutes(config, policies * purd_env_steps(config, algo, n) / rollout_rate(config, env))


def rollouts_runtime(config: dict, rollouts: int, env: str | None = None) -> int:
    """Minutes for a job of `rollouts` rollouts of episode_length steps (fixed or perturbed policies)."""
    return _minutes(config, rollouts * config["episode_length"] / rollout_rate(config, env))


def landscape_runtime(config: dict) -> int:
    """Minutes for one landscape window: grid x grid rollouts of each of the two policies."""
    return rollouts_runtime(config, 2 * config["landscape"]["grid"] ** 2)


def interpolation_runtime(config: dict, kind: str, env: str | None = None) -> int:
    """Minutes for an env's Table 2 paths: one rollout per point of every pair ("paths"), or
    `perturbations` per point of the same-run pairs ("perturbed")."""
    cfg = config["interpolation"]
    per_point = cfg["perturbations"] if kind == "perturbed" else 2  # perturbed: same-run pairs only
    return rollouts_runtime(config, cfg["pairs"] * cfg["points"] * per_point, env)


def btp_runtime(config: dict, env: str | None = None) -> int:
    """Minutes for an env's BTP: btp_pairs pairs of each run kind, btp_samples rollouts per point."""
    sizes = config["interpolation"] if env is None else {**config["interpolation"], **btp_sizes(config, env)}
    return rollouts_runtime(config, 2 * sizes["btp_pairs"] * sizes["points"] * sizes["btp_samples"], env)


def algorithm1_runtime(config: dict, env: str | None = None) -> int:
    """Minutes for one run of Algorithm 1: at most two PURD estimates (rejection and baseline)
    per proposal and one of the start, N rollouts each; the proposals' updates cost little."""
    cfg = config["algorithm1"]
    return rollouts_runtime(config, (2 * cfg["proposals"] + 1) * cfg["samples"], env)


def start_states_runtime(config: dict) -> int:
    """Minutes for one TD3 run of Figure 10: N rollouts per checkpoint and start state."""
    cfg, td3 = config["start_states"], config["td3"]
    states = cfg["states"] or kept_states(td3)
    return rollouts_runtime(config, len(td3["checkpoints"]) * states * cfg["samples"])


def bc_train_runtime(config: dict) -> int:
    """Minutes for the clones of one TD3 run: steps BC updates per teacher (on a CPU, one after the
    other), at resources.bc_updates_per_s."""
    cfg = config["behaviour_cloning"]
    return _minutes(config, cfg["teachers"] * cfg["steps"] / config["resources"]["bc_updates_per_s"])


def bc_purd_runtime(config: dict) -> int:
    """Minutes for the PURDs of one TD3 run's clones: N rollouts per logged clone of every teacher."""
    cfg = config["behaviour_cloning"]
    return rollouts_runtime(config, cfg["teachers"] * cfg["logs"] * cfg["samples"])


def algorithm1_mem(config: dict, env: str | None = None) -> int:
    """MB for one run of Algorithm 1: its seed's replay buffer, held by each variant's current and
    candidate state (four copies), and on a host-stepped env the proposal's batched copy in and
    out of the host loop (two more)."""
    copies = 6 if env is not None and host_family(env) is not None else 4
    return train_mem(config, config["algorithm1"]["algo"], copies)


def purd_mem(config: dict, algo: str) -> int:
    """MB for one PURD job: the base plus one seed's replay buffer."""
    return train_mem(config, algo, 1)
