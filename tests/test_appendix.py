"""The appendix studies on small problems with known answers: PURDs from stored start states
(Figure 10) and behaviour cloning's PURDs, files and statistics (Figure 22 and its table)."""

import jax
import jax.numpy as jnp
import numpy as np
import polars as pl
import pytest

from workflow_lib.agents import bc
from workflow_lib.studies import behaviour_cloning
from workflow_lib.analysis import clones as bc_analysis
from workflow_lib.studies import purd
from workflow_lib.agents import replay
from workflow_lib.studies import start_states
from workflow_lib.agents import td3
from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.envs.native import make_env, reference_state
from workflow_lib.engine.rollout import rollout_return
from workflow_lib.core.trees import stack
from workflow_lib.analysis.stats import StatsSettings

SMALL = {"hidden": [16, 16], "batch_size": 16}
SETTINGS = purd.Settings(n=6, batch_size=4, episode_length=1)


@pytest.fixture(scope="module")
def teacher() -> purd.Policy:
    """A TD3 policy of the one-step probe task (its return is known from the action: -|a - obs/2|^2)."""
    return purd.synthetic_policy("probe", "none", "td3", SMALL, 64, max_steps=1)


def test_pick_spreads_states_over_collection_time():
    np.testing.assert_array_equal(start_states.pick(20, 5), [0, 5, 10, 14, 19])
    np.testing.assert_array_equal(start_states.pick(3, 5), [0, 1, 2])
    np.testing.assert_array_equal(start_states.pick(4, None), [0, 1, 2, 3])


def test_start_states_reuse_the_checkpoints_updates_from_each_state(teacher):
    """From s_I itself the returns are exactly the checkpoint's PURD (same keys, same program); from
    another state each sample is the same updated policy, rolled out from there."""
    s_i = reference_state("probe", "none")
    other = make_env("probe", "none").reset(jax.random.key(5))
    table = start_states.sample(teacher, stack([s_i, other]), [0, 32], np.array([0, 1]), SETTINGS)
    assert table.height == 2 * 6 and table.columns == list(start_states.KEYS) + ["sample", "return", "length"]
    from_s_i = table.filter(pl.col("state") == 0)
    np.testing.assert_array_equal(from_s_i["return"], purd.sample(teacher, "td3", SETTINGS)["return"])
    root = purd.root_key("probe", "td3", 0, 64, "td3")
    update = purd.one_update(teacher, "td3", SETTINGS)
    expected = []
    for i in range(6):
        params = update(jax.random.fold_in(root, i))
        action = jnp.clip(td3.policy(td3.with_actor_params(teacher.agent, params), other.obs), -1, 1)
        expected.append(-float(jnp.sum(jnp.square(action - 0.5 * other.obs))))
    from_other = table.filter(pl.col("state") == 1)
    assert (from_other["collection_time"] == 32).all()
    np.testing.assert_allclose(from_other["return"], expected, rtol=1e-5)


def returns_table(values: dict[tuple[int, int], list[float]]) -> pl.DataFrame:
    """Start-state returns of hand-made PURDs keyed by (step, collection time)."""
    rows = [{"env": "hopper", "algo": "td3", "seed": 0, "step": step, "state": t // 10, "collection_time": t,
             "sample": i, "return": r, "length": 1} for (step, t), rs in values.items() for i, r in enumerate(rs)]
    return pl.DataFrame(rows)


def test_start_state_statistics_and_figure10_curves():
    """LTP = P[0 <= R < mode / 2]: 2 of 10 returns far below a mode of 100 give 0.2 (bootstrapped:
    about 0.2), none give 0; a negative mode leaves the LTP undefined, and the average over
    checkpoints skips it."""
    ok, tail, negative = [100.0] * 10, [100.0] * 8 + [1.0, 2.0], [-50.0] * 10
    returns = returns_table({(1, 0): tail, (2, 0): ok, (1, 10): negative, (2, 10): tail})
    table = start_states.statistics(returns, StatsSettings(resamples=400))
    assert table.height == 4 and (table["n"] == 10).all() and table["ltp_defined"].to_list() == [True, False, True, True]
    ltp = {(r["step"], r["collection_time"]): r["ltp"] for r in table.iter_rows(named=True)}
    assert ltp[(1, 0)] == pytest.approx(0.2, abs=0.02) and ltp[(2, 0)] == 0.0 and np.isnan(ltp[(1, 10)])
    curves = start_states.ltp_by_time(table)
    assert curves["collection_time"].to_list() == [0, 10] and curves["checkpoints"].to_list() == [2, 1]
    assert curves["ltp"].to_list() == pytest.approx([0.1, 0.2], abs=0.02)


@pytest.fixture(scope="module")
def clone(teacher) -> bc.BCState:
    cfg = bc.BCConfig(hidden=(16, 16), batch_size=8, steps=4, logs=2)
    return bc.init(jax.random.key(3), teacher.agent, 40, cfg)


