# Failures (Figures 3, 4 and 23): a successful and a failing sample from the PURDs of the noisiest
# failures.algo policies of each env, rolled out again step by step.


rule failures:
    input:
        stats=failures_stats,
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
        failures={k: config["failures"][k] for k in ("algo", "policies", "success_tolerance")},
        stats={k: config["stats"][k] for k in ("ltp_alpha", "bins")},
        settings=purd_settings(config["failures"]["algo"]),
    script:
        "../scripts/failures.py"
