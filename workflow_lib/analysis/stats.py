"""Statistics of a post-update return distribution (docs/protocol.md, "Statistics"; Sec. 3.1, A.9).

Every function takes returns along the last axis, so one call evaluates a statistic on all
bootstrap resamples at once. `summarize` reports each statistic as its bootstrapped mean over
resamples with a percentile interval, the resamples shared by every statistic.

scipy.stats.bootstrap draws fresh resamples for every statistic and has no NaN-aware mean
(LTP is NaN on resamples whose mode is <= 0), so the resampling is done here in numpy;
skewness and the quantiles are scipy's and numpy's.
"""

from __future__ import annotations

import dataclasses
import hashlib
import warnings

import numpy as np
import polars as pl
from scipy import stats as sps

from workflow_lib.core.tables import non_finite


@dataclasses.dataclass(frozen=True)
class StatsSettings:
    """The statistics' parameters; every field is a config value (stats section)."""

    cvar_alphas: tuple[float, ...] = (0.1,)
    ltp_alpha: float = 0.5
    bins: int = 100
    resamples: int = 1000
    confidence: float = 0.95
    resample_batch: int = 100  # resamples evaluated at once: bounds memory at large N

    @classmethod
    def from_config(cls, section: dict) -> StatsSettings:
        """The settings of the config's `stats` section."""
        return cls(cvar_alphas=tuple(section["cvar_alphas"]), ltp_alpha=section["ltp_alpha"], bins=section["bins"],
                   resamples=section["resamples"], confidence=section["confidence"])


def mean(y: np.ndarray) -> np.ndarray:
    return y.mean(axis=-1)


def std(y: np.ndarray) -> np.ndarray:
    return y.std(axis=-1, ddof=1)


def skewness(y: np.ndarray) -> np.ndarray:
    """Sample skewness, bias-corrected (scipy.stats.skew, bias=False); NaN for a constant sample."""
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "precision loss" on near-constant samples
        return sps.skew(y, axis=-1, bias=False)


def mode(y: np.ndarray, bins: int = 100) -> np.ndarray:
    """Midpoint of the most populated of `bins` equal bins over [min, max] (first on ties).

    Bins exactly as np.histogram draws them (edges from np.linspace, the last bin closed),
    computed for every row at once.
    """
    y = np.asarray(y, dtype=np.float64)
    lo, hi = y.min(axis=-1), y.max(axis=-1)
    flat = y.reshape(-1, y.shape[-1])
    lo_f, hi_f = lo.reshape(-1), hi.reshape(-1)
    same = hi_f == lo_f
    hi_f = np.where(same, lo_f + 1.0, hi_f)  # a point mass: any bin will do, the mode is its value
    edges = np.linspace(lo_f, hi_f, bins + 1, axis=-1)  # [rows, bins + 1]
    idx = np.floor((flat - lo_f[:, None]) * (bins / (hi_f - lo_f))[:, None]).astype(np.int64)
    idx = np.clip(idx, 0, bins - 1)
    # np.histogram's rounding correction: move values that floor() put in a neighbouring bin.
    idx -= flat < np.take_along_axis(edges, idx, axis=-1)
    idx += (flat >= np.take_along_axis(edges, idx + 1, axis=-1)) & (idx != bins - 1)
    rows = np.arange(flat.shape[0])[:, None]
    counts = np.bincount((rows * bins + idx).ravel(), minlength=flat.shape[0] * bins).reshape(-1, bins)
    best = counts.argmax(axis=-1)
    mid = 0.5 * (edges[rows[:, 0], best] + edges[rows[:, 0], best + 1])
    return np.where(same, lo_f, mid).reshape(lo.shape)


def ltp(y: np.ndarray, alpha: float = 0.5, mode_: np.ndarray | None = None, bins: int = 100) -> np.ndarray:
    """Left-tail probability P[0 <= Y < alpha * mode] (Eq. 5); NaN where the mode is <= 0."""
    m = mode(y, bins) if mode_ is None else mode_
    inside = (y >= 0) & (y < alpha * m[..., None])
    return np.where(m > 0, inside.mean(axis=-1), np.nan)


def cvar(y: np.ndarray, alpha: float) -> np.ndarray:
    """Mean of the lowest alpha fraction: Rockafellar-Uryasev with the interpolated alpha-quantile
    (alpha = 1 gives the mean)."""
    q = np.quantile(y, alpha, axis=-1)
    return q - np.maximum(q[..., None] - y, 0.0).mean(axis=-1) / alpha


