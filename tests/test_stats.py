"""PURD statistics against closed-form answers and against a plain numpy loop."""

import numpy as np
import pytest
from scipy import stats as sps

from workflow_lib.analysis import stats
from workflow_lib.analysis.stats import StatsSettings


def test_point_mass():
    y = np.full(500, 250.0)
    out = stats.point_statistics(y)
    assert out["mean"] == 250 and out["std"] == 0 and out["mode"] == 250
    assert out["ltp"] == 0 and out["cvar_0.1"] == 250
    summary = stats.summarize(y, StatsSettings(resamples=50))
    assert summary["mean_lo"] == summary["mean_hi"] == 250 and summary["ltp"] == 0 and summary["ltp_defined"]


def test_two_point_mixture_has_its_tail_mass():
    # 80% at 100, 20% at 10: mode in the top bin, LTP_1/2 = 0.2, CVaR_0.1 = 10, CVaR_0.5 = 64.
    y = np.array([100.0] * 800 + [10.0] * 200)
    out = stats.point_statistics(y, StatsSettings(cvar_alphas=(0.1, 0.5, 1.0)))
    assert out["mode"] == pytest.approx(100 - 0.45)
    assert out["ltp"] == pytest.approx(0.2)
    assert out["cvar_0.1"] == pytest.approx(10.0) and out["cvar_0.5"] == pytest.approx(64.0)
    assert out["cvar_1"] == pytest.approx(out["mean"]) and out["mean"] == pytest.approx(82.0)
    summary = stats.summarize(y, StatsSettings(), seed=3)
    assert summary["ltp_lo"] < 0.2 < summary["ltp_hi"] and summary["ltp"] == pytest.approx(0.2, abs=0.005)
    # The bootstrap interval of a proportion: about +-1.96 sqrt(p(1-p)/n) = +-0.025.
    assert summary["ltp_hi"] - summary["ltp_lo"] == pytest.approx(2 * 1.96 * np.sqrt(0.16 / 1000), rel=0.15)


def test_normal_matches_closed_form():
    mu, sigma, alpha = 100.0, 10.0, 0.1
    y = np.random.default_rng(0).normal(mu, sigma, 200_000)
    out = stats.point_statistics(y, StatsSettings(cvar_alphas=(alpha,)))
    z = sps.norm.ppf(alpha)
    assert out["mean"] == pytest.approx(mu, abs=0.1) and out["std"] == pytest.approx(sigma, rel=0.01)
    assert out["skew"] == pytest.approx(0.0, abs=0.02)
    assert out["mode"] == pytest.approx(mu, abs=1.5)
    assert out["cvar_0.1"] == pytest.approx(mu - sigma * sps.norm.pdf(z) / alpha, abs=0.1)
    assert out["ltp"] == pytest.approx(sps.norm.cdf((mu / 2 - mu) / sigma), abs=1e-4)  # about 3e-7


def test_ltp_undefined_when_mode_not_positive():
    y = np.random.default_rng(1).normal(-50.0, 5.0, 1000)
    assert np.isnan(stats.point_statistics(y)["ltp"])
    summary = stats.summarize(y, StatsSettings(resamples=100))
    assert not summary["ltp_defined"] and np.isnan(summary["ltp"]) and np.isnan(summary["ltp_hi"])
    assert summary["mean"] == pytest.approx(-50.0, abs=1.0)


def plain_statistics(y: np.ndarray, alpha_cvar: float, alpha_ltp: float) -> dict:
    """The definitions of docs/protocol.md, one sample at a time."""
    counts, edges = np.histogram(y, bins=100)
    b = int(np.argmax(counts))
    mode = (edges[b] + edges[b + 1]) / 2
    low = np.sort(y)[: int(round(alpha_cvar * len(y)))]
    return {
        "mean": np.mean(y), "std": np.std(y, ddof=1), "skew": sps.skew(y, bias=False), "mode": mode,
        "ltp": np.mean((y >= 0) & (y < alpha_ltp * mode)) if mode > 0 else np.nan, f"cvar_{alpha_cvar:g}": low.mean(),
    }


