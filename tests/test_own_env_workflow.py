"""The README's "Add your own environment" end to end: the example env (examples/cliff_runner.py),
registered through gym_modules, taken by the workflow through Figures 2, 5 and 7 on the tiny
config's scale (configs/cliff_runner.yaml's study, small), as a user's copy of the workflow runs it.
The example of frames and discrete actions (examples/pixel_catch.py) runs in the Atari study's
test (test_atari_workflow.py)."""

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

