# Interpolation between policies (Figures 5, 6, 8, 9 and Table 2): Table 2's pairs picked from the
# statistics of interpolation.algo, their paths (plain and perturbed), and the BTP of random pairs.


checkpoint interpolation_pairs:
    input:
        interpolation_stats,
    output:
        layout.interpolation_file("{env}", "pairs"),
    log:
        layout.log("interpolation", "{env}", "pairs"),
    conda:
        "../envs/jax.yaml"
    params:
        interpolation={k: config["interpolation"][k] for k in ("algo", "pairs", "mean_tolerance")},
    script:
        "../scripts/interpolation_pairs.py"


rule interpolation_paths:
    input:
        pairs=layout.interpolation_file("{env}", "pairs"),
        policies=interpolation_policies,
    output:
        layout.interpolation_file("{env}", "{kind}"),
    log:
        layout.log("interpolation", "{env}", "{kind}"),
    benchmark:
        layout.benchmark("interpolation", "{env}", "{kind}")
    wildcard_constraints:
        kind="paths|perturbed",
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        runtime=interpolation_runtime,
        mem_mb=requests.purd_mem(config, config["interpolation"]["algo"]),
    params:
        interpolation=interpolation_path_settings,
        samples=interpolation_path_samples,
        episode_length=config["episode_length"],
    script:
        "../scripts/interpolation_paths.py"


rule btp:
    input:
        btp_policy_files,
    output:
        layout.interpolation_file("{env}", "btp"),
    log:
        layout.log("interpolation", "{env}", "btp"),
    benchmark:
        layout.benchmark("interpolation", "{env}", "btp")
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        runtime=btp_runtime,
        mem_mb=btp_mem,
    params:
        interpolation=btp_settings,
        policies=btp_policies,
        episode_length=config["episode_length"],
    script:
        "../scripts/btp.py"
