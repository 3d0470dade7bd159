# Failures (Figures 3, 4 and 23): a successful and a failing sample from the PURDs of the noisiest
# policies of each env, rolled out again step by step.


rule failures:
    input:
        stats=layout.stats_table("{env}"),
        purds=lambda w: layout.own_purds(config, w.env),
        policies=lambda w: layout.policy_files(config, w.env, config["failures"]["algo"]),
    output:
        layout.failures_file("{env}", "trajectories"),
    log:
        "logs/failures/{env}.log",
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        mem_mb=lambda w: requests.purd_mem(config, config["failures"]["algo"]),
    params:
        failures=config["failures"],
        stats=config["stats"],
        settings=lambda w: purd_settings(config["failures"]["algo"]),
    script:
        "../scripts/failures.py"
