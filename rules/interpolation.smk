# Interpolation between policies (Figures 5, 6, 8, 9 and Table 2): Table 2's pairs picked from the
# statistics of interpolation.algo, their paths (plain and perturbed), and the BTP of random pairs.


checkpoint interpolation_pairs:
    input:
        jobs.interpolation_stats,
    output:
        layout.interpolation_file("{env}", "pairs"),
    log:
        layout.log("interpolation", "{env}", "pairs"),
    conda:
        "../envs/jax.yaml"
    params:
        interpolation=rule_params.section(config, "interpolation", ("algo", "pairs", "mean_tolerance")),
    script:
        "../scripts/interpolation_pairs.py"


rule interpolation_paths:
    input:
        pairs=layout.interpolation_file("{env}", "pairs"),
        policies=jobs.interpolation_policies,
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
        runtime=jobs.interpolation_runtime,
        mem_mb=requests.purd_mem(config, config["interpolation"]["algo"]),
    params:
        interpolation=jobs.interpolation_path_settings,
        samples=jobs.interpolation_path_samples,
        episode_length=config["episode_length"],
    script:
        "../scripts/interpolation_paths.py"


rule btp:
    input:
        jobs.btp_policy_files,
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
        runtime=jobs.btp_runtime,
        mem_mb=jobs.btp_mem,
    params:
        interpolation=jobs.btp_settings,
        policies=jobs.btp_policies,
        episode_length=config["episode_length"],
    script:
        "../scripts/btp.py"


# The figures: Table 2, the paths (Figures 5, 8 and 9) and the BTP (Figure 6).
rule table2_pairs:
    input:
        layout.interpolation_files(study_envs(config, "interpolation"), "pairs"),
    output:
        table=layout.table("table2"),
        page=report(layout.figure("table2", "html"), caption="../report/table2.rst", category="Interpolation"),
    log:
        layout.log("tables", "table2"),
    conda:
        "../envs/jax.yaml"
    script:
        "../scripts/table2.py"


rule interpolation_figure:
    input:
        jobs.interpolation_figure_files,
    output:
        report(layout.figure("{name}"), caption="../report/interpolation.rst", category="Interpolation"),
    log:
        layout.log("figures", "{name}"),
    wildcard_constraints:
        name="figure5|figure8|figure9",
    conda:
        "../envs/jax.yaml"
    params:
        envs=jobs.interpolation_envs,
        value=jobs.interpolation_figure_value,
    script:
        "../scripts/interpolation_figure.py"


rule btp_figure:
    input:
        layout.interpolation_files(study_envs(config, "interpolation"), "btp"),
    output:
        table=layout.table("btp"),
        figure=report(layout.figure("figure6"), caption="../report/figure6.rst", category="Interpolation"),
    log:
        layout.log("figures", "figure6"),
    conda:
        "../envs/jax.yaml"
    params:
        envs=study_envs(config, "interpolation"),
        resamples=config["stats"]["resamples"],
        confidence=config["stats"]["confidence"],
    script:
        "../scripts/figure6.py"
