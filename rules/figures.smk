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
    log:
        "logs/figures/learning_curves.log",
    conda:
        "../envs/jax.yaml"
    params:
        ci=config["figures"]["learning_curves"]["ci"],
    script:
        "../scripts/learning_curves.py"


rule purd_map:
    input:
        layout.stats_table("{env}"),
    output:
        report(
            layout.purd_map("{env}"),
            caption="../report/purd_map.rst",
            category="Post-update return distributions",
            subcategory="{env}",
        ),
    log:
        "logs/figures/purd_map_{env}.log",
    conda:
        "../envs/jax.yaml"
    params:
        highlights=config["figures"]["purd_map"]["highlights"],
        ltp_alpha=config["stats"]["ltp_alpha"],
    script:
        "../scripts/purd_map.py"


for _figure in ("figure2", *PAPER_FIGURE_ENVS):

    rule:
        name:
            _figure
        input:
            lambda w, figure=_figure: layout.purd_map(figure_env(figure)),
        localrule: True
