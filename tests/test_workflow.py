"""The real workflow, end to end on the tiny config, plus planning and config errors via the CLI."""

import os
import re
import shutil

import polars as pl
import pytest

from workflow_lib.core import checkpoint
from workflow_lib.training.files import load_checkpoint, load_states
from workflow_run import apt_install, snakemake, wait_for_installs

pytestmark = pytest.mark.xdist_group("workflow")  # one worker: the tests share the session's tiny run


def test_tiny_workflow_outputs(tiny_run):
    ckpts = sorted((tiny_run / "results" / "checkpoints").glob("hopper/*/seed*/step*.msgpack"))
    assert len(ckpts) == 3 * 2 * 2  # algos x seeds x checkpoints
    for path in ckpts:
        meta, state = load_checkpoint(path)
        assert meta["env"] == "hopper" and f"step{meta['step']}" == path.stem
    assert len(list((tiny_run / "results" / "checkpoints").glob("hopper/*/seed*/replay.msgpack"))) == 2 * 2
    table = pl.read_parquet(tiny_run / "results" / "tables" / "learning_curves.parquet")
    assert set(table["algo"]) == {"td3", "sac", "ppo"} and set(table["seed"]) == {0, 1}
    assert (tiny_run / "results" / "figures" / "learning_curves.png").read_bytes()[:4] == b"\x89PNG"
    for log in (tiny_run / "logs" / "train" / "hopper").glob("*/*.log"):
        assert "steps/s" in log.read_text()  # progress lines while training
    assert not list((tiny_run / "results" / "train").glob("*/*/_work_*/snapshot.msgpack"))


def test_tiny_workflow_purds_stats_and_figure2(tiny_run):
    results = tiny_run / "results"
    purds = sorted(results.glob("purd/hopper/*/*/seed*/step*.parquet"))
    assert len(purds) == 3 * 2 * 2  # one per checkpoint, each under its own algorithm's update
    for path in purds:
        algo, kind = path.parts[-4], path.parts[-3]
        samples = pl.read_parquet(path)
        assert kind == algo and samples.columns == ["sample", "return", "length"] and samples.height == 12
        assert samples["length"].max() <= 100 and samples["return"].is_finite().all()
    stats = pl.concat([pl.read_parquet(results / "tables" / f"purd_stats_hopper_{algo}.parquet")
                       for algo in ("td3", "sac", "ppo")])  # one table per (env, algo)
    assert stats.height == 12 and stats.select("algo", "seed", "step").n_unique() == 12
    assert (stats["mean_lo"] <= stats["mean"]).all() and (stats["mean"] <= stats["mean_hi"]).all()
    ltp = stats.filter(pl.col("ltp_defined"))["ltp"]
    assert ((ltp >= 0) & (ltp <= 1)).all()
    assert (results / "figures" / "purd_map_hopper.png").read_bytes()[:4] == b"\x89PNG"
    logs = sorted((tiny_run / "logs" / "purd").glob("hopper/*/*/seed*.log"))
    assert len(logs) == 3 * 2  # a PURD job per run (env, algo, seed)
    for log in logs:
        assert log.read_text().count("done: mean return") == 2  # each of its checkpoints, with progress
        assert "env-steps/s" in log.read_text()
    assert list((tiny_run / ".jax_cache").iterdir())  # jobs share compiled programs
    figure2 = snakemake(tiny_run, "figure2", "-n", "--configfile", "configs/tiny.yaml")
    assert "Nothing to be done" in figure2.stdout + figure2.stderr


