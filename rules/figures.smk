# The learning curves and the PURD maps (Figures 2 and 11-18); each study's figures are drawn
# in its own rules file, and rules/targets.smk names them.


rule learning_curves_table:
    input:
        layout.all_eval_tables(config),
    output:
        layout.table("learning_curves"),
    log:
        layout.log("tables", "learning_curves"),
    conda:
        "../envs/jax.yaml"
    script:
        "../scripts/concat_tables.py"


rule learning_curves:
    input:
        layout.table("learning_curves"),
    output:
        report(
            layout.figure("learning_curves"),
            caption="../report/learning_curves.rst",
            category="Training",
        ),
    log:
        layout.log("figures", "learning_curves"),
    conda:
        "../envs/jax.yaml"
    params:
        ci=config["figures"]["learning_curves"]["ci"],
    script:
        "../scripts/learning_curves.py"


rule purd_map:
    input:
        jobs.env_stats_tables,
    output:
        report(
            layout.purd_map("{env}"),
            caption="../report/purd_map.rst",
            category="Post-update return distributions",
            subcategory="{env}",
        ),
    log:
        layout.log("figures", "purd_map_{env}"),
    conda:
        "../envs/jax.yaml"
    params:
        highlights=config["figures"]["purd_map"]["highlights"],
        ltp_alpha=config["stats"]["ltp_alpha"],
    script:
        "../scripts/purd_map.py"
