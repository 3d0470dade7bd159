# The landscape around a noisy and a smooth policy (Figures 1 and 27): the pair is picked from the
# statistics table, then its landscapes (one job per window), large PURDs and gaits are computed.


rule landscape_picks:
    input:
        layout.stats_table("{env}"),
    output:
        layout.landscape_file("{env}", "picks"),
    log:
        "logs/landscape/{env}/picks.log",
    conda:
        "../envs/jax.yaml"
    params:
        landscape={k: config["landscape"][k] for k in ("algo", "policies", "mean_tolerance")},
    script:
        "../scripts/landscape_picks.py"


rule landscape_grid:
    input:
        picks=layout.landscape_file("{env}", "picks"),
        policies=lambda w: layout.policy_files(config, w.env, config["landscape"]["algo"]),
    output:
        layout.landscape_file("{env}", "grid_w{window}"),
    log:
        "logs/landscape/{env}/grid_w{window}.log",
    benchmark:
        "benchmarks/landscape/{env}/grid_w{window}.tsv"
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        runtime=lambda w: requests.landscape_runtime(config),
        mem_mb=lambda w: requests.purd_mem(config, config["landscape"]["algo"]),
    params:
        landscape={k: config["landscape"][k] for k in ("directions", "grid", "batch_size")},
        episode_length=config["episode_length"],
    script:
        "../scripts/landscape_grid.py"


rule landscape_purd:
    input:
        picks=layout.landscape_file("{env}", "picks"),
        policies=lambda w: layout.policy_files(config, w.env, config["landscape"]["algo"]),
    output:
        layout.landscape_file("{env}", "purd"),
    log:
        "logs/landscape/{env}/purd.log",
    benchmark:
        "benchmarks/landscape/{env}/purd.tsv"
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        runtime=lambda w: requests.purd_runtime(
            config, config["landscape"]["algo"], 2 * config["landscape"]["hist_samples"]
        ),
        mem_mb=lambda w: requests.purd_mem(config, config["landscape"]["algo"]),
    params:
        settings=lambda w: {**purd_settings(config["landscape"]["algo"]), "n": config["landscape"]["hist_samples"]},
    script:
        "../scripts/landscape_purd.py"


rule landscape_gait:
    input:
        picks=layout.landscape_file("{env}", "picks"),
        policies=lambda w: layout.policy_files(config, w.env, config["landscape"]["algo"]),
    output:
        layout.landscape_file("{env}", "gait"),
    log:
        "logs/landscape/{env}/gait.log",
    conda:
        "../envs/jax.yaml"
    params:
        episode_length=config["episode_length"],
    script:
        "../scripts/landscape_gait.py"
