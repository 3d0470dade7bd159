# The landscape around a noisy and a smooth policy (Figures 1 and 27): the pair is picked from the
# statistics of landscape.algo, then its landscapes (one job per window), large PURDs and gaits are computed.


checkpoint landscape_picks:
    input:
        jobs.landscape_stats,
    output:
        layout.landscape_file("{env}", "picks"),
    log:
        layout.log("landscape", "{env}", "picks"),
    conda:
        "../envs/jax.yaml"
    params:
        landscape=rule_params.section(config, "landscape", ("algo", "policies", "mean_tolerance")),
    script:
        "../scripts/landscape_picks.py"


rule landscape_grid:
    input:
        picks=layout.landscape_file("{env}", "picks"),
        policies=jobs.landscape_policies,
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
        landscape=rule_params.section(config, "landscape", ("directions", "grid", "batch_size")),
        episode_length=config["episode_length"],
    script:
        "../scripts/landscape_grid.py"


rule landscape_purd:
    input:
        picks=layout.landscape_file("{env}", "picks"),
        policies=jobs.landscape_policies,
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
        runtime=requests.purd_runtime(config, config["landscape"]["algo"], rule_params.landscape_purd_samples(config)),
        mem_mb=requests.purd_mem(config, config["landscape"]["algo"]),
    params:
        settings=rule_params.landscape_purd_settings(config),
    script:
        "../scripts/landscape_purd.py"


rule landscape_gait:
    input:
        picks=layout.landscape_file("{env}", "picks"),
        policies=jobs.landscape_policies,
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


# The figures: the pair's landscape, histograms and gaits (Figure 1), and its zooms (Figure 27).
rule landscape_figure:
    input:
        picks=layout.landscape_file("{env}", "picks"),
        grid=layout.landscape_file("{env}", layout.window_name(config["landscape"]["windows"][0])),
        purd=layout.landscape_file("{env}", "purd"),
        gait=layout.landscape_file("{env}", "gait"),
    output:
        report(
            layout.figure("figure1_{env}"),
            caption="../report/figure1.rst",
            category="Landscape",
            subcategory="{env}",
        ),
    log:
        layout.log("figures", "figure1_{env}"),
    conda:
        "../envs/jax.yaml"
    params:
        backend=config["backend"],
        frames=config["figures"]["figure1"]["frames"],
        ltp_alpha=config["stats"]["ltp_alpha"],
    script:
        "../scripts/figure1.py"


rule landscape_zooms:
    input:
        picks=layout.landscape_file("{env}", "picks"),
        grids=layout.landscape_grids(config, "{env}"),
    output:
        report(
            layout.figure("figure27_{env}"),
            caption="../report/figure27.rst",
            category="Landscape",
            subcategory="{env}",
        ),
    log:
        layout.log("figures", "figure27_{env}"),
    conda:
        "../envs/jax.yaml"
    params:
        windows=config["landscape"]["windows"],
    script:
        "../scripts/figure27.py"
