# Algorithm 1, post-update CVaR rejection (Figures 7, 24, 26): starting policies picked from the
# statistics of its learner, then per starting policy and run the traces of both variants
# (rejection, baseline).


checkpoint algorithm1_starts:
    input:
        jobs.algorithm1_stats,
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
        policies=jobs.algorithm1_policies,
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
        runtime=jobs.algorithm1_runtime,
        mem_mb=jobs.algorithm1_mem,
    params:
        settings=rule_params.algorithm1_settings(config),
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


# The figures: the traces (Figures 7, 24 and 26) and the CVaR ranks (Figure 25).
rule algorithm1_figure:
    input:
        traces=layout.table("algorithm1"),
        stats=jobs.algorithm1_figure_stats,
    output:
        report(layout.figure("{name}"), caption="../report/algorithm1.rst", category="Algorithm 1"),
    log:
        layout.log("figures", "{name}"),
    wildcard_constraints:
        name="figure7|figure24|figure26",
    conda:
        "../envs/jax.yaml"
    params:
        algo=config["algorithm1"]["algo"],
        resamples=jobs.algorithm1_figure_resamples,
        confidence=jobs.algorithm1_figure_confidence,
    script:
        "../scripts/algorithm1_figure.py"


rule cvar_ranks_figure:
    input:
        stats=layout.stats_tables(config, study_envs(config, "algorithm1"), [config["algorithm1"]["algo"]]),
        purds=layout.study_purds(config, study_envs(config, "algorithm1"), config["algorithm1"]["algo"]),
    output:
        table=layout.table("cvar_ranks"),
        figure=report(layout.figure("figure25"), caption="../report/figure25.rst", category="Algorithm 1"),
    log:
        layout.log("figures", "figure25"),
    conda:
        "../envs/jax.yaml"
    params:
        algo=config["algorithm1"]["algo"],
        alphas=config["figures"]["figure25"]["alphas"],
    script:
        "../scripts/figure25.py"
