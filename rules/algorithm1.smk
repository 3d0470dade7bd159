# Algorithm 1, post-update CVaR rejection (Figures 7, 24, 26): starting policies picked from the
# statistics of its learner, then per starting policy and run the traces of both variants
# (rejection, baseline).


checkpoint algorithm1_starts:
    input:
        algorithm1_stats,
    output:
        layout.algorithm1_file("{env}", "{algo}", "starts"),
    log:
        layout.log("algorithm1", "{env}", "{algo}", "starts"),
    conda:
        "../envs/jax.yaml"
    params:
        policies=config["algorithm1"]["policies"],
    script:
        "../scripts/algorithm1_starts.py"


rule algorithm1:
    input:
        starts=layout.algorithm1_file("{env}", "{algo}", "starts"),
        policies=algorithm1_policies,
    output:
        layout.algorithm1_file("{env}", "{algo}", "start{start}_run{run}"),
    log:
        layout.log("algorithm1", "{env}", "{algo}", "start{start}_run{run}"),
    benchmark:
        layout.benchmark("algorithm1", "{env}", "{algo}", "start{start}_run{run}")
    wildcard_constraints:
        start=r"\d+",
        run=r"\d+",
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        runtime=algorithm1_runtime,
        mem_mb=algorithm1_mem,
    params:
        settings=algorithm1_settings(),
    script:
        "../scripts/algorithm1.py"


rule algorithm1_table:
    input:
        layout.algorithm1_traces(config),
    output:
        layout.table("algorithm1"),
    log:
        layout.log("tables", "algorithm1"),
    conda:
        "../envs/jax.yaml"
    script:
        "../scripts/concat_tables.py"
