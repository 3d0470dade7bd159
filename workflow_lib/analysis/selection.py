"""Choosing policies from a statistics table: highlights, the landscape's pair, failure examples."""

from __future__ import annotations

import numpy as np
import polars as pl

DIVERSITY_COLUMNS = ("mean", "std", "skew", "ltp")


def diverse(table: pl.DataFrame, k: int, columns=DIVERSITY_COLUMNS) -> pl.DataFrame:
    """k rows spread over the statistics: farthest-point sampling in standardised coordinates,
    starting from the best mean return (deterministic; undefined values count as the median)."""
    if k <= 0 or table.height == 0:
        return table.head(0)
    x = table.select(columns).to_numpy().astype(np.float64)
    x = np.where(np.isnan(x), np.nanmedian(x, axis=0, keepdims=True), x)
    x = np.nan_to_num(x)  # a column with no defined value at all
    scale = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(scale > 0, scale, 1.0)
    chosen = [int(np.argmax(table["mean"].to_numpy()))]
    dist = np.linalg.norm(x - x[chosen[0]], axis=1)
    while len(chosen) < min(k, table.height):
        dist[chosen] = -np.inf  # distinct rows, also where several have the same statistics
        nxt = int(np.argmax(dist))
        chosen.append(nxt)
        dist = np.minimum(dist, np.linalg.norm(x - x[nxt], axis=1))
    return table[chosen]


def similar_means(a: np.ndarray, b: np.ndarray, tolerance: float) -> np.ndarray:
    """Whether two PURD means differ by at most `tolerance` of the larger in magnitude."""
    return np.abs(a - b) <= tolerance * np.maximum(np.abs(a), np.abs(b))


def noisy_and_smooth(table: pl.DataFrame, algo: str, tolerance: float = 0.1) -> pl.DataFrame:
    """Two rows of `algo`, role "noisy" then "smooth": among pairs whose PURD means are within
    `tolerance` of the larger one (all pairs if none is), the pair with the largest LTP gap; ties
    (every LTP 0 at small scales) go to the largest gap in std. Policies of positive mean are
    preferred, as the paper's Figure 1 shows two good policies."""
    rows = table.filter(pl.col("algo") == algo)
    if rows.filter(pl.col("mean") > 0).height >= 2:
        rows = rows.filter(pl.col("mean") > 0)
    if rows.height < 2:
        raise ValueError(f"the landscape needs two {algo} policies in the statistics table, found {rows.height}")
    mean = rows["mean"].to_numpy()
    ltp = np.nan_to_num(rows["ltp"].to_numpy())
    std = rows["std"].to_numpy()
    i, j = np.meshgrid(np.arange(rows.height), np.arange(rows.height), indexing="ij")
    pairs = i != j
    close = pairs & similar_means(mean[i], mean[j], tolerance)
    allowed = close if close.any() else pairs
    # Lexicographic (LTP gap, std gap) over allowed ordered pairs (i noisy, j smooth).
    order = np.lexsort(((std[i] - std[j])[allowed], (ltp[i] - ltp[j])[allowed]))
    noisy, smooth = i[allowed][order[-1]], j[allowed][order[-1]]
    return rows[[int(noisy), int(smooth)]].with_columns(role=pl.Series(["noisy", "smooth"]))


def named(table: pl.DataFrame, algo: str, policies: dict) -> pl.DataFrame:
    """The rows of `algo` named by {role: {seed, step}}, in the order given, with their role."""
    out = []
    for role, p in policies.items():
        row = table.filter((pl.col("algo") == algo) & (pl.col("seed") == p["seed"]) & (pl.col("step") == p["step"]))
        if row.height != 1:
            raise ValueError(f"no {algo} policy seed {p['seed']} step {p['step']} in the statistics table")
        out.append(row.with_columns(role=pl.lit(role)))
    return pl.concat(out)


def failure_policies(table: pl.DataFrame, k: int, algo: str = "td3") -> pl.DataFrame:
    """Up to k policies of `algo` with LTP > 0, highest LTP first (docs/protocol.md, "Failures")."""
    rows = table.filter((pl.col("algo") == algo) & pl.col("ltp").is_not_nan() & (pl.col("ltp") > 0))
    return rows.sort(["ltp", "seed", "step"], descending=[True, False, False]).head(k)


def rejection_starts(table: pl.DataFrame, algo: str, k: int) -> pl.DataFrame:
    """Algorithm 1's starting policies: up to k policies of `algo`, noisiest first (highest LTP,
    undefined LTP last, then highest std), with their rank 0..k-1 as column `start`."""
    rows = table.filter(pl.col("algo") == algo).with_columns(_ltp=pl.col("ltp").fill_nan(None))
    rows = rows.sort(["_ltp", "std", "seed", "step"], descending=[True, True, False, False], nulls_last=True)
    return rows.head(k).drop("_ltp").with_row_index("start").with_columns(pl.col("start").cast(pl.Int64))