def test_tiny_workflow_host_stepped_env(tiny_run):
    """dmc-quadruped-walk (dm_control, stepped from the host) beside hopper: TD3 and SAC train on
    it (PPO on hopper only), its PURDs, statistics, map (Figure 14), interpolation and failures
    studies are built by the same rules; the Brax studies and Figure 4's gaits stay on hopper."""
    results, env = tiny_run / "results", "dmc-quadruped-walk"
    ckpts = sorted((results / "checkpoints" / env).glob("*/seed*/step*.msgpack"))
    assert {p.parts[-3] for p in ckpts} == {"td3", "sac"} and len(ckpts) == 2 * 2 * 2
    assert not list((results / "checkpoints" / env).glob("*/seed*/states.msgpack"))  # no Figure 10 states
    meta = checkpoint.read_header(ckpts[0], "agent")[0]
    assert meta["family"] == "host" and meta["env"] == env
    for algo in ("td3", "sac"):
        stats = pl.read_parquet(results / "tables" / f"purd_stats_{env}_{algo}.parquet")
        assert stats.height == 4 and (stats["std"] > 0).all()  # N updates differ: no copy is shared
        purd = pl.read_parquet(results / "purd" / env / algo / algo / "seed0" / "step600.parquet")
        assert purd.height == 12 and (purd["length"] == 100).all()  # DM Control tasks never terminate
    assert (results / "figures" / f"purd_map_{env}.png").read_bytes()[:4] == b"\x89PNG"
    assert (results / "interpolation" / env / "paths.parquet").exists()
    assert (results / "failures" / env / "trajectories.parquet").exists()  # Figures 3 and 23 (no gaits)
    assert not (results / "landscape" / env).exists() and not (results / "figures" / f"figure4_{env}.png").exists()
    evals = pl.read_parquet(results / "tables" / "learning_curves.parquet").filter(pl.col("env") == env)
    assert set(evals["algo"]) == {"td3", "sac"}
    figure14 = snakemake(tiny_run, "figure14", "-n", "--configfile", "configs/tiny.yaml")
    assert "Nothing to be done" in figure14.stdout + figure14.stderr


def test_tiny_workflow_landscape_and_failures(tiny_run):
    results = tiny_run / "results"
    picks = pl.read_parquet(results / "landscape" / "hopper" / "picks.parquet")
    assert picks["role"].to_list() == ["noisy", "smooth"] and set(picks["algo"]) == {"sac"}
    for window in ("3", "0.75"):
        grid = pl.read_parquet(results / "landscape" / "hopper" / f"grid_w{window}.parquet")
        assert grid.height == 2 * 5 * 5 and grid["a"].max() == float(window) and grid["return"].is_finite().all()
    hist = pl.read_parquet(results / "landscape" / "hopper" / "purd.parquet")
    assert hist.group_by("role").len()["len"].to_list() == [24, 24]
    gait = pl.read_parquet(results / "landscape" / "hopper" / "gait.parquet")
    assert gait.height == 2 and all(len(q) == 100 for q in gait["q"])
    failures = pl.read_parquet(results / "failures" / "hopper" / "trajectories.parquet")
    assert "rewards" in failures.columns  # at this scale no TD3 policy may have LTP > 0: then it is empty
    for name in ("figure1_hopper.png", "figure27_hopper.png", "figure3.png", "figure23.png", "figure4_hopper.png"):
        assert (results / "figures" / name).read_bytes()[:4] == b"\x89PNG", name
    for name in ("figure4_hopper_success.html", "figure4_hopper_failure.html"):
        assert "<html" in (results / "figures" / name).read_text().lower()


def test_tiny_workflow_interpolation(tiny_run):
    results = tiny_run / "results"
    table2 = pl.read_parquet(results / "tables" / "table2.parquet")
    assert set(table2["run"]) == {"same", "different"} and (table2["ltp1"] >= table2["ltp2"]).all()
    paths = pl.read_parquet(results / "interpolation" / "hopper" / "paths.parquet")
    assert paths.group_by("run").len().sort("run")["len"].to_list() == [5, 5]  # one pair each, 5 points
    perturbed = pl.read_parquet(results / "interpolation" / "hopper" / "perturbed.parquet")
    assert set(perturbed["run"]) == {"same"} and perturbed.height == 5 and (perturbed["std"] >= 0).all()
    btp = pl.read_parquet(results / "tables" / "btp.parquet")
    assert set(btp["env"]) == {"hopper", "dmc-quadruped-walk", "all"} and ((btp["btp"] >= 0) & (btp["btp"] <= 1)).all()
    for name in ("figure5.png", "figure6.png", "figure8.png", "figure9.png"):
        assert (results / "figures" / name).read_bytes()[:4] == b"\x89PNG", name
    assert "<table" in (results / "figures" / "table2.html").read_text()


