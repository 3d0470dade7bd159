# Algorithm 1, post-update CVaR rejection (Figures 7, 24, 26): starting policies picked from the
# statistics, then per starting policy and run the traces of both variants (rejection, baseline).


rule algorithm1_starts:
    input:
        layout.stats_table("{env}"),
    output:
        layout.algorithm1_file("{env}", "{algo}", "starts"),
    log:
        "logs/algorithm1/{env}/{algo}/starts.log",
    conda:
        "../envs/jax.yaml"
    params:
        policies=config["algorithm1"]["policies"],
    script:
        "../scripts/algorithm1_starts.py"


rule algorithm1:
    input:
        starts=layout.algorithm1_file("{env}", "{algo}", "starts"),
        policies=lambda w: layout.policy_files(config, w.env, w.algo),
    output:
        layout.algorithm1_file("{env}", "{algo}", "start{start}_run{run}"),
    log:
        "logs/algorithm1/{env}/{algo}/start{start}_run{run}.log",
    wildcard_constraints:
        start=r"\d+",
        run=r"\d+",
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        runtime=lambda w: requests.algorithm1_runtime(config),
        mem_mb=lambda w: requests.algorithm1_mem(config),
    params:
        settings=algorithm1_settings(),
    script:
        "../scripts/algorithm1.py"


rule algorithm1_table:
    input:
        layout.algorithm1_traces(config),
    output:
        "results/tables/algorithm1.parquet",
    log:
        "logs/tables/algorithm1.log",
    conda:
        "../envs/jax.yaml"
    script:
        "../scripts/concat_tables.py"