def point_statistics(y: np.ndarray, settings: StatsSettings = StatsSettings()) -> dict[str, np.ndarray]:
    """Every statistic of each row of y (returns along the last axis)."""
    m = mode(y, settings.bins)
    out = {"mean": mean(y), "std": std(y), "skew": skewness(y), "mode": m,
           "ltp": ltp(y, settings.ltp_alpha, m)}
    for a in settings.cvar_alphas:
        out[cvar_name(a)] = cvar(y, a)
    return out


def cvar_name(alpha: float) -> str:
    return f"cvar_{alpha:g}"


def bootstrap_seed(*identity) -> int:
    """A resampling seed from a policy's identity, so tables are reproducible."""
    return int.from_bytes(hashlib.sha256("/".join(map(str, identity)).encode()).digest()[:8], "little")


MIN_SAMPLES = 3  # skewness needs 3 returns, the std 2


def check_returns(y: np.ndarray) -> None:
    """Returns the statistics can describe: at least MIN_SAMPLES, all finite. A NaN dropped or an
    inf averaged would give a number that looks right and is not."""
    if y.ndim != 1 or y.size < MIN_SAMPLES:
        raise ValueError(f"{y.size} returns: the statistics need at least {MIN_SAMPLES} (skewness 3, std 2); "
                         f"raise the samples of the study (purd.samples)")
    problem = non_finite(y)
    if problem:
        raise ValueError(problem)


def summarize(returns: np.ndarray, settings: StatsSettings = StatsSettings(), seed: int = 0) -> dict[str, float]:
    """Bootstrapped mean and percentile interval of every statistic, plus `ltp_defined`.

    LTP is NaN (with its interval) and ltp_defined False when the mode of the returns
    themselves is <= 0, as the paper notes for negative-return policies.
    """
    y = np.asarray(returns, dtype=np.float64)
    check_returns(y)
    rng = np.random.default_rng(seed)
    parts: dict[str, list[np.ndarray]] = {}
    for start in range(0, settings.resamples, settings.resample_batch):
        size = min(settings.resample_batch, settings.resamples - start)
        resampled = y[rng.integers(0, y.size, size=(size, y.size))]
        for name, values in point_statistics(resampled, settings).items():
            parts.setdefault(name, []).append(values)
    tail = 100 * (1 - settings.confidence) / 2
    defined = bool(mode(y, settings.bins) > 0)
    out: dict[str, float] = {"n": int(y.size), "ltp_defined": defined}
    for name, chunks in parts.items():
        boot = np.concatenate(chunks)
        if (name == "ltp" and not defined) or np.isnan(boot).all():
            out[name] = out[f"{name}_lo"] = out[f"{name}_hi"] = float("nan")
            continue
        out[name] = float(np.nanmean(boot))
        out[f"{name}_lo"], out[f"{name}_hi"] = (float(v) for v in np.nanpercentile(boot, [tail, 100 - tail]))
    return out


def stats_table(policies: list[dict], returns: list[np.ndarray], settings: StatsSettings = StatsSettings()):
    """One row per policy: its identity (env, algo, seed, step, ...) and every statistic with its
    interval; the resampling seed of each row comes from its identity."""
    if len(policies) != len(returns):
        raise ValueError(f"{len(policies)} policies but {len(returns)} sets of returns")
    return pl.DataFrame([_row(p, r, settings) for p, r in zip(policies, returns)])


def _row(policy: dict, returns: np.ndarray, settings: StatsSettings) -> dict:
    try:
        return {**policy, **summarize(returns, settings, bootstrap_seed(*policy.values()))}
    except ValueError as err:
        raise ValueError(f"{' '.join(str(v) for v in policy.values())}: {err}") from None


def stratified_bootstrap(groups: list[np.ndarray], resamples: int = 1000, confidence: float = 0.95,
                         seed: int = 0) -> dict[str, float]:
    """The mean over groups of each group's mean (e.g. BTP: pairs within an env, then envs), with a
    percentile interval from resampling every group within itself, as rliable's stratified
    bootstrap does. rliable takes a runs x tasks matrix, the same number of runs per task; here
    an env can have fewer valid pairs than another, so the resampling is done in numpy."""
    rng = np.random.default_rng(seed)
    groups = [np.asarray(g, dtype=np.float64) for g in groups if len(g)]
    if not groups:
        return {"mean": float("nan"), "lo": float("nan"), "hi": float("nan")}
    boot = np.mean([g[rng.integers(0, g.size, size=(resamples, g.size))].mean(axis=1) for g in groups], axis=0)
    tail = 100 * (1 - confidence) / 2
    lo, hi = np.percentile(boot, [tail, 100 - tail])
    return {"mean": float(np.mean([g.mean() for g in groups])), "lo": float(lo), "hi": float(hi)}
