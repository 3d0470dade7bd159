"""Algorithm 1 (post-update CVaR rejection) on checkpoints of the probe task: what a rejection
restores, that the baseline is plain training, that the trace follows the test, reproducibility;
and the figures' aggregations on hand-made traces."""

import dataclasses
import logging

import jax
import numpy as np
import polars as pl
import pytest

from workflow_lib.studies import algorithm1
from workflow_lib.analysis import summaries
from workflow_lib.analysis import selection
from workflow_lib.analysis import stats
from workflow_lib.training import trainer as training
from workflow_lib.training.files import load_replay
from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.envs.native import make_env
from workflow_lib.training.loops import offpolicy_chunk
from workflow_lib.training.host_loop import HostTraining
from workflow_lib.studies.proposals import HostProposalState

JOB = {"env": "probe", "backend": "none", "seeds": [0], "total_steps": 400, "checkpoints": [400], "warmup_steps": 100,
       "log_every": 100, "episode_length": 1, "hyperparameters": {"hidden": [16, 16], "batch_size": 32}}
SETTINGS = algorithm1.Settings(proposals=6, samples=16, batch_size=8, episode_length=1)


def last_checkpoint(fields: dict, out) -> tuple:
    """(checkpoint, replay) files of a one-seed run whose checkpoint is its last step: a full buffer."""
    trainer = training.Trainer(training.TrainJob.from_fields(fields), out / "_work", logging.getLogger("test"))
    carry, rows = trainer.run()
    step = fields["total_steps"]
    paths = out / f"step{step}.msgpack", out / "replay.msgpack"
    trainer.publish(carry, rows, {(0, step): paths[0]}, {0: paths[1]}, {0: out / "eval.parquet"})
    return paths


@pytest.fixture(scope="module", params=["td3", "sac"])
def checkpoint(request, tmp_path_factory):
    """A probe run's last checkpoint and its replay file."""
    return last_checkpoint({**JOB, "algo": request.param}, tmp_path_factory.mktemp(f"a1_{request.param}"))


@pytest.fixture(scope="module")
def start(checkpoint):
    """The checkpoint loaded for run 0, shared: a fresh load has fresh optimizer closures, on which
    every program would be traced again."""
    return algorithm1.load_start(*checkpoint, SETTINGS.proposals, run=0)


def for_run(start: algorithm1.Start, run: int) -> algorithm1.Start:
    """`start` with the proposal key of another run, as load_start(..., run) makes it."""
    key, _ = algorithm1.run_keys(start.env, start.algo, start.seed, start.step, run)
    return dataclasses.replace(start, carry=start.carry.replace(key=key))


def leaves_equal(a, b) -> bool:
    plain = lambda x: np.asarray(jax.random.key_data(x) if jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key)  # noqa: E731
                                 else x)
    return all(np.array_equal(plain(x), plain(y)) for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)))


def test_a_rejection_restores_networks_optimizers_buffer_and_steps_but_not_env_or_key(start):
    before = start.carry
    candidate = start.proposer.propose(before)
    delay = before.agent.config.policy_delay
    # The candidate is one training cycle on: it moved the networks and stored `delay` transitions.
    assert not leaves_equal(candidate.agent.actor.params, before.agent.actor.params)
    assert not leaves_equal(candidate.agent.actor.opt_state, before.agent.actor.opt_state)
    assert int(candidate.buffer.size) == int(before.buffer.size) + delay == int(candidate.steps)
    assert not leaves_equal(candidate.buffer.data, before.buffer.data)

    kept, held, accepted = algorithm1.decide("rejection", before, {"cvar": 1.0}, candidate, {"cvar": 0.5}, 0.0)
    assert not accepted and held == {"cvar": 1.0}
    assert leaves_equal(kept.agent, before.agent)  # networks, targets, optimizer states, step counters
    assert leaves_equal(kept.buffer, before.buffer)  # every row, and the insertion point
    assert int(kept.steps) == int(before.steps)
    assert leaves_equal(kept.env, candidate.env)  # the env goes on
    assert np.array_equal(jax.random.key_data(kept.key), jax.random.key_data(candidate.key))

    taken, held, accepted = algorithm1.decide("rejection", before, {"cvar": 1.0}, candidate, {"cvar": 0.95}, 0.1)
    assert accepted and held == {"cvar": 0.95} and taken is candidate
    assert algorithm1.decide("baseline", before, {"cvar": 1.0}, candidate, {"cvar": -5.0}, 0.0)[2]


