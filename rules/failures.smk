# Failures (Figures 3, 4 and 23): the noisiest failures.algo policies of each env picked from
# their statistics, then a successful and a failing sample of each one's PURD rolled out again
# step by step.


checkpoint failures_picks:
    input:
        failures_stats,
    output:
        layout.failures_file("{env}", "picks"),
    log:
        layout.log("failures", "{env}", "picks"),
    conda:
        "../envs/jax.yaml"
    params:
        failures={k: config["failures"][k] for k in ("algo", "policies")},
    script:
        "../scripts/failures_picks.py"


rule failures:
    input:
        picks=layout.failures_file("{env}", "picks"),
        purds=failures_purds,
        policies=failures_policies,
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
        failures={"success_tolerance": config["failures"]["success_tolerance"]},
        stats={k: config["stats"][k] for k in ("ltp_alpha", "bins")},
        settings=purd_settings(config["failures"]["algo"]),
    script:
        "../scripts/failures.py"
