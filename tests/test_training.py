"""Training jobs: bitwise reproducibility, exact resume after a kill, evaluation against a loop."""

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import polars as pl
import pytest

from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.envs.gym_envs import MODULES_VARIABLE
from workflow_lib.envs.native import make_env, reference_state
from workflow_lib.engine.rollout import rollout_return
from workflow_lib.training.loops import carry_init, offpolicy_chunk
from workflow_lib.training.cli import output_paths
from workflow_lib.training.files import load_checkpoint, load_replay, load_states
from workflow_lib.training.job import TrainJob
from workflow_lib.training.trainer import Trainer

JOBS = {
    "td3": {"env": "probe", "backend": "none", "algo": "td3", "seeds": [0, 1], "total_steps": 3000,
            "checkpoints": [1000, 3000], "warmup_steps": 200, "log_every": 100, "episode_length": 1,
            "state_every": 500, "hyperparameters": {"hidden": [32, 32], "batch_size": 32}},
    "ppo": {"env": "probe", "backend": "none", "algo": "ppo", "seeds": [3], "total_steps": 40960,
            "checkpoints": [10000, 40960], "log_every": 512, "episode_length": 1,
            "hyperparameters": {"num_envs": 32, "unroll_length": 8, "hidden": [16]}},
    # A host-stepped simulator (Gymnasium's Hopper, falls and resets): its snapshot holds the
    # copies' MuJoCo states and random streams, so a killed job resumes to the same bytes.
    "host_td3": {"env": "gym-Hopper-v5", "backend": "spring", "algo": "td3", "seeds": [0, 1], "total_steps": 300,
                 "checkpoints": [150, 300], "warmup_steps": 100, "log_every": 50, "episode_length": 100,
                 "hyperparameters": {"hidden": [16, 16], "batch_size": 16}},
    # A user's own Gymnasium env (examples/cliff_runner.py, imported through gym_modules): its
    # snapshot is the env's own get_state and its random stream.
    "own_env_td3": {"env": "gym-CliffRunner-v0", "backend": "none", "algo": "td3", "seeds": [0, 1], "total_steps": 300,
                    "checkpoints": [150, 300], "warmup_steps": 100, "log_every": 50, "episode_length": 100,
                    "hyperparameters": {"hidden": [16, 16], "batch_size": 16}},
}
ROOT = Path(__file__).resolve().parent.parent
# As the workflow passes the config's gym_modules to its jobs (envs/gym_envs.py), run from the
# workflow directory.
JOB_ENV = {**os.environ, MODULES_VARIABLE: "examples.cliff_runner"}


@pytest.fixture(autouse=True)
def user_env_modules(monkeypatch):
    """This process reads the own env's checkpoints as a job would."""
    monkeypatch.setenv(MODULES_VARIABLE, JOB_ENV[MODULES_VARIABLE])
    monkeypatch.chdir(ROOT)


def start(job: dict, out: Path, snapshot_s: float = 300.0) -> subprocess.Popen:
    out.mkdir(parents=True, exist_ok=True)
    (out / "job.json").write_text(json.dumps(job))
    return subprocess.Popen([sys.executable, "-m", "workflow_lib.training.cli", str(out / "job.json"), str(out),
                             str(snapshot_s)], stderr=subprocess.PIPE, text=True, env=JOB_ENV, cwd=ROOT)


def run(job: dict, out: Path, snapshot_s: float = 300.0) -> None:
    proc = start(job, out, snapshot_s)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err


def outputs(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.glob("seed*/*.msgpack"))}


@pytest.fixture(scope="module", params=sorted(JOBS))
def reference(request, tmp_path_factory):
    """An uninterrupted run of each job."""
    out = tmp_path_factory.mktemp(f"ref_{request.param}")
    run(JOBS[request.param], out)
    return request.param, out


def test_same_seed_gives_identical_files(reference, tmp_path):
    name, ref = reference
    run(JOBS[name], tmp_path)
    assert outputs(tmp_path) == outputs(ref) and len(outputs(ref)) >= 2


