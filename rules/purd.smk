# Post-update return distributions: one sampling job per checkpoint and kind of update,
# then one statistics table per env.


wildcard_constraints:
    algo="td3|sac|ppo",
    kind="td3|sac|ppo|gaussian",
    seed=r"\d+",
    step=r"\d+",


rule purd:
    input:
        unpack(purd_inputs),
    output:
        layout.purd_path("{env}", "{algo}", "{kind}", "{seed}", "{step}"),
    log:
        "logs/purd/{env}/{algo}/{kind}/seed{seed}/step{step}.log",
    benchmark:
        "benchmarks/purd/{env}/{algo}/{kind}/seed{seed}/step{step}.tsv"
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        runtime=lambda w: requests.purd_runtime(config, w.algo),
        mem_mb=lambda w: requests.purd_mem(config, w.algo),
    params:
        settings=lambda w: purd_settings(w.kind),
    script:
        "../scripts/purd.py"


rule purd_stats:
    input:
        lambda w: layout.own_purds(config, w.env),
    output:
        layout.stats_table("{env}"),
    log:
        "logs/tables/purd_stats_{env}.log",
    conda:
        "../envs/jax.yaml"
    params:
        policies=lambda w: layout.policies(config, w.env),
        stats=config["stats"],
    script:
        "../scripts/purd_stats.py"
