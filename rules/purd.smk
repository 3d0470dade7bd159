# Post-update return distributions: one sampling job per run under its learner's own update,
# then one statistics table per (env, algo), so that an edit of one algorithm reruns only the
# studies of that algorithm.


# A job per run (env, algo, seed) and a rule per algo, whose outputs are its checkpoints' PURDs:
# one process samples them all with the same compiled programs (a job's start and compilation
# cost more than a checkpoint's sampling, on a laptop and on a GPU node), and the DAG holds a
# tenth of the jobs (benchmarks/planning.py). A rule per algo because a run's checkpoint steps,
# an algo's config, are in its output names.
for _algo in config["algos"]:

    rule:
        name:
            f"purd_{_algo}"
        input:
            **layout.run_policy_files(config, "{env}", _algo, "{seed}"),
        output:
            layout.run_purds(config, "{env}", _algo, "{seed}"),
        log:
            layout.log("purd", "{env}", _algo, _algo, "seed{seed}"),
        benchmark:
            layout.benchmark("purd", "{env}", _algo, _algo, "seed{seed}")
        priority: 1  # after training: most studies read the PURDs or their statistics
        conda:
            "../envs/jax.yaml"
        threads: config["resources"]["purd_threads"]
        resources:
            gpu=config["resources"]["gpu"],
            runtime=jobs.run_purd_runtime(_algo),
            mem_mb=requests.purd_mem(config, _algo),
        params:
            kind=_algo,
            settings=rule_params.purd_settings(config, _algo),
        script:
            "../scripts/purd.py"


# The Gaussian perturbation's PURD of one checkpoint (no study reads it: a target on demand).
rule purd_gaussian:
    input:
        unpack(jobs.gaussian_purd_inputs),
    output:
        layout.purd_path("{env}", "{algo}", "gaussian", "{seed}", "{step}"),
    log:
        layout.log("purd", "{env}", "{algo}", "gaussian", "seed{seed}", "step{step}"),
    benchmark:
        layout.benchmark("purd", "{env}", "{algo}", "gaussian", "seed{seed}", "step{step}")
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        runtime=jobs.purd_runtime,
        mem_mb=jobs.purd_mem,
    params:
        kind="gaussian",
        settings=jobs.gaussian_purd_settings,
    script:
        "../scripts/purd.py"


rule purd_stats:
    input:
        jobs.own_purds,
    output:
        layout.stats_table("{env}", "{algo}"),
    log:
        layout.log("tables", "purd_stats_{env}_{algo}"),
    conda:
        "../envs/jax.yaml"
    params:
        policies=jobs.stats_policies,
        stats=rule_params.stats_settings(config),
    script:
        "../scripts/purd_stats.py"