def test_killed_job_resumes_to_identical_checkpoints(reference, tmp_path):
    name, ref = reference
    proc = start(JOBS[name], tmp_path, snapshot_s=0.0)
    snapshot = tmp_path / "_work" / "snapshot.msgpack"
    deadline = time.time() + 300
    while not snapshot.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert snapshot.exists(), "the job finished before it could be killed"
    assert not list(tmp_path.glob("seed*/step*.msgpack")), "a killed job published checkpoints"
    run(JOBS[name], tmp_path)
    assert outputs(tmp_path) == outputs(ref)
    assert not snapshot.exists()
    evals = pl.read_parquet(sorted(tmp_path.glob("seed*/eval.parquet"))[0])
    assert evals["step"].is_sorted() and evals["step"].n_unique() == evals.height


def test_a_job_killed_at_any_step_of_publishing_reruns_to_the_same_outputs(tmp_path):
    """Kill (stop) after each publishing step, let Snakemake delete the job's outputs as it does
    for an incomplete job, rerun: the outputs equal an uninterrupted run's, byte for byte."""
    job = TrainJob.from_fields({**JOBS["td3"], "seeds": [0], "total_steps": 800, "checkpoints": [400, 800]})
    log = logging.getLogger("test-publish")

    def train_and_publish(out: Path, stop_after: int | None = None) -> int:
        trainer = Trainer(job, out / "_work", log)
        carry, rows = trainer.run(snapshot_every_s=0.0)  # a snapshot at every chunk boundary
        steps = trainer.publish_steps(carry, rows, *output_paths(job, out, off_policy=True))
        for _, action in steps[:stop_after]:
            action()
        return len(steps)

    def files(out: Path) -> dict[str, bytes]:
        return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.glob("seed*/*")) if p.is_file()}

    n_steps = train_and_publish(tmp_path / "reference")
    reference = files(tmp_path / "reference")
    assert len(reference) == 5 and not list((tmp_path / "reference" / "_work").rglob("*.msgpack"))
    work = tmp_path / "interrupted"
    train_and_publish(work, stop_after=0)  # trained, nothing published: the work folder as a kill finds it
    pristine = tmp_path / "pristine_work"
    shutil.copytree(work / "_work", pristine)
    for k in range(n_steps):
        shutil.rmtree(work)
        shutil.copytree(pristine, work / "_work")
        train_and_publish(work, stop_after=k)  # killed after k steps
        for path in work.glob("seed*"):
            shutil.rmtree(path)  # Snakemake deletes an incomplete job's outputs
        train_and_publish(work)  # the rerun
        assert files(work) == reference, f"killed after step {k}"
        assert not (work / "_work" / "snapshot.msgpack").exists()


def test_checkpoint_contents(reference):
    name, ref = reference
    meta, state = load_checkpoint(ref / f"seed{JOBS[name]['seeds'][0]}" / f"step{JOBS[name]['checkpoints'][0]}.msgpack")
    assert meta["algo"] == JOBS[name]["algo"] and meta["step"] == JOBS[name]["checkpoints"][0]
    assert int(state["steps"]) == meta["env_steps"] >= meta["step"]
    if name == "td3":
        assert int(state["buffer_size"]) == meta["step"]
        rmeta, buffer = load_replay(ref / "seed0" / "replay.msgpack")
        assert int(buffer.size) == JOBS[name]["total_steps"] and buffer.data.terminal.shape == (3000,)
        assert np.all(np.asarray(buffer.data.terminal) == 1.0)  # every probe episode terminates
        for seed in JOBS[name]["seeds"]:  # each seed's file holds its own states
            _, buffer = load_replay(ref / f"seed{seed}" / "replay.msgpack")
            smeta, states = load_states(ref / f"seed{seed}" / "states.msgpack")
            assert smeta["collection_times"] == [0, 500, 1000, 1500, 2000, 2500] and smeta["seed"] == seed
            np.testing.assert_array_equal(states.obs, np.asarray(buffer.data.obs)[smeta["collection_times"]])
    elif name == "ppo":
        assert state["envs"].state.obs.shape == (32, 2)  # PPO keeps every env's state
    else:  # host-stepped: no simulator state in a checkpoint, none needed for one more update
        assert meta["family"] == "host" and "env" not in state and int(state["buffer_size"]) == meta["step"]