def test_the_checkpoint_buffer_gets_room_for_the_proposals(checkpoint, start):
    _, stored = load_replay(checkpoint[1])
    delay = start.carry.agent.config.policy_delay
    assert int(start.carry.buffer.size) == 400 == stored.data.obs.shape[0]  # the checkpoint's buffer was full
    assert start.carry.buffer.data.obs.shape[0] == 400 + SETTINGS.proposals * delay


def test_the_baseline_is_plain_training_and_the_trace_follows_the_test(start):
    trace, final = algorithm1.run(start, 0, SETTINGS)
    algo, delay = ALGORITHMS[start.algo], start.carry.agent.config.policy_delay

    # K proposals accepted = K training cycles from the checkpoint, with the same key stream.
    one_seed = jax.tree.map(lambda x: x[None], start.carry)
    trained, _ = offpolicy_chunk(algo, make_env("probe", "none"), one_seed, SETTINGS.proposals * delay, True, 1)
    for got, want in zip(jax.tree.leaves(final["baseline"].agent), jax.tree.leaves(trained.agent)):
        np.testing.assert_allclose(np.asarray(got), np.asarray(want)[0], rtol=1e-5, atol=1e-6)
    assert int(final["baseline"].steps) == 400 + SETTINGS.proposals * delay

    base = trace.filter(pl.col("variant") == "baseline").sort("proposal")
    assert base["accepted"].all() and base["proposal"].to_list() == list(range(SETTINGS.proposals + 1))
    assert base["current_cvar"].to_list() == base["cvar"].to_list()

    rej = trace.filter(pl.col("variant") == "rejection").sort("proposal").to_dicts()
    for prev, row in zip(rej, rej[1:]):
        assert row["accepted"] == (row["cvar"] >= prev["current_cvar"])  # delta 0; held CVaR estimated once
        held = row if row["accepted"] else prev
        assert row["current_cvar"] == held["cvar" if row["accepted"] else "current_cvar"]
        assert row["env_steps"] == prev["env_steps"] + (delay if row["accepted"] else 0)
    accepted = sum(r["accepted"] for r in rej[1:])
    assert int(final["rejection"].steps) == 400 + accepted * delay


def test_a_run_is_reproducible_and_runs_are_independent(checkpoint, start):
    settings = dataclasses.replace(SETTINGS, proposals=3)
    first, _ = algorithm1.run(start, 0, settings)
    again, _ = algorithm1.run(start, 0, settings)
    other, _ = algorithm1.run(for_run(start, 1), 1, settings)
    loaded = algorithm1.load_start(*checkpoint, SETTINGS.proposals, run=1)
    assert leaves_equal(loaded.carry, for_run(start, 1).carry)
    assert first.equals(again)
    assert not np.array_equal(first["cvar"].to_numpy()[2:], other["cvar"].to_numpy()[2:])


def test_scripted_decisions_keep_or_move_the_policy_and_variants_part_at_the_first_rejection(start, monkeypatch):
    pattern = [True, False, False, True, False, True]
    decisions = iter(pattern)
    monkeypatch.setattr(algorithm1, "accepts", lambda *args: next(decisions))
    trace, final = algorithm1.run(start, 0, SETTINGS)
    delay = start.carry.agent.config.policy_delay
    rej = trace.filter(pl.col("variant") == "rejection").sort("proposal").to_dicts()
    base = trace.filter(pl.col("variant") == "baseline").sort("proposal").to_dicts()
    assert [r["accepted"] for r in rej[1:]] == pattern
    for prev, row in zip(rej, rej[1:]):
        held = row if row["accepted"] else {k.removeprefix("current_"): v for k, v in prev.items()}
        np.testing.assert_equal([row[f"current_{k}"] for k in algorithm1.STAT_COLUMNS],
                                [held[k] for k in algorithm1.STAT_COLUMNS])  # LTP: NaN on the probe's returns
        assert row["env_steps"] == prev["env_steps"] + (delay if row["accepted"] else 0)
    assert int(final["rejection"].steps) == 400 + sum(pattern) * delay
    # Proposal 1 was accepted: both variants held the same policy, so proposed the same candidate 2.
    np.testing.assert_equal([{k: v for k, v in r.items() if k != "variant"} for r in rej[:2]],
                            [{k: v for k, v in r.items() if k != "variant"} for r in base[:2]])
    np.testing.assert_equal([rej[2][k] for k in algorithm1.STAT_COLUMNS], [base[2][k] for k in algorithm1.STAT_COLUMNS])
    # Proposal 2 was rejected: from proposal 3 on the variants propose from different policies.
    assert rej[3]["cvar"] != base[3]["cvar"]
    rejected_everything = dataclasses.replace(SETTINGS, proposals=2)
    monkeypatch.setattr(algorithm1, "accepts", lambda *args: False)
    _, final = algorithm1.run(start, 0, rejected_everything)
    assert leaves_equal(final["rejection"].agent, start.carry.agent)
    assert leaves_equal(final["rejection"].buffer, start.carry.buffer)


