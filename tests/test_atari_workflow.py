"""The Atari study end to end on a tiny config (configs/tiny.yaml with configs/tiny_atari.yaml):
ppo_atari trains one run on atari-Breakout (ale-py, stepped from the host) and one on the example
env of frames and discrete actions of the README's "Add your own environment"
(examples/pixel_catch.py, played as the games are), their PURDs (fresh unrolls, one update, greedy
rollouts capped at atari.episode_length), statistics, Figures 20 and 21 and their report; Figure 19 (the BTP, whose jobs the Brax tiny run exercises) is planned with
two runs. Not in the workflow tests' xdist group: it runs on the other worker, beside the tiny run."""

import polars as pl
import pytest

from workflow_lib.core import checkpoint
from workflow_run import copy_workflow, snakemake

pytest.importorskip("ale_py")
CONFIG = ("--configfile", "configs/tiny.yaml", "configs/tiny_atari.yaml", "own_frames.yaml")
ENV, OWN = "atari-Breakout", "gym-PixelCatch-v0"


@pytest.fixture(scope="module")
def atari_run(tmp_path_factory):
    work = copy_workflow(tmp_path_factory.mktemp("atari_workflow"))
    (work / "own_frames.yaml").write_text(f"gym_modules: [examples.pixel_catch]\nenvs: [{ENV}, {OWN}]\n")
    result = snakemake(work, "figure20", "figure21", "--cores", "2", *CONFIG, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return work


def test_the_games_train_ppo_atari_and_sample_their_purds(atari_run, tmp_path):
    results = atari_run / "results"
    ckpts = sorted((results / "checkpoints" / ENV).glob("*/seed*/step*.msgpack"))
    assert [p.relative_to(results / "checkpoints" / ENV).as_posix() for p in ckpts] == [
        "ppo_atari/seed0/step32.msgpack", "ppo_atari/seed0/step64.msgpack"]  # ppo_atari.runs: 1
    meta = checkpoint.read_header(ckpts[0], "agent")[0]
    assert meta["family"] == "host" and meta["hyperparameters"]["total_updates"] == 2
    purd = pl.read_parquet(results / "purd" / ENV / "ppo_atari" / "ppo_atari" / "seed0" / "step64.parquet")
    # The authors' return: clipped rewards over episode_length + 1 steps, every sample the whole horizon.
    assert purd.height == 12 and (purd["length"] == 61).all() and purd["return"].abs().max() <= 61
    assert (purd["return"] == purd["return"].round()).all()
    assert pl.read_parquet(results / "tables" / f"purd_stats_{ENV}_ppo_atari.parquet").height == 2
    own = pl.read_parquet(results / "purd" / OWN / "ppo_atari" / "ppo_atari" / "seed0" / "step64.parquet")
    assert own.height == 12 and (own["length"] == 61).all() and own["return"].is_between(0, 61).all()  # catches
    assert pl.read_parquet(results / "tables" / f"purd_stats_{OWN}_ppo_atari.parquet").height == 2
    for name in ("figure20.png", "figure21.png"):
        assert (results / "figures" / name).read_bytes()[:4] == b"\x89PNG", name
    evals = pl.read_parquet(results / "train" / ENV / "ppo_atari" / "seed0" / "eval.parquet")
    assert evals["step"].to_list() == [32, 64] and (evals["length"] <= 60).all()  # greedy, capped
    again = snakemake(atari_run, "figure21", "-n", *CONFIG)
    assert "Nothing to be done" in again.stdout + again.stderr
    # The post-update settings rerun the PURDs (and what reads them), not training.
    (tmp_path / "minibatch.yaml").write_text("ppo_atari:\n  purd_update: minibatch\natari:\n  return: game_score\n")
    edited = snakemake(atari_run, "figure21", "-n", *CONFIG, str(tmp_path / "minibatch.yaml"))
    plan = edited.stdout + edited.stderr
    assert edited.returncode == 0 and "rule purd_ppo_atari" in plan and "rule train_" not in plan, plan[-2000:]
    (tmp_path / "two_runs.yaml").write_text("ppo_atari:\n  runs: null\n")
    figure19 = snakemake(atari_run, "figure19", "-n", *CONFIG, str(tmp_path / "two_runs.yaml"))
    assert figure19.returncode == 0, figure19.stderr[-2000:]
    plan = figure19.stdout + figure19.stderr
    assert "btp" in plan and "atari_btp_figure" in plan and "interpolation_paths" not in plan


def test_the_report_shows_the_atari_figures_with_their_captions(atari_run):
    result = snakemake(atari_run, "figure20", "figure21", "--report", "report.html", *CONFIG)
    assert result.returncode == 0, result.stderr[-3000:]
    page = (atari_run / "report.html").read_text()
    for name in ("figure20.png", "figure21.png"):
        assert name in page
    assert "post-update return distribution of every PPO policy" in page and "seeds [0]" in page