def test_tiny_workflow_algorithm1(tiny_run):
    results = tiny_run / "results"
    starts = pl.read_parquet(results / "algorithm1" / "hopper" / "td3" / "starts.parquet")
    assert starts.height == 1 and starts["start"].to_list() == [0]
    traces = pl.read_parquet(results / "tables" / "algorithm1.parquet")
    assert traces.group_by("variant").len().sort("variant")["len"].to_list() == [4, 4]  # K = 3 and the start
    assert (traces["seed"] == starts["seed"][0]).all() and (traces["step"] == starts["step"][0]).all()
    assert traces.filter(pl.col("variant") == "baseline")["accepted"].all()
    assert traces["cvar"].is_finite().all() and (traces["cvar"] <= traces["mean"] + 1e-9).all()
    ranks = pl.read_parquet(results / "tables" / "cvar_ranks.parquet")
    assert ranks.height == 4 and sorted(ranks["rank_0.1"]) == [1, 2, 3, 4]  # the 4 TD3 policies
    for name in ("figure7.png", "figure24.png", "figure25.png", "figure26.png"):
        assert (results / "figures" / name).read_bytes()[:4] == b"\x89PNG", name


def test_tiny_workflow_appendix_studies(tiny_run):
    results = tiny_run / "results"
    _, states = load_states(results / "checkpoints" / "hopper" / "td3" / "seed0" / "states.msgpack")
    assert states.obs.shape[0] == 3  # td3.state_every 200 of 600 steps
    returns = pl.read_parquet(results / "start_states" / "hopper" / "seed0.parquet")
    assert returns.height == 2 * 2 * 8  # checkpoints x picked states x N
    assert sorted(returns["collection_time"].unique()) == [0, 400] and returns["return"].is_finite().all()
    table = pl.read_parquet(results / "tables" / "start_states.parquet")
    assert table.height == 4 and (table["n"] == 8).all()
    clones = pl.read_parquet(results / "tables" / "behaviour_cloning.parquet")
    assert clones.height == 2 * 2  # teachers x logged clones
    assert sorted(clones["bc_step"].unique()) == [20, 40] and clones["teacher_mean"].is_not_null().all()
    corr = pl.read_parquet(results / "tables" / "bc_correlations.parquet")
    assert corr["env"].to_list() == ["hopper"] and corr.columns[:3] == ["env", "corr_mean", "pairs_mean"]
    assert pl.read_parquet(results / "tables" / "bc_ltp.parquet")["learner"].to_list() == ["TD3", "BC"]
    for name in ("figure10.png", "figure22.png"):
        assert (results / "figures" / name).read_bytes()[:4] == b"\x89PNG", name
    assert "<table" in (results / "figures" / "table_bc.html").read_text()
    assert "bc: 40/40 steps" in (tiny_run / "logs" / "behaviour_cloning" / "hopper" / "seed0_train.log").read_text()


def test_a_corrupt_checkpoint_fails_its_job_with_one_line_and_no_output(tiny_run, tmp_path):
    work = tmp_path / "corrupt"
    shutil.copytree(tiny_run, work, ignore=shutil.ignore_patterns(".snakemake"))
    checkpoint = "results/checkpoints/hopper/td3/seed0/step400.msgpack"
    (work / checkpoint).write_bytes((work / checkpoint).read_bytes()[:200])  # truncated, as by a full disk
    purds = [f"results/purd/hopper/td3/td3/seed0/step{t}.parquet" for t in (400, 600)]
    result = snakemake(work, purds[0], "--forcerun", "purd_td3", "--cores", "2", "--configfile", "configs/tiny.yaml")
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0].startswith(f"error: {checkpoint}: not a readable checkpoint"), errors
    assert "Traceback" not in result.stderr
    assert not any((work / p).exists() for p in purds)  # no output of the failed job looks complete


def test_rerun_plans_nothing(tiny_run):
    result = snakemake(tiny_run, "all", "-n", "--configfile", "configs/tiny.yaml")
    assert result.returncode == 0 and "Nothing to be done" in result.stdout + result.stderr


def test_default_config_plans_one_job_per_seed(workdir):
    result = snakemake(workdir, "all", "-n")
    assert result.returncode == 0, result.stderr
    out = result.stdout + result.stderr
    for algo, seed in (("td3", 0), ("td3", 1), ("sac", 1), ("ppo", 0)):
        assert re.search(rf"\btrain_{algo}_\S*seed{seed}\b", out), (algo, seed)  # a rule per seed