def test_bc_purd_samples_are_one_more_bc_step_rolled_out(teacher, clone):
    """Sample i of a clone's PURD = bc.post_update on a prefix minibatch drawn with its own
    key, rolled out from s_I: the engine takes the clone's own update."""
    buffer = replay.ReplayBuffer(teacher.buffer.data, clone.dataset_size)
    policy = purd.Policy("probe", "none", "bc", 0, 40, clone, buffer, max_steps=1)
    root = jax.random.key(11)
    out = purd.sample(policy, "bc", SETTINGS, root=root)
    env, s_i = make_env("probe", "none"), reference_state("probe", "none")
    loop = [rollout_return(env, bc.policy, bc.with_actor_params(clone, bc.post_update(
        clone, buffer, jax.random.fold_in(root, jnp.uint32(i)))), s_i, 1)["return"] for i in range(6)]
    np.testing.assert_allclose(out["return"], np.asarray(loop), rtol=1e-5)
    assert len(np.unique(out["return"])) > 1


def test_clones_file_round_trip(teacher, clone, tmp_path):
    logged = [stack([clone, clone.replace(dataset_size=jnp.int32(64))]) for _ in range(clone.config.logs)]
    meta = {"env": "probe", "backend": "none", "seed": 0, "teachers": [40, 64], "obs_size": 2, "action_size": 2,
            "episode_length": 1, "bc_steps": [2, 4]}
    behaviour_cloning.save_clones(tmp_path / "clones.msgpack", meta, logged)
    loaded_meta, loaded = behaviour_cloning.load_clones(tmp_path / "clones.msgpack")
    assert loaded_meta["teachers"] == [40, 64] and loaded.config == clone.config
    assert loaded.dataset_size.tolist() == [[40, 64], [40, 64]]
    for a, b in zip(jax.tree.leaves(loaded), jax.tree.leaves(stack(logged))):
        np.testing.assert_array_equal(a, b)


def test_pearson_is_undefined_where_it_must_be():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    assert bc_analysis.pearson(x, 2 * x + 1) == pytest.approx(1.0)
    assert bc_analysis.pearson(x, -x) == pytest.approx(-1.0)
    assert np.isnan(bc_analysis.pearson(x, np.zeros(4)))  # a constant side (every LTP 0)
    assert np.isnan(bc_analysis.pearson(x[:2], x[:2]))  # too few pairs
    assert bc_analysis.pearson(np.append(x, np.nan), np.append(x, 7.0)) == pytest.approx(1.0)  # NaN pairs skipped


def clones_table() -> pl.DataFrame:
    """Three envs; in hopper two teachers with two clones each (the clone's mean is its teacher's + 1);
    in walker2d the teacher's LTP is undefined."""
    rows = []
    for env, teachers in (("hopper", {10: (100.0, 0.2), 20: (200.0, 0.4)}), ("ant", {10: (50.0, 0.0)}),
                          ("walker2d", {10: (-10.0, float("nan"))})):
        for step, (mean, ltp) in teachers.items():
            for j, clone_ltp in enumerate((ltp, ltp + 0.1) if np.isfinite(ltp) else (0.9, 0.9)):
                rows.append({"env": env, "seed": 0, "teacher_step": step, "clone": j, "bc_step": j + 1,
                             "mean": mean + 1, "ltp": clone_ltp, "teacher_mean": mean, "teacher_ltp": ltp})
    return pl.DataFrame(rows)


def test_correlations_and_ltp_comparison_on_known_pairs():
    corr = bc_analysis.correlations(clones_table()).sort("env")
    assert corr["env"].to_list() == ["ant", "hopper", "walker2d"] and corr["pairs_ltp"].to_list() == [2, 4, 0]
    hopper = corr.row(1, named=True)
    assert hopper["corr_mean"] == pytest.approx(1.0) and hopper["pairs_mean"] == 4
    # hopper's LTP pairs: (0.2, 0.2), (0.2, 0.3), (0.4, 0.4), (0.4, 0.5): r = 0.4 / sqrt(0.04 * 0.05)
    assert hopper["corr_ltp"] == pytest.approx(0.04 / np.sqrt(0.04 * 0.05))
    assert np.isnan(corr.row(0, named=True)["corr_mean"])  # ant: 2 pairs of one teacher
    comparison = {r["learner"]: r for r in bc_analysis.ltp_comparison(clones_table(), 200).iter_rows(named=True)}
    # TD3: each teacher once, per env then over envs: (0.3 + 0.0) / 2; BC: (0.35 + 0.05) / 2. Both
    # leave walker2d out, where the teacher's LTP is undefined (its clones' would raise BC's mean).
    assert comparison["TD3"]["ltp"] == pytest.approx(0.15) and comparison["TD3"]["policies"] == 3
    assert comparison["BC"]["envs"] == comparison["TD3"]["envs"] == 2
    assert comparison["BC"]["ltp"] == pytest.approx(0.2) and comparison["BC"]["policies"] == 6
    assert comparison["BC"]["lo"] <= 0.2 <= comparison["BC"]["hi"]