def test_vectorised_bootstrap_equals_a_loop():
    rng = np.random.default_rng(7)
    y = np.concatenate([rng.normal(900, 40, 170), rng.uniform(0, 300, 30)])  # a policy that sometimes falls
    settings = StatsSettings(resamples=64, resample_batch=10)
    summary = stats.summarize(y, settings, seed=11)
    # The same resamples, drawn as summarize draws them, evaluated one by one.
    draw = np.random.default_rng(11)
    idx = np.concatenate([draw.integers(0, y.size, size=(min(10, 64 - s), y.size)) for s in range(0, 64, 10)])
    loop = [plain_statistics(y[i], 0.1, 0.5) for i in idx]
    for name in ("mean", "std", "skew", "mode", "ltp", "cvar_0.1"):
        boot = np.array([row[name] for row in loop])
        assert summary[name] == pytest.approx(np.mean(boot), rel=1e-9), name
        assert summary[f"{name}_lo"] == pytest.approx(np.percentile(boot, 2.5), rel=1e-9), name
        assert summary[f"{name}_hi"] == pytest.approx(np.percentile(boot, 97.5), rel=1e-9), name


def test_mode_matches_numpy_histogram_on_many_rows():
    rng = np.random.default_rng(5)
    y = rng.standard_t(3, size=(300, 257)) * rng.uniform(0.01, 1000, size=(300, 1))
    expected = []
    for row in y:
        counts, edges = np.histogram(row, bins=100)
        b = int(np.argmax(counts))
        expected.append((edges[b] + edges[b + 1]) / 2)
    np.testing.assert_array_equal(stats.mode(y), np.array(expected))


def test_table_has_one_row_per_policy_and_is_reproducible():
    rng = np.random.default_rng(2)
    policies = [{"env": "hopper", "algo": a, "seed": s, "step": 10} for a in ("td3", "sac") for s in (0, 1)]
    returns = [rng.normal(1000, 50, 300) for _ in policies]
    first = stats.stats_table(policies, returns, StatsSettings(resamples=100))
    again = stats.stats_table(policies, returns, StatsSettings(resamples=100))
    assert first.height == 4 and first.equals(again)
    assert {"env", "algo", "seed", "step", "mean", "mean_lo", "mean_hi", "ltp", "ltp_defined", "cvar_0.1"} <= set(
        first.columns)


def test_diverse_picks_distinct_policies_spread_over_the_statistics():
    """Farthest-point picks from the best mean; policies of equal statistics (a game's PURDs of
    one score each) are still picked once each (Figure 20 drew one policy twice before)."""
    import polars as pl

    from workflow_lib.analysis.selection import diverse

    table = pl.DataFrame({"seed": [0, 1, 2, 3], "mean": [70.0, 210.0, 70.0, 70.0], "std": [0.0] * 4,
                          "skew": [None] * 4, "ltp": [0.0] * 4}, schema_overrides={"skew": pl.Float64})
    assert diverse(table, 3)["seed"].to_list() == [1, 0, 2]
    assert diverse(table, 9)["seed"].to_list() == [1, 0, 2, 3]
    spread = table.with_columns(pl.Series("mean", [70.0, 210.0, 140.0, 71.0]), pl.Series("std", [0.0, 0.0, 45.0, 0.0]))
    assert diverse(spread, 2)["seed"].to_list() == [1, 2]  # the farthest from the best: the noisy one


def test_btp_summary_of_known_pairs():
    """Mean BTP per env and kind of pair, and over envs the mean of the envs' means (not of pairs)."""
    import polars as pl

    from workflow_lib.analysis.summaries import btp_summary

    tables = {
        "a": pl.DataFrame({"run": ["same", "same", "different", "different"], "btp": [0.0, 0.2, 0.5, 0.5]}),
        "b": pl.DataFrame({"run": ["same", "different"], "btp": [0.6, 0.1]}),
    }
    summary = btp_summary(tables, resamples=200)
    row = {(r["env"], r["run"]): r for r in summary.iter_rows(named=True)}
    assert row[("a", "same")]["btp"] == pytest.approx(0.1) and row[("a", "same")]["pairs"] == 2
    assert row[("b", "different")]["btp"] == pytest.approx(0.1)
    assert row[("all", "same")]["btp"] == pytest.approx((0.1 + 0.6) / 2) and row[("all", "same")]["pairs"] == 3
    assert row[("a", "different")]["lo"] == row[("a", "different")]["hi"] == pytest.approx(0.5)  # no spread
    assert row[("all", "different")]["lo"] <= row[("all", "different")]["btp"] <= row[("all", "different")]["hi"]