def test_config_error_is_one_clear_line(workdir, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("td3:\n  total_steps: 30000\n  checkpoints: [30000, 20000]\n")
    result = snakemake(workdir, "all", "-n", "--configfile", str(bad))
    assert result.returncode != 0
    assert "Invalid config: config key 'td3.checkpoints': must be in increasing order" in result.stderr
    assert "Traceback" not in result.stderr


def planned(tiny_run, tmp_path, edit: str) -> dict[str, int]:
    """Jobs (rule -> count) a dry run plans after the tiny run when `edit` (YAML) is merged into
    its config: what Snakemake's rerun triggers (params, inputs, code) make of a config edit."""
    override = tmp_path / "edit.yaml"
    override.write_text(edit)
    result = snakemake(tiny_run, "all", "-n", "--configfile", "configs/tiny.yaml", str(override))
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout + result.stderr
    if "Nothing to be done" in out:
        return {}
    table = out.split("Job stats:")[1].split("total")[0].splitlines()[3:]
    return {rule: int(count) for rule, count in (line.split() for line in table if line.strip())}


def test_more_purd_samples_rerun_sampling_and_after_but_no_training(tiny_run, tmp_path):
    jobs = planned(tiny_run, tmp_path, "purd:\n  samples: 16\n")
    # Hopper's and dmc-quadruped-walk's (TD3 and SAC; interpolation and failures on both, the other
    # studies and Figure 4's gaits on hopper).
    downstream = {"purd_stats": 5, "purd_map": 2, "landscape_picks": 1, "landscape_grid": 2, "landscape_purd": 1,
                  "landscape_gait": 1, "landscape_figure": 1, "landscape_zooms": 1, "failures_picks": 2,
                  "failures": 2, "failures_figure": 2, "failure_gaits": 1, "interpolation_pairs": 2, "interpolation_paths": 4,
                  "interpolation_figure": 3, "table2_pairs": 1, "algorithm1_starts": 1, "algorithm1": 1,
                  "algorithm1_table": 1, "algorithm1_figure": 3, "cvar_ranks_figure": 1, "start_states_figure": 1,
                  "bc_table": 1, "bc_figure": 1, "all": 1}
    assert jobs == {"purd_td3": 4, "purd_sac": 4, "purd_ppo": 2, **downstream}  # a job per run


@pytest.mark.parametrize("edit, rule, jobs", [
    ("figures:\n  purd_map:\n    highlights: 2\n", "purd_map", 2),  # each env's: hopper's and DMC's
    ("figures:\n  figure1:\n    frames: 4\n", "landscape_figure", 1),
    ("figures:\n  figure25:\n    alphas: [0.05, 1.0]\n", "cvar_ranks_figure", 1),
])
def test_a_figure_option_reruns_only_that_figure(tiny_run, tmp_path, edit, rule, jobs):
    assert planned(tiny_run, tmp_path, edit) == {rule: jobs, "all": 1}


@pytest.mark.parametrize("edit, jobs", [
    ("algorithm1:\n  delta: 0.05\n", {"algorithm1": 1, "algorithm1_table": 1, "algorithm1_figure": 3}),
    ("start_states:\n  samples: 4\n", {"start_states": 1, "start_states_table": 1, "start_states_figure": 1}),
    ("behaviour_cloning:\n  steps: 20\n", {"bc_train": 1, "bc_purd": 1, "bc_table": 1, "bc_figure": 1}),
    ("behaviour_cloning:\n  samples: 4\n", {"bc_purd": 1, "bc_table": 1, "bc_figure": 1}),
])
def test_a_study_option_reruns_only_that_study(tiny_run, tmp_path, edit, jobs):
    assert planned(tiny_run, tmp_path, edit) == {**jobs, "all": 1}


def test_a_landscape_option_reruns_only_the_landscape(tiny_run, tmp_path):
    jobs = planned(tiny_run, tmp_path, "landscape:\n  directions: filter\n")
    assert jobs == {"landscape_grid": 2, "landscape_figure": 1, "landscape_zooms": 1, "all": 1}


def test_a_new_seed_trains_only_that_seed_and_reaggregates(tiny_run, tmp_path):
    jobs = planned(tiny_run, tmp_path, "seeds: [0, 1, 2]\n")
    trained = {rule for rule in jobs if rule.startswith("train_")}
    assert len(trained) == 3 + 2 and all(rule.endswith("seed2") for rule in trained)  # hopper's and DMC's
    assert {training_algo(rule) for rule in trained} == {"td3", "sac", "ppo"}
    sampling = {rule: n for rule, n in jobs.items() if rule in ("purd_td3", "purd_sac", "purd_ppo", "purd_gaussian")}
    assert sampling == {"purd_td3": 2, "purd_sac": 2, "purd_ppo": 1}  # a job for each new run
    assert jobs["purd_stats"] == 5 and jobs["purd_map"] == 2  # a table per (env, algo), a map per env
    for rule in ("learning_curves_table", "learning_curves"):
        assert jobs[rule] == 1


@pytest.fixture(scope="session")
def chromium_installed():
    """Headless Chromium from Debian's package, installed here when missing and possible."""
    from workflow_lib.workflow import report_check

    wait_for_installs()
    try:
        return report_check.chromium()
    except FileNotFoundError:
        if shutil.which("apt-get") is None or os.geteuid() != 0:
            pytest.skip("no chromium, and no apt-get as root to install it")
        out = apt_install("chromium")
        if out.returncode != 0:
            pytest.skip(f"apt-get could not install chromium: {out.stderr[-300:]}")
        return report_check.chromium()


def test_report_shows_every_figure_in_chromium(tiny_run, chromium_installed):
    from workflow_lib.workflow import report_check

    result = snakemake(tiny_run, "--report", "report.html", "--configfile", "configs/tiny.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    found = report_check.inspect_report(tiny_run / "report.html")
    figures = {"learning_curves", "purd_map_hopper", "purd_map_dmc-quadruped-walk", "figure1_hopper",
               "figure27_hopper", "figure3", "figure23", "figure4_hopper", "figure5", "figure6", "figure8", "figure9", "figure7", "figure24", "figure25",
               "figure26", "figure10", "figure22"}
    pages = {f"results/figures/{p}.html" for p in ("figure4_hopper_success", "figure4_hopper_failure", "table2",
                                                   "table_bc")}
    assert set(found["results"]) == {f"results/figures/{f}.png" for f in figures} | pages
    for path, figure in found["results"].items():
        if path.endswith(".html"):  # Figure 4's viewer pages, shown in a frame
            assert figure["mime"] == "text/html", (path, figure)
        else:
            assert figure["width"] > 300 and figure["height"] > 100, (path, figure)  # decoded by the browser
        assert "seeds [0, 1]" in figure["caption"], (path, figure["caption"])  # the config it came from
    shot = report_check.screenshot(tiny_run / "report.html", tiny_run / "report.png")
    assert shot.stat().st_size > 10_000


def training_algo(rule: str) -> str | None:
    """The algo a training rule trains (train_<algo>_..., ppo_atari before ppo), None for any other rule."""
    from workflow_lib.agents.registry import ALGORITHMS

    return next((a for a in sorted(ALGORITHMS, key=len, reverse=True) if rule.startswith(f"train_{a}_")), None)


# The jobs that read TD3 policies only (Algorithm 1 and the failures, interpolation and appendix studies
# on the tiny config, where failures.algo, interpolation.algo and algorithm1.algo are td3).
TD3_ONLY = {"algorithm1_starts", "algorithm1", "algorithm1_table", "algorithm1_figure", "cvar_ranks_figure",
            "failures_picks", "failures", "failures_figure", "failure_gaits", "interpolation_pairs", "interpolation_paths",
            "interpolation_figure", "table2_pairs", "btp", "btp_figure", "start_states", "start_states_table",
            "start_states_figure", "bc_train", "bc_purd", "bc_table", "bc_figure"}
# What an edit of one algorithm reruns besides its training: its PURDs and statistics table, the env's
# PURD map, and the learning curves.
ONE_ALGO = {"purd_stats": 1, "purd_map": 1, "learning_curves_table": 1, "learning_curves": 1, "all": 1}
ONE_OFF_POLICY_ALGO = {**ONE_ALGO, "purd_stats": 2, "purd_map": 2}  # TD3 and SAC train on hopper and DMC
LANDSCAPE = {"landscape_picks": 1, "landscape_grid": 2, "landscape_purd": 1, "landscape_gait": 1,
             "landscape_figure": 1, "landscape_zooms": 1}


def test_per_algo_statistics_tables_concatenate_to_the_envs_table(tiny_run):
    import yaml
    from snakemake.utils import update_config

    from workflow_lib.analysis.stats import StatsSettings, stats_table
    from workflow_lib.workflow import layout
    from workflow_lib.workflow.config import validate_config

    config = yaml.safe_load((tiny_run / "config.yaml").read_text())
    update_config(config, yaml.safe_load((tiny_run / "configs" / "tiny.yaml").read_text()))  # as --configfile
    config = validate_config(config)
    tables = [pl.read_parquet(tiny_run / path) for path in layout.stats_tables(config, ["hopper"])]
    assert [t["algo"].unique().to_list() for t in tables] == [["td3"], ["sac"], ["ppo"]]
    # What the one table of the env held: every policy of every algo, from one call over the env.
    policies = layout.policies(config, "hopper")
    returns = [pl.read_parquet(tiny_run / path)["return"].to_numpy() for path in layout.own_purds(config, "hopper")]
    whole = stats_table(policies, returns, StatsSettings.from_config(config["stats"]))
    assert pl.concat(tables).equals(whole)


def test_a_sac_edit_reruns_sac_and_its_landscape_only(tiny_run, tmp_path):
    jobs = planned(tiny_run, tmp_path, "sac:\n  learning_rate: 0.001\n")
    trained = {rule: n for rule, n in jobs.items() if training_algo(rule)}
    assert {training_algo(rule) for rule in trained} == {"sac"}  # no TD3 or PPO training
    assert not TD3_ONLY & set(jobs)  # nothing that reads TD3 policies only
    assert {rule: n for rule, n in jobs.items() if rule not in trained} == {"purd_sac": 4, **ONE_OFF_POLICY_ALGO,
                                                                             **LANDSCAPE}


def test_a_ppo_edit_reruns_ppo_only(tiny_run, tmp_path):
    jobs = planned(tiny_run, tmp_path, "ppo:\n  learning_rate: 0.001\n")
    trained = {rule: n for rule, n in jobs.items() if training_algo(rule)}
    assert {training_algo(rule) for rule in trained} == {"ppo"}  # no TD3 or SAC training
    assert not (TD3_ONLY | set(LANDSCAPE)) & set(jobs)  # the landscape is SAC's (landscape.algo)
    assert {rule: n for rule, n in jobs.items() if rule not in trained} == {"purd_ppo": 2, **ONE_ALGO}


def test_a_statistics_edit_reruns_no_training_and_no_sampling(tiny_run, tmp_path):
    jobs = planned(tiny_run, tmp_path, "stats:\n  resamples: 100\n")
    assert not any(training_algo(rule) for rule in jobs)
    # Neither the PURDs nor the studies that sample without reading the statistics: the BTP's pairs are
    # random, the start states and the clones' teachers come from the config.
    assert not {"purd_td3", "purd_sac", "purd_ppo", "btp", "start_states", "bc_train", "bc_purd"} & set(jobs)
    # The studies that pick their policies from the (bootstrapped) statistics do rerun: a different
    # resampling may pick other policies (the landscape's pair, Table 2's pairs, Algorithm 1's starts,
    # the failures' noisy policies).
    assert jobs == {"purd_stats": 5, "purd_map": 2, **LANDSCAPE, "failures_picks": 2, "failures": 2,
                    "failures_figure": 2, "failure_gaits": 1, "interpolation_pairs": 2, "interpolation_paths": 4,
                    "interpolation_figure": 3, "table2_pairs": 1, "algorithm1_starts": 1, "algorithm1": 1,
                    "algorithm1_table": 1, "algorithm1_figure": 3, "cvar_ranks_figure": 1,
                    "start_states_table": 1, "start_states_figure": 1, "bc_table": 1, "bc_figure": 1,
                    "btp_figure": 1, "all": 1}


@pytest.mark.parametrize("edit, jobs", [
    # Only the perturbed paths and the BTP perturb their points (the plain paths leave sigma unused).
    ("interpolation:\n  sigma: 0.001\n", {"interpolation_paths": 2, "interpolation_figure": 1, "btp": 2,
                                         "btp_figure": 1}),
    # The BTP reads the interpolation keys it uses, not the whole section.
    ("interpolation:\n  perturbations: 4\n", {"interpolation_paths": 2, "interpolation_figure": 1}),
])
def test_an_interpolation_option_reruns_only_the_jobs_that_use_it(tiny_run, tmp_path, edit, jobs):
    assert planned(tiny_run, tmp_path, edit) == {**jobs, "all": 1}
