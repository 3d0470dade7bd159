"""The README's "Add your own environment" end to end: the example env (examples/cliff_runner.py),
registered through gym_modules, taken by the workflow through Figures 2, 5 and 7 on the tiny
config's scale (configs/cliff_runner.yaml's study, small), as a user's copy of the workflow runs it;
and the example of frames and discrete actions (examples/pixel_catch.py) through the Atari study's
Figures 19-21 with ppo_atari."""

import numpy as np
import polars as pl
import yaml

from workflow_run import copy_workflow, snakemake

ENV = "gym-CliffRunner-v0"
# configs/cliff_runner.yaml's keys, at the tiny config's scale.
OWN = {"gym_modules": ["examples.cliff_runner"], "envs": [ENV], "algos": ["td3"], "algorithm1": {"envs": None},
       "figures": {"figure2": {"env": ENV}}, "episode_length": 60}


def test_the_example_env_runs_through_figures_2_5_and_7(tmp_path):
    work = copy_workflow(tmp_path / "workflow")  # examples/ included: the module is found in the workflow directory
    (work / "own.yaml").write_text(yaml.safe_dump(OWN))
    result = snakemake(work, "figure2", "figure5", "figure7", "--cores", "2", "--configfile", "configs/tiny.yaml",
                       "own.yaml", timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    for figure in (f"purd_map_{ENV}", "figure5", "figure7"):  # figure2 is the map of figures.figure2.env
        assert (work / "results" / "figures" / f"{figure}.png").stat().st_size > 10_000, figure
    stats = pl.read_parquet(work / "results" / "tables" / f"purd_stats_{ENV}_td3.parquet")
    assert stats.height == 2 * 2 and stats["env"].unique().to_list() == [ENV]  # 2 seeds x 2 checkpoints
    purd = pl.read_parquet(work / "results" / "purd" / ENV / "td3" / "td3" / "seed0" / "step600.parquet")
    # Every sample starts from the same state (a reset deterministic from its seed) under its own
    # updated policy: the returns are finite and not all one value.
    returns = purd["return"].to_numpy()
    assert np.isfinite(returns).all() and len(np.unique(returns)) > 1


FRAMES_ENV = "gym-PixelCatch-v0"
# A discrete env of frames (examples/pixel_catch.py) in the tiny Atari study's place.
FRAMES = {"gym_modules": ["examples.pixel_catch"], "envs": [FRAMES_ENV], "figures": {"figure2": {"env": FRAMES_ENV}}}


def test_the_example_env_of_frames_runs_through_the_atari_figures(tmp_path):
    """ppo_atari trains on the example, samples its PURDs over the clipped horizon and draws
    Figures 19-21 of it; with one run Figure 19 has same-run pairs only, and says so."""
    work = copy_workflow(tmp_path / "workflow")
    (work / "frames.yaml").write_text(yaml.safe_dump(FRAMES))
    result = snakemake(work, "figure19", "figure20", "figure21", "--cores", "2", "--configfile", "configs/tiny.yaml",
                       "configs/tiny_atari.yaml", "frames.yaml", timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    for figure in ("figure19", "figure20", "figure21"):
        assert (work / "results" / "figures" / f"{figure}.png").stat().st_size > 10_000, figure
    purd = pl.read_parquet(work / "results" / "purd" / FRAMES_ENV / "ppo_atari" / "ppo_atari" / "seed0" / "step64.parquet")
    # The clipped horizon of atari.episode_length + 1 steps; a catch is worth 1.
    assert purd.height == 12 and (purd["length"] == 61).all() and purd["return"].is_between(0, 61).all()
    btp = pl.read_parquet(work / "results" / "tables" / "btp_atari.parquet")
    assert btp.filter(pl.col("run") == "different")["pairs"].to_list() == [0, 0]
    assert btp.filter(pl.col("run") == "same")["pairs"].to_list() == [1, 1]
