# The landscape around a noisy and a smooth policy (Figures 1 and 27): the pair is picked from the
# statistics of landscape.algo, then its landscapes (one job per window), large PURDs and gaits are computed.


checkpoint landscape_picks:
    input:
        landscape_stats,
    output:
        layout.landscape_file("{env}", "picks"),
    log:
        layout.log("landscape", "{env}", "picks"),
    conda:
        "../envs/jax.yaml"
    params:
        landscape={k: config["landscape"][k] for k in ("algo", "policies", "mean_tolerance")},
    script:
        "../scripts/landscape_picks.py"


rule landscape_grid:
    input:
        picks=layout.landscape_file("{env}", "picks"),
        policies=landscape_policies,
    output:
        layout.landscape_file("{env}", "grid_w{window}"),
    log:
        layout.log("landscape", "{env}", "grid_w{window}"),
    benchmark:
        layout.benchmark("landscape", "{env}", "grid_w{window}")
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        runtime=requests.landscape_runtime(config),
        mem_mb=requests.purd_mem(config, config["landscape"]["algo"]),
    params:
        landscape={k: config["landscape"][k] for k in ("directions", "grid", "batch_size")},
        episode_length=config["episode_length"],
    script:
        "../scripts/landscape_grid.py"


rule landscape_purd:
    input:
        picks=layout.landscape_file("{env}", "picks"),
        policies=landscape_policies,
    output:
        layout.landscape_file("{env}", "purd"),
    log:
        layout.log("landscape", "{env}", "purd"),
    benchmark:
        layout.benchmark("landscape", "{env}", "purd")
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        runtime=requests.purd_runtime(config, config["landscape"]["algo"], 2 * config["landscape"]["hist_samples"]),
        mem_mb=requests.purd_mem(config, config["landscape"]["algo"]),
    params:
        settings=landscape_purd_settings(),
    script:
        "../scripts/landscape_purd.py"


rule landscape_gait:
    input:
        picks=layout.landscape_file("{env}", "picks"),
        policies=landscape_policies,
    output:
        layout.landscape_file("{env}", "gait"),
    log:
        layout.log("landscape", "{env}", "gait"),
    conda:
        "../envs/jax.yaml"
    params:
        episode_length=config["episode_length"],
    script:
        "../scripts/landscape_gait.py"