def test_rollout_matches_python_loop():
    """The scanned evaluation equals a plain loop, stopping the sum at the first termination."""
    env = make_env("hopper", "spring")
    start_state = reference_state("hopper", "spring")
    w = jax.random.normal(jax.random.key(0), (env.observation_size, env.action_size)) * 0.5
    policy = lambda w, obs: jnp.tanh(obs @ w)  # noqa: E731
    out = jax.jit(lambda w: rollout_return(env, policy, w, start_state, 60, with_rewards=True))(w)
    step = jax.jit(env.step)
    state, total, length = start_state, 0.0, 0
    for _ in range(60):
        state = step(state, jnp.clip(policy(w, state.obs), -1, 1))
        total, length = total + float(state.reward), length + 1
        if state.done:
            break
    assert int(out["length"]) == length
    np.testing.assert_allclose(float(out["return"]), total, rtol=1e-5)
    np.testing.assert_allclose(float(out["rewards"].sum()), total, rtol=1e-5)


def test_stored_states_resume_the_physics_exactly():
    """A kept training state is the full brax state the stored transition was taken from: stepping
    it with the stored action gives the stored reward and next observation bit for bit, which the
    observation alone cannot (the spring pipeline integrates maximal coordinates)."""
    algo, env = ALGORITHMS["td3"], make_env("hopper", "spring")
    hp = algo.make_config({"hidden": [8]})
    carry = jax.vmap(lambda k: carry_init(algo, env, hp, k, 48, state_every=8))(jax.random.split(jax.random.key(0), 2))
    carry, _ = jax.jit(lambda c: offpolicy_chunk(algo, env, c, 48, False, 20))(carry)  # episodes of 20: resets too
    assert carry.archive.slots == 6
    step = jax.jit(env.step)
    for seed in range(2):
        data = jax.tree.map(lambda x: np.asarray(x[seed]), carry.buffer.data)
        for k in range(6):
            t = 8 * k
            state = jax.tree.map(lambda x: x[seed, k], carry.archive.states)
            np.testing.assert_array_equal(state.obs, data.obs[t])
            nxt = step(state, data.action[t])
            np.testing.assert_array_equal(nxt.obs, data.next_obs[t])
            np.testing.assert_array_equal(nxt.reward, data.reward[t])
    # From the observation alone (q and qd rebuilt by the pipeline) the next step differs.
    state = jax.tree.map(lambda x: x[0, 3], carry.archive.states)
    rebuilt = state.replace(pipeline_state=jax.jit(env.pipeline_init)(state.pipeline_state.q, state.pipeline_state.qd))
    assert not np.array_equal(step(rebuilt, data.action[24]).obs, step(state, data.action[24]).obs)


def test_keeping_states_changes_nothing_else():
    """Training with the state archive is training without it, bit for bit."""
    algo, env = ALGORITHMS["td3"], make_env("probe", "none")
    hp = algo.make_config({"hidden": [8], "batch_size": 8})
    keys = jax.random.split(jax.random.key(1), 2)
    runs = []
    for every in (0, 4):
        carry = jax.vmap(lambda k, every=every: carry_init(algo, env, hp, k, 40, state_every=every))(keys)
        carry, _ = jax.jit(lambda c: offpolicy_chunk(algo, env, c, 20, True, 1))(carry)
        runs.append(carry)
    assert runs[0].archive is None and runs[1].archive.slots == 10
    np.testing.assert_array_equal(runs[1].archive.states.obs[:, :5], runs[1].buffer.data.obs[:, 0:20:4])
    for a, b in zip(jax.tree.leaves(runs[0].replace(archive=None)), jax.tree.leaves(runs[1].replace(archive=None))):
        np.testing.assert_array_equal(jax.random.key_data(a) if jnp.issubdtype(a.dtype, jax.dtypes.prng_key) else a,
                                      jax.random.key_data(b) if jnp.issubdtype(b.dtype, jax.dtypes.prng_key) else b)
