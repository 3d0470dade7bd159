# Failures (Figures 3, 4 and 23): the noisiest failures.algo policies of each env picked from
# their statistics, then a successful and a failing sample of each one's PURD rolled out again
# step by step.


checkpoint failures_picks:
    input:
        jobs.failures_stats,
    output:
        layout.failures_file("{env}", "picks"),
    log:
        layout.log("failures", "{env}", "picks"),
    conda:
        "../envs/jax.yaml"
    params:
        failures=rule_params.section(config, "failures", ("algo", "policies")),
    script:
        "../scripts/failures_picks.py"


rule failures:
    input:
        picks=layout.failures_file("{env}", "picks"),
        purds=jobs.failures_purds,
        policies=jobs.failures_policies,
    output:
        layout.failures_file("{env}", "trajectories"),
    log:
        layout.log("failures", "{env}"),
    benchmark:
        layout.benchmark("failures", "{env}")
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        mem_mb=requests.purd_mem(config, config["failures"]["algo"]),
    params:
        failures=rule_params.section(config, "failures", ("success_tolerance",)),
        stats=rule_params.section(config, "stats", ("ltp_alpha", "bins")),
        settings=rule_params.purd_settings(config, config["failures"]["algo"]),
    script:
        "../scripts/failures.py"


# The figures: the failures' returns (Figures 3 and 23) and gaits (Figure 4).
rule failures_figure:
    input:
        jobs.failure_figure_files,
    output:
        report(layout.figure("{name}"), caption="../report/failures.rst", category="Failures"),
    log:
        layout.log("figures", "{name}"),
    wildcard_constraints:
        name="figure3|figure23",
    conda:
        "../envs/jax.yaml"
    params:
        envs=jobs.failure_figure_envs,
    script:
        "../scripts/failures_figure.py"


rule failure_gaits:
    input:
        layout.failures_file("{env}", "trajectories"),
    output:
        frames=report(layout.figure("figure4_{env}"), caption="../report/figure4.rst", category="Failures"),
        success=report(
            layout.figure("figure4_{env}_success", "html"),
            caption="../report/figure4_viewer.rst",
            category="Failures",
            labels={"rollout": "success"},
        ),
        failure=report(
            layout.figure("figure4_{env}_failure", "html"),
            caption="../report/figure4_viewer.rst",
            category="Failures",
            labels={"rollout": "failure"},
        ),
    log:
        layout.log("figures", "figure4_{env}"),
    conda:
        "../envs/jax.yaml"
    params:
        backend=config["backend"],
        frames=config["figures"]["figure4"]["frames"],
    script:
        "../scripts/figure4.py"