def picked(table: pl.DataFrame) -> list[tuple[int, int]]:
    """The (seed, step) of every policy a picks table names, once each, in order of appearance:
    columns seed, step (policies) or seed1, step1, seed2, step2 (pairs)."""
    suffixes = ("",) if "seed" in table.columns else ("1", "2")
    ids = [(int(seed), int(step)) for row in table.iter_rows(named=True)
           for seed, step in ((row[f"seed{s}"], row[f"step{s}"]) for s in suffixes)]
    return list(dict.fromkeys(ids))


def rejection_start(starts: pl.DataFrame, start: int) -> dict:
    """Row `start` of a starts table (rejection_starts) as a dict; an error if there is no such row
    (fewer policies than algorithm1.policies)."""
    rows = starts.filter(pl.col("start") == start)
    if rows.height != 1:
        raise LookupError(f"starting policy {start} is not in the starts table ({starts.height} starts)")
    return rows.row(0, named=True)


def success_and_failure(returns: np.ndarray, mode: float, alpha: float = 0.5, tolerance: float = 0.1):
    """(success, failure) sample indices of one PURD: the first sample whose return is within
    `tolerance` of the PURD mean, and the first whose return is below alpha x mode (docs/protocol.md).
    Sample order is the keys' order, so "first" is an unbiased pick. None where there is none."""
    returns = np.asarray(returns)
    mean = returns.mean()
    ok = np.flatnonzero(np.abs(returns - mean) <= tolerance * abs(mean))
    bad = np.flatnonzero(returns < alpha * mode)
    return (int(ok[0]) if ok.size else None), (int(bad[0]) if bad.size else None)


RUNS = ("same", "different")


def _candidate_pairs(seeds: np.ndarray, steps: np.ndarray, run: str) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) of one run (same seed, two checkpoints) or of different runs (two seeds)."""
    if run not in RUNS:
        raise ValueError(f"unknown run kind {run!r}; expected one of {RUNS}")
    i, j = np.triu_indices(len(seeds), k=1)
    keep = (seeds[i] == seeds[j]) & (steps[i] != steps[j]) if run == "same" else seeds[i] != seeds[j]
    return i[keep], j[keep]


def interpolation_pairs(table: pl.DataFrame, algo: str, run: str, k: int, tolerance: float = 0.1) -> pl.DataFrame:
    """Table 2: up to k pairs of `algo` policies from one run or from different runs, of similar PURD
    mean (within `tolerance` of the larger; pairs that are not come last) and the most different
    LTP, then std. In each pair policy 1 is the noisier one (higher LTP, then std)."""
    rows = table.filter(pl.col("algo") == algo)
    seeds, steps = rows["seed"].to_numpy(), rows["step"].to_numpy()
    mean, std = rows["mean"].to_numpy(), rows["std"].to_numpy()
    ltp = np.nan_to_num(rows["ltp"].to_numpy())
    i, j = _candidate_pairs(seeds, steps, run)
    swap = (ltp[j] > ltp[i]) | ((ltp[j] == ltp[i]) & (std[j] > std[i]))
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    close = similar_means(mean[i], mean[j], tolerance)
    order = np.lexsort((-(std[i] - std[j]), -(ltp[i] - ltp[j]), ~close))[:k]
    i, j = i[order], j[order]
    out = {"env": rows["env"].to_numpy()[i], "algo": [algo] * len(i), "run": [run] * len(i)}
    for n, idx in (("1", i), ("2", j)):
        out |= {f"seed{n}": seeds[idx], f"step{n}": steps[idx], f"mean{n}": mean[idx], f"std{n}": std[idx],
                f"ltp{n}": ltp[idx]}
    return pl.DataFrame(out)


def random_pairs(policies: pl.DataFrame, run: str, n: int, seed: int = 0) -> pl.DataFrame:
    """n pairs (seed1, step1, seed2, step2) drawn without replacement from the policies' pairs of
    one run or of different runs (all of them where there are fewer), for the BTP (Figure 6)."""
    seeds, steps = policies["seed"].to_numpy(), policies["step"].to_numpy()
    i, j = _candidate_pairs(seeds, steps, run)
    chosen = np.sort(np.random.default_rng(seed).choice(len(i), size=min(n, len(i)), replace=False))
    i, j = i[chosen], j[chosen]
    return pl.DataFrame({"run": [run] * len(i), "seed1": seeds[i], "step1": steps[i], "seed2": seeds[j],
                         "step2": steps[j]})


def table2_pairs(table: pl.DataFrame, algo: str, k: int, tolerance: float = 0.1) -> pl.DataFrame:
    """Table 2's pairs: k same-run and k different-run pairs of `algo` policies (interpolation_pairs)."""
    return pl.concat([interpolation_pairs(table, algo, run, k, tolerance) for run in RUNS])
