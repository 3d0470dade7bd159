# Figures and the tables behind them.


rule learning_curves_table:
    input:
        eval_tables(),
    output:
        "results/tables/learning_curves.parquet",
    log:
        "logs/tables/learning_curves.log",
    conda:
        "../envs/jax.yaml"
    script:
        "../scripts/concat_tables.py"


rule learning_curves:
    input:
        "results/tables/learning_curves.parquet",
    output:
        report(
            "results/figures/learning_curves.png",
            caption="../report/learning_curves.rst",
            category="Training",
        ),
    params:
        ci=config["figures"]["learning_curves"]["ci"],
    log:
        "logs/figures/learning_curves.log",
    conda:
        "../envs/jax.yaml"
    script:
        "../scripts/learning_curves.py"