def test_the_acceptance_test():
    assert algorithm1.accepts(100.0, 100.0, 0.0) and not algorithm1.accepts(99.9, 100.0, 0.0)
    assert algorithm1.accepts(95.0, 100.0, 0.05) and not algorithm1.accepts(94.0, 100.0, 0.05)
    assert algorithm1.accepts(-10.0, -10.0, 0.0) and not algorithm1.accepts(-11.0, -10.0, 0.0)


def test_starts_are_the_noisiest_policies():
    table = pl.DataFrame({"algo": ["td3"] * 5 + ["sac"], "seed": [0, 0, 1, 1, 2, 0], "step": [1, 2, 1, 2, 1, 1],
                          "mean": [1.0] * 6, "std": [5.0, 9.0, 1.0, 2.0, 3.0, 1.0],
                          "ltp": [0.1, float("nan"), 0.3, 0.1, 0.0, 0.9]})
    starts = selection.rejection_starts(table, "td3", 4)
    assert starts.select("start", "seed", "step").rows() == [(0, 1, 1), (1, 0, 1), (2, 1, 2), (3, 2, 1)]
    assert selection.rejection_starts(table, "td3", 10).height == 5


def trace_rows(env, start, run, variant, ltps, means, accepted):
    return [{"env": env, "algo": "td3", "start": start, "seed": 0, "step": 1, "run": run, "variant": variant,
             "proposal": k, "accepted": a, "mean": m, "std": 1.0, "ltp": l, "cvar": m, "current_mean": m,
             "current_std": 1.0, "current_ltp": l, "current_cvar": m}
            for k, (l, m, a) in enumerate(zip(ltps, means, accepted))]


def test_ltp_reduction_and_rejection_rates_of_known_traces():
    rows = (trace_rows("a", 0, 0, "rejection", [0.4, 0.2, 0.1], [10, 10, 10], [True, True, False])
            + trace_rows("a", 0, 1, "rejection", [0.4, 0.4, 0.3], [10, 10, 12], [True, False, False])
            + trace_rows("b", 0, 0, "rejection", [0.2, 0.2, float("nan")], [5, 5, 5], [True, True, True])
            + trace_rows("a", 0, 0, "baseline", [0.4, 0.5, 0.6], [10, 11, 12], [True] * 3)
            + trace_rows("a", 0, 1, "baseline", [0.4, 0.4, 0.4], [10, 10, 10], [True] * 3)
            + trace_rows("b", 0, 0, "baseline", [0.2, 0.3, 0.3], [5, 5, 5], [True] * 3))
    traces = pl.DataFrame(rows)
    summary = summaries.ltp_reduction(traces, resamples=200)
    at = lambda v, m, k: summary.filter((pl.col("variant") == v) & (pl.col("metric") == m)  # noqa: E731
                                        & (pl.col("proposal") == k)).row(0, named=True)
    # Env a: runs reduce by 0.3 and 0.1 (mean 0.2); env b's last LTP is undefined, so a alone.
    assert at("rejection", "ltp_reduction", 2)["value"] == pytest.approx(0.2)
    assert at("rejection", "ltp_reduction", 1)["value"] == pytest.approx((0.1 + 0.0) / 2)  # a: 0.2, 0; b: 0
    assert at("baseline", "ltp_reduction", 2)["value"] == pytest.approx((-0.1 + -0.1) / 2)
    assert at("rejection", "mean_change", 2)["value"] == pytest.approx((1.0 + 0.0) / 2)
    assert at("rejection", "ltp_reduction", 0)["value"] == 0.0

    rates = summaries.rejection_rates(traces)
    a, b = rates.row(0, named=True), rates.row(1, named=True)
    assert (a["env"], a["runs"], a["rate"]) == ("a", 2, pytest.approx(0.75))
    assert a["se"] == pytest.approx(np.std([0.5, 1.0], ddof=1) / np.sqrt(2))
    assert (b["rate"], b["se"]) == (0.0, 0.0)


def test_cvar_ranks():
    policies = pl.DataFrame({"env": ["a", "a", "a", "b"], "algo": ["td3"] * 4, "seed": [0, 1, 2, 0], "step": [1] * 4,
                             "mean": [5.0, 6.0, 4.0, 1.0], "ltp": [0.0] * 4})
    returns = [np.array([0.0, 10.0]), np.array([2.0, 10.0]), np.array([4.0, 4.0]), np.array([1.0, 1.0])]
    ranks = summaries.cvar_ranks(policies, returns, [0.5, 1.0])
    assert ranks[stats.cvar_name(1.0)].to_list() == [5.0, 6.0, 4.0, 1.0]
    assert ranks["rank_1"].to_list() == [2, 1, 3, 1]  # the mean, per env
    assert ranks["rank_0.5"].to_list() == [3, 2, 1, 1]  # the worst half: 0, 2, 4


