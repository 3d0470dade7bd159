"""The functions of wildcards the rules name for their inputs, params and resources (no lambdas
in the rules): bound methods of one RuleInputs over the validated config and Snakemake's
`checkpoints` (the pick rules' tables, read once they exist)."""

from __future__ import annotations

import functools

from workflow_lib.workflow import layout, rule_params, targets
from workflow_lib.workflow import resources as requests
from workflow_lib.workflow.envsets import atari_games, env_algos, interpolation_algo, study_envs


class RuleInputs:
    """Each method takes a job's wildcards (Snakemake passes them) and gives one rule field."""

    def __init__(self, config: dict, checkpoints=None):
        self.config = config
        self.checkpoints = checkpoints

    # Post-update return distributions and their statistics (rules/purd.smk).

    def gaussian_purd_inputs(self, wildcards) -> dict:
        """A Gaussian PURD job reads one checkpoint and, for TD3/SAC, its seed's replay buffer."""
        policy, replay = layout.policy_paths(wildcards.env, wildcards.algo, wildcards.seed, wildcards.step)
        return {"checkpoints": [policy], **({"replay": replay} if replay else {})}

    def gaussian_purd_settings(self, wildcards) -> dict:
        return rule_params.gaussian_purd_settings(self.config, wildcards.env)

    def purd_runtime(self, wildcards) -> int:
        """A Gaussian PURD job's runtime: N samples of one policy of its algorithm."""
        return requests.purd_runtime(self.config, wildcards.algo, env=wildcards.env)

    def run_purd_runtime(self, algo: str):
        """The runtime function of a run's PURD job: N samples of each of its checkpoints."""
        return functools.partial(self._run_purd_runtime, algo)

    def _run_purd_runtime(self, algo: str, wildcards) -> int:
        policies = len(self.config[algo]["checkpoints"])
        return requests.purd_runtime(self.config, algo, policies=policies, env=wildcards.env)

    def purd_mem(self, wildcards) -> int:
        """A Gaussian PURD job's memory: one seed's replay buffer of its algorithm."""
        return requests.purd_mem(self.config, wildcards.algo)

    def own_purds(self, wildcards) -> list[str]:
        """A statistics table's inputs: the PURD of every policy of its (env, algo)."""
        if wildcards.algo not in env_algos(self.config, wildcards.env):
            # A table of no policy would be written in silence (PPO on a host-stepped env is not trained).
            raise targets.InvalidTarget(
                f"{wildcards.algo} does not train on {wildcards.env} (config.env_algos)")
        return layout.own_purds(self.config, wildcards.env, wildcards.algo)

    def stats_policies(self, wildcards) -> list[dict]:
        """A statistics table's rows: every (seed, step) of its (env, algo), in its inputs' order."""
        return layout.policies(self.config, wildcards.env, wildcards.algo)

    def env_stats_tables(self, wildcards) -> list[str]:
        """A PURD map's inputs: the statistics tables of the learners trained on its env."""
        return layout.stats_tables(self.config, [wildcards.env])

    # The studies read the statistics table and policies of their own algorithm only, so that an
    # edit of another algorithm reruns none of them.

    def _study_stats(self, study: str, wildcards) -> str:
        return layout.stats_table(wildcards.env, self.config[study]["algo"])

    def landscape_stats(self, wildcards) -> str:
        return self._study_stats("landscape", wildcards)

    def failures_stats(self, wildcards) -> str:
        return self._study_stats("failures", wildcards)

    def interpolation_stats(self, wildcards) -> str:
        return self._study_stats("interpolation", wildcards)

    def algorithm1_stats(self, wildcards) -> str:
        return layout.stats_table(wildcards.env, wildcards.algo)

    def pick_table(self, picks: str, **wildcards):
        """The table a pick rule (a Snakemake checkpoint) wrote for these wildcards, read once it
        exists, so that a job declares the few policies it loads, not every policy of its learner
        (at 80 seeds, 880 files a job)."""
        from workflow_lib.core.tables import read_table  # here: only planning after the picks pays for it

        return read_table(getattr(self.checkpoints, picks).get(**wildcards).output[0])

    def _picked(self, picks: str, env: str) -> list[tuple[int, int]]:
        from workflow_lib.analysis.selection import picked

        return picked(self.pick_table(picks, env=env))

    def landscape_policies(self, wildcards) -> list[str]:
        """The checkpoints (and replay files) of the env's landscape pair (landscape_picks)."""
        algo = self.config["landscape"]["algo"]
        return layout.picked_policy_files(wildcards.env, algo, self._picked("landscape_picks", wildcards.env))

    def failures_purds(self, wildcards) -> list[str]:
        """The PURDs of the env's picked failures.algo policies, whose samples are rolled out again."""
        algo = self.config["failures"]["algo"]
        picked = self._picked("failures_picks", wildcards.env)
        return [layout.purd_path(wildcards.env, algo, algo, seed, step) for seed, step in picked]

    def failures_policies(self, wildcards) -> list[str]:
        """The checkpoints (and replay files) of the env's picked failures.algo policies."""
        algo = self.config["failures"]["algo"]
        return layout.picked_policy_files(wildcards.env, algo, self._picked("failures_picks", wildcards.env))

    def interpolation_policies(self, wildcards) -> list[str]:
        """The checkpoints (and replay files) of the policies of the env's Table 2 pairs."""
        algo = self.config["interpolation"]["algo"]
        return layout.picked_policy_files(wildcards.env, algo, self._picked("interpolation_pairs", wildcards.env))

    def algorithm1_policies(self, wildcards) -> list[str]:
        """The checkpoint (and replay file) of the run's starting policy, its row of the starts
        table (read once it exists: a run declares its two files instead of every policy of its
        learner; at 80 seeds those lists were 176,000 of the paper DAG's 240,000 edges)."""
        from workflow_lib.analysis.selection import rejection_start

        starts = self.pick_table("algorithm1_starts", env=wildcards.env, algo=wildcards.algo)
        row = rejection_start(starts, int(wildcards.start))
        return layout.picked_policy_files(wildcards.env, wildcards.algo, [(row["seed"], row["step"])])

    # Interpolation (rules/interpolation.smk).

    def interpolation_path_settings(self, wildcards) -> dict:
        return rule_params.interpolation_path_settings(self.config, wildcards.kind)

    def interpolation_path_samples(self, wildcards) -> int:
        return rule_params.interpolation_path_samples(self.config, wildcards.kind)

    def interpolation_runtime(self, wildcards) -> int:
        return requests.interpolation_runtime(self.config, wildcards.kind, wildcards.env)

    def btp_policy_files(self, wildcards) -> list[str]:
        """Every checkpoint (and replay file) of the env's interpolation learner: the BTP's random
        pairs are drawn among them all."""
        return layout.policy_files(self.config, wildcards.env, interpolation_algo(self.config, wildcards.env))

    def btp_policies(self, wildcards) -> list[dict]:
        return layout.policies(self.config, wildcards.env, interpolation_algo(self.config, wildcards.env))

    def btp_settings(self, wildcards) -> dict:
        return rule_params.btp_settings(self.config, wildcards.env)

    def btp_runtime(self, wildcards) -> int:
        return requests.btp_runtime(self.config, wildcards.env)

    def btp_mem(self, wildcards) -> int:
        """A BTP job's memory: its learner's PURD job's."""
        return requests.purd_mem(self.config, interpolation_algo(self.config, wildcards.env))

    # Algorithm 1 and the appendix studies.

    def algorithm1_runtime(self, wildcards) -> int:
        return requests.algorithm1_runtime(self.config, wildcards.env)

    def algorithm1_mem(self, wildcards) -> int:
        return requests.algorithm1_mem(self.config, wildcards.env)

    def start_states_inputs(self, wildcards) -> dict:
        """A start-states job reads its TD3 run's checkpoints, replay file and stored states."""
        return layout.start_states_inputs(self.config, wildcards.env, int(wildcards.seed))

    def bc_teacher_checkpoints(self, wildcards) -> list[str]:
        """The TD3 checkpoints a BC job clones (behaviour_cloning.teachers of its run)."""
        teachers = layout.bc_teachers(self.config)
        return [layout.checkpoint_path(wildcards.env, "td3", wildcards.seed, step) for step in teachers]

    # Figures (rules/figures.smk and each study's figure rules).

    def failure_figure_envs(self, wildcards) -> list[str]:
        """Figure 3 shows the envs of figures.figure3.envs, Figure 23 every env."""
        if wildcards.name == "figure3":
            return self.config["figures"]["figure3"]["envs"]
        return study_envs(self.config, "failures")

    def failure_figure_files(self, wildcards) -> list[str]:
        return [layout.failures_file(env, "trajectories") for env in self.failure_figure_envs(wildcards)]

    def interpolation_envs(self, wildcards) -> list[str]:
        """Figures 5 and 9 show the envs of their config entries, Figure 8 every env."""
        name = wildcards.name
        if name in ("figure5", "figure9"):
            return self.config["figures"][name]["envs"]
        return study_envs(self.config, "interpolation")

    def interpolation_figure_files(self, wildcards) -> list[str]:
        """Figure 8 draws the perturbed same-run paths, Figures 5 and 9 the plain ones."""
        kind = "perturbed" if wildcards.name == "figure8" else "paths"
        return [layout.interpolation_file(env, kind) for env in self.interpolation_envs(wildcards)]

    def interpolation_figure_value(self, wildcards) -> str:
        """The column an interpolation figure draws: Figure 8 the mean of the perturbed rollouts."""
        return "mean" if wildcards.name == "figure8" else "return"

    def algorithm1_figure_stats(self, wildcards) -> list[str]:
        """Figure 24 draws every policy of Algorithm 1's learner: that learner's statistics tables."""
        if wildcards.name != "figure24":
            return []
        algo = self.config["algorithm1"]["algo"]
        return layout.stats_tables(self.config, study_envs(self.config, "algorithm1"), [algo])

    def algorithm1_figure_resamples(self, wildcards):
        return rule_params.algorithm1_figure_interval(self.config, wildcards.name)["resamples"]

    def algorithm1_figure_confidence(self, wildcards):
        return rule_params.algorithm1_figure_interval(self.config, wildcards.name)["confidence"]

    def atari_stats_tables(self, wildcards) -> list[str]:
        """The statistics tables of the config's games (their Atari learner's policies)."""
        return layout.stats_tables(self.config, atari_games(self.config))

    def atari_purds(self, wildcards) -> list[str]:
        """Figure 20's input: the PURDs of every policy of the games (it draws chosen ones)."""
        if wildcards.name != "figure20":
            return []
        return [path for env in atari_games(self.config) for path in layout.own_purds(self.config, env)]

    # The targets (rules/targets.smk): functions of the figure or env they are made for.

    def figure_target(self, figure: str):
        """The input function of a figure target: its files, checked only when it is asked for."""
        return functools.partial(self._figure_files, figure)

    def _figure_files(self, figure: str, wildcards) -> list[str]:
        return targets.figure_files(self.config, figure)

    def map_figure_target(self, figure: str):
        """The input function of Figure 2 or 11-18: its env's PURD map."""
        return functools.partial(self._map_figure, figure)

    def _map_figure(self, figure: str, wildcards) -> str:
        return layout.purd_map(targets.map_figure_env(self.config, figure))
