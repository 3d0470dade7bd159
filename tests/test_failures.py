"""Choosing the policies shown (Figure 1's pair, the failures of Figures 3/4/23), the recorded
rollouts of chosen PURD samples, and the figures drawn from them."""

import dataclasses

import numpy as np
import polars as pl
import pytest

from workflow_lib.studies import purd
from workflow_lib.plots import render
from workflow_lib.analysis import selection
from workflow_lib.studies import failures as trajectories
from workflow_lib.plots.failures import failures, figure4, pairs

T = 60


def stats_rows(rows):
    return pl.DataFrame(rows, schema=["algo", "seed", "step", "mean", "std", "ltp"], orient="row")


def test_noisy_and_smooth_is_the_largest_ltp_gap_at_similar_mean():
    table = stats_rows([
        ("sac", 0, 1, 1000.0, 50.0, 0.20),   # noisy, mean close to the next
        ("sac", 0, 2, 950.0, 10.0, 0.00),    # smooth partner
        ("sac", 1, 1, 400.0, 200.0, 0.90),   # larger gap, but the mean is far from every other
        ("sac", 1, 2, 990.0, 30.0, 0.05),
        ("td3", 0, 1, 1000.0, 1.0, 0.00),    # another algorithm: never picked
    ])
    picks = selection.noisy_and_smooth(table, "sac", tolerance=0.1)
    assert picks["role"].to_list() == ["noisy", "smooth"]
    assert picks.select("seed", "step").rows() == [(0, 1), (0, 2)]
    # Ties in LTP (all 0 at small scales) go to the largest std gap.
    flat = table.with_columns(ltp=pl.lit(0.0))
    assert selection.noisy_and_smooth(flat, "sac").select("seed", "step").rows() == [(0, 1), (0, 2)]
    named = selection.named(table, "sac", {"noisy": {"seed": 1, "step": 1}, "smooth": {"seed": 0, "step": 2}})
    assert named.select("role", "seed", "step").rows() == [("noisy", 1, 1), ("smooth", 0, 2)]
    with pytest.raises(ValueError, match="seed 5 step 1"):
        selection.named(table, "sac", {"noisy": {"seed": 5, "step": 1}})


def test_failure_policies_and_samples():
    table = stats_rows([("td3", 0, 1, 1.0, 1.0, 0.1), ("td3", 0, 2, 1.0, 1.0, 0.0), ("td3", 1, 1, 1.0, 1.0, 0.3),
                        ("td3", 1, 2, 1.0, 1.0, float("nan")), ("sac", 0, 1, 1.0, 1.0, 0.5)])
    assert selection.failure_policies(table, 10).select("seed", "step").rows() == [(1, 1), (0, 1)]
    assert selection.failure_policies(table, 1).height == 1
    returns = np.array([1000.0, 300.0, 990.0, 1010.0, 100.0])  # mean 680: within 10% only 1 of them
    assert selection.success_and_failure(returns, mode=1000.0) == (None, 1)
    returns = np.array([1000.0, 980.0, 900.0, 420.0])  # mean 825: 900 is the first within 10%
    assert selection.success_and_failure(returns, mode=1000.0) == (2, 3)


@pytest.fixture(scope="module")
def recorded():
    """A TD3 PURD of a fresh agent and one success/failure pair from it (alpha 1: below the mode)."""
    policy = purd.synthetic_policy("hopper", "spring", "td3", {"hidden": [32, 32], "batch_size": 32}, 256,
                                   max_steps=T)
    settings = purd.Settings(n=16, batch_size=8, episode_length=T)
    returns = purd.sample(policy, "td3", settings)["return"]
    pair = trajectories.failure_pair(policy, "td3", returns, settings, ltp_alpha=1.0, tolerance=0.5)
    return policy, returns, pair


def test_failure_pair_recomputes_the_chosen_samples(recorded):
    policy, returns, pair = recorded
    assert pair is not None and pair["role"] == ["success", "failure"]
    ok, bad = pair["sample"]
    assert abs(returns[ok] - returns.mean()) <= 0.5 * abs(returns.mean()) and returns[bad] < returns.max()
    np.testing.assert_allclose(pair["return"], returns[[ok, bad]], rtol=1e-4)  # the same updates, again
    np.testing.assert_allclose(pair["rewards"].sum(axis=1), pair["return"], rtol=1e-4)
    nq = render.make_env("hopper", "spring").sys.q_size()
    assert pair["q"].shape == (2, T, nq)
    alive = np.arange(T)[None] < pair["length"][:, None]
    assert not pair["rewards"][~alive].any()  # frozen after termination
    assert trajectories.failure_pair(policy, "td3", np.full(16, 5.0), purd.Settings(n=16, batch_size=8,
                                                                                    episode_length=T)) is None


def test_failure_figures_and_viewer_pages(recorded, tmp_path):
    policy, _, pair = recorded
    identity = {"env": "hopper", "algo": "td3", "seed": 0, "step": 256}
    table = trajectories.to_table(trajectories.rows(identity, pair) + trajectories.rows(
        {**identity, "seed": 1}, pair))
    assert len(pairs(table)) == 2
    empty = trajectories.to_table([])
    assert empty.columns == table.columns and empty.height == 0
    failures({"hopper": table, "walker2d": empty}, str(tmp_path / "fig3.png"))
    figure4(table, "hopper", "spring", str(tmp_path / "fig4.png"), frames=4)
    assert (tmp_path / "fig3.png").stat().st_size > 10_000 and (tmp_path / "fig4.png").stat().st_size > 10_000
    page = render.viewer_page("hopper", "spring", np.asarray(table["q"][0].to_list())[:5])
    assert "<html" in page.lower() and len(page) > 1000


def test_side_view_of_the_reset_hopper():
    env = render.make_env("hopper", "spring")
    shapes = render.side_view_shapes(env.sys.mj_model, np.asarray(env.sys.init_q))
    assert len(shapes) == 4  # torso, thigh, leg, foot: the floor is not drawn
    top = max(float(s[:, 1].max()) for s in shapes)
    assert 1.3 < top < 1.7  # the hopper stands about 1.5 m tall
    assert render.frame_steps(length=30, episode_length=100, count=4).tolist() == [0, 10, 19, 29]
