# Interpolation between policies (Figures 5, 6, 8, 9 and Table 2): Table 2's pairs picked from the
# statistics, their paths (plain and perturbed), and the BTP of random pairs.


rule interpolation_pairs:
    input:
        layout.stats_table("{env}"),
    output:
        layout.interpolation_file("{env}", "pairs"),
    log:
        "logs/interpolation/{env}/pairs.log",
    conda:
        "../envs/jax.yaml"
    params:
        interpolation={k: config["interpolation"][k] for k in ("algo", "pairs", "mean_tolerance")},
    script:
        "../scripts/interpolation_pairs.py"


rule interpolation_paths:
    input:
        pairs=layout.interpolation_file("{env}", "pairs"),
        policies=lambda w: layout.policy_files(config, w.env, config["interpolation"]["algo"]),
    output:
        layout.interpolation_file("{env}", "{kind}"),
    log:
        "logs/interpolation/{env}/{kind}.log",
    wildcard_constraints:
        kind="paths|perturbed",
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        runtime=lambda w: requests.interpolation_runtime(config, w.kind),
        mem_mb=lambda w: requests.purd_mem(config, config["interpolation"]["algo"]),
    params:
        interpolation={k: config["interpolation"][k] for k in ("points", "sigma", "batch_size")},
        samples=lambda w: config["interpolation"]["perturbations"] if w.kind == "perturbed" else 0,
        episode_length=config["episode_length"],
    script:
        "../scripts/interpolation_paths.py"


rule btp:
    input:
        lambda w: layout.policy_files(config, w.env, config["interpolation"]["algo"]),
    output:
        layout.interpolation_file("{env}", "btp"),
    log:
        "logs/interpolation/{env}/btp.log",
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        runtime=lambda w: requests.btp_runtime(config),
        mem_mb=lambda w: requests.purd_mem(config, config["interpolation"]["algo"]),
    params:
        interpolation=config["interpolation"],
        policies=lambda w: [p for p in layout.policies(config, w.env) if p["algo"] == config["interpolation"]["algo"]],
        episode_length=config["episode_length"],
    script:
        "../scripts/btp.py"
