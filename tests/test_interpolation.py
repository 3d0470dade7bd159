"""Interpolation between policies (docs/protocol.md, "Interpolation"): the path's ends are the two policies,
perturbations share their keys along a path, BTP and the stratified bootstrap have known answers,
and Table 2's pairs are of one run or of two."""

import jax
import numpy as np
import polars as pl
import pytest

from workflow_lib.studies import interpolation
from workflow_lib.studies import purd
from workflow_lib.analysis import selection
from workflow_lib.analysis import stats
from workflow_lib.agents import td3
from workflow_lib.envs.native import make_env, reference_state
from workflow_lib.engine.rollout import rollout_return

T = 50


def policy(seed: int, step: int) -> purd.Policy:
    """A fresh TD3 agent of its own seed: paths only read the actor."""
    env = make_env("hopper", "spring")
    agent = td3.init(jax.random.key(seed), env.observation_size, env.action_size, td3.TD3Config(hidden=(16, 16)))
    return purd.Policy("hopper", "spring", "td3", seed, step, agent)


@pytest.fixture(scope="module")
def pair():
    return policy(1, 100), policy(2, 200)


def test_path_ends_are_the_two_policies_and_noise_is_shared_along_it(pair):
    first, second = pair
    settings = purd.Settings(batch_size=8, episode_length=T, sigma=3e-4)
    plain = interpolation.path(first, second, points=5, samples=0, settings=settings)
    assert plain["alpha"].to_list() == [0.0, 0.25, 0.5, 0.75, 1.0] and (plain["sample"] == -1).all()
    env, start = make_env("hopper", "spring"), reference_state("hopper", "spring")
    ends = [float(rollout_return(env, td3.policy, p.agent, start, T)["return"]) for p in (second, first)]
    np.testing.assert_allclose(plain["return"].to_numpy()[[0, -1]], ends, rtol=1e-4)

    noisy = interpolation.path(first, second, points=3, samples=4, settings=settings)
    assert noisy.height == 12 and noisy.group_by("point").len()["len"].to_list() == [4, 4, 4]
    again = interpolation.path(first, second, points=3, samples=4, settings=settings)
    assert noisy["return"].to_list() == again["return"].to_list()  # keys from the pair: reproducible
    means = interpolation.point_means(noisy)
    assert means.columns == ["point", "alpha", "mean", "std"] and means.height == 3
    with pytest.raises(ValueError, match="one env"):
        interpolation.path(first, purd.Policy("walker2d", "spring", "td3", 0, 0, first.agent), 3, 0, settings)


def test_perturbations_use_the_same_keys_at_every_point(pair):
    """Common random numbers: sample s adds the same noise at every alpha."""
    first, _ = pair
    same = interpolation.path(first, first, points=3, samples=3, settings=purd.Settings(batch_size=9, episode_length=T))
    by_sample = same.pivot(on="point", index="sample", values="return").drop("sample").to_numpy()
    np.testing.assert_allclose(by_sample, by_sample[:, :1].repeat(3, axis=1), rtol=1e-5)  # a path from a policy to itself


def test_below_threshold_proportion():
    assert interpolation.below_threshold_proportion([100, 5, 50, 9, 200]) == pytest.approx(2 / 3)  # 5 and 9 < 10
    assert interpolation.below_threshold_proportion([100, 90, 100]) == 0.0


def test_stratified_bootstrap_is_the_mean_of_group_means():
    out = stats.stratified_bootstrap([np.array([0.0, 0.0, 1.0, 1.0]), np.array([1.0])], resamples=500)
    assert out["mean"] == pytest.approx(0.75)  # (0.5 + 1.0) / 2, not the pooled 0.6
    assert out["lo"] < 0.75 < out["hi"] and out["lo"] >= 0.5 and out["hi"] <= 1.0
    flat = stats.stratified_bootstrap([np.full(5, 0.2), np.full(3, 0.4)])
    assert flat == {"mean": pytest.approx(0.3), "lo": pytest.approx(0.3), "hi": pytest.approx(0.3)}


def test_table2_pairs_and_random_pairs():
    table = pl.DataFrame({"env": ["hopper"] * 4, "algo": ["td3"] * 4, "seed": [0, 0, 1, 1], "step": [1, 2, 1, 2],
                          "mean": [1000.0, 980.0, 990.0, 500.0], "std": [50.0, 10.0, 30.0, 5.0],
                          "ltp": [0.3, 0.0, 0.1, 0.0]})
    same = selection.interpolation_pairs(table, "td3", "same", k=5)
    assert same.select("seed1", "step1", "seed2", "step2").rows() == [(0, 1, 0, 2), (1, 1, 1, 2)]  # far means last
    diff = selection.interpolation_pairs(table, "td3", "different", k=1)
    assert diff.select("seed1", "step1", "seed2", "step2").rows() == [(0, 1, 1, 1)]  # LTP gap 0.2 at close means
    assert (diff["ltp1"] >= diff["ltp2"]).all()
    pairs = selection.random_pairs(table, "different", n=3, seed=1)
    assert pairs.height == 3 and (pairs["seed1"] != pairs["seed2"]).all()
    assert selection.random_pairs(table, "same", n=100).height == 2  # all there are


def test_the_btp_figure_draws_a_kind_without_pairs_as_none(tmp_path):
    """One run (configs/tiny_atari.yaml) gives same-run pairs only: Figure 19 labels the other kind
    as having no pair instead of failing on its missing bar."""
    from workflow_lib.analysis.summaries import btp_summary
    from workflow_lib.plots.interpolation import btp_figure

    summary = btp_summary({"gym-PixelCatch-v0": pl.DataFrame({"run": ["same", "same"], "btp": [0.0, 1.0]})}, 50)
    assert summary.filter(pl.col("run") == "different")["pairs"].to_list() == [0, 0]
    btp_figure(summary, str(tmp_path / "figure19.png"), "one run")
    assert (tmp_path / "figure19.png").stat().st_size > 10_000
