# Post-update return distributions: one sampling job per checkpoint and kind of update,
# then one statistics table per (env, algo), so that an edit of one algorithm reruns only the
# studies of that algorithm.


wildcard_constraints:
    algo="|".join(ALGORITHMS),
    kind="|".join([*ALGORITHMS, "gaussian"]),
    seed=r"\d+",
    step=r"\d+",


rule purd:
    input:
        unpack(purd_inputs),
    output:
        layout.purd_path("{env}", "{algo}", "{kind}", "{seed}", "{step}"),
    log:
        layout.log("purd", "{env}", "{algo}", "{kind}", "seed{seed}", "step{step}"),
    benchmark:
        layout.benchmark("purd", "{env}", "{algo}", "{kind}", "seed{seed}", "step{step}")
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        runtime=purd_runtime,
        mem_mb=purd_mem,
    params:
        settings=purd_job_settings,
    script:
        "../scripts/purd.py"


rule purd_stats:
    input:
        own_purds,
    output:
        layout.stats_table("{env}", "{algo}"),
    log:
        layout.log("tables", "purd_stats_{env}_{algo}"),
    conda:
        "../envs/jax.yaml"
    params:
        policies=stats_policies,
        stats=stats_settings(),
    script:
        "../scripts/purd_stats.py"