# Algorithm 1 on a host-stepped task (Gymnasium's Hopper): proposals are training's host loop
# continued from a variant's own simulator copy, which starts fresh (a checkpoint has no env).
HOST_JOB = {"env": "gym-Hopper-v5", "backend": "spring", "algo": "td3", "seeds": [0], "total_steps": 200,
            "checkpoints": [200], "warmup_steps": 100, "log_every": 100, "episode_length": 50,
            "hyperparameters": {"hidden": [16, 16], "batch_size": 16}}
HOST_SETTINGS = algorithm1.Settings(proposals=4, samples=4, batch_size=4, episode_length=20)


@pytest.fixture(scope="module")
def host_checkpoint(tmp_path_factory):
    pytest.importorskip("gymnasium")
    return last_checkpoint(HOST_JOB, tmp_path_factory.mktemp("a1_host"))


@pytest.fixture(scope="module")
def host_start(host_checkpoint):
    return algorithm1.load_start(*host_checkpoint, HOST_SETTINGS.proposals, run=0)


def test_on_a_host_stepped_task_a_rejection_keeps_the_learner_and_the_env_goes_on(host_checkpoint, host_start):
    before = host_start.carry
    assert isinstance(before, HostProposalState) and before.host["actions"] is None  # a fresh copy, reset
    candidate = host_start.proposer.propose(before)
    delay = before.agent.config.policy_delay
    assert not leaves_equal(candidate.agent.actor.params, before.agent.actor.params)
    assert int(candidate.buffer.size) == int(before.buffer.size) + delay == int(candidate.steps) == 200 + delay
    assert candidate.host["t"] == [delay] and candidate.host["obs"] != before.host["obs"]

    kept, _, accepted = algorithm1.decide("rejection", before, {"cvar": 1.0}, candidate, {"cvar": 0.0}, 0.0,
                                         host_start.proposer.keep)
    assert not accepted
    assert leaves_equal(kept.agent, before.agent) and leaves_equal(kept.buffer, before.buffer)  # still readable
    assert int(kept.steps) == 200
    assert kept.host["envs"] == candidate.host["envs"] and kept.host["t"] == [delay]  # the env goes on
    assert kept.host["actions"] is None  # the kept policy chooses the next action
    assert np.array_equal(jax.random.key_data(kept.key), jax.random.key_data(candidate.key))
    # Each run of a checkpoint starts its own fresh copy.
    other = algorithm1.load_start(*host_checkpoint, HOST_SETTINGS.proposals, run=1)
    assert other.carry.host["obs"] != before.host["obs"]


def test_on_a_host_stepped_task_the_baseline_is_plain_training_and_a_run_is_reproducible(host_start, monkeypatch):
    trace, final = algorithm1.run(host_start, 0, HOST_SETTINGS)
    delay = host_start.carry.agent.config.policy_delay
    # The baseline's K proposals are K training cycles of training's host loop from the same copy.
    side = HostTraining("gym-Hopper-v5", ALGORITHMS["td3"], (0,), 50)
    side.restore(host_start.carry.host)
    one_seed = jax.tree.map(lambda x: x[None], host_start.carry.carry)
    trained = side.advance(one_seed, 0, HOST_SETTINGS.proposals * delay, True, True, delay)
    assert leaves_equal(final["baseline"].agent, jax.tree.map(lambda x: x[0], trained.agent))
    assert final["baseline"].host["obs"] == side.state()["obs"]
    assert int(final["baseline"].steps) == 200 + HOST_SETTINGS.proposals * delay
    assert trace.height == 2 * (HOST_SETTINGS.proposals + 1) and trace["mean"].is_finite().all()
    again, _ = algorithm1.run(host_start, 0, HOST_SETTINGS)
    assert trace.equals(again)

    # Scripted: accept, reject, accept, reject: the variants part at proposal 2, each with its own copy.
    decisions = iter([True, False, True, False])
    monkeypatch.setattr(algorithm1, "accepts", lambda *args: next(decisions))
    _, final = algorithm1.run(host_start, 0, HOST_SETTINGS)
    assert int(final["rejection"].steps) == 200 + 2 * delay
    assert final["rejection"].host["obs"] != final["baseline"].host["obs"]
