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
        "logs/figures/figure1_{env}.log",
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
        grids=[layout.landscape_file("{env}", layout.window_name(w)) for w in config["landscape"]["windows"]],
    output:
        report(
            layout.figure("figure27_{env}"),
            caption="../report/figure27.rst",
            category="Landscape",
            subcategory="{env}",
        ),
    log:
        "logs/figures/figure27_{env}.log",
    conda:
        "../envs/jax.yaml"
    params:
        windows=config["landscape"]["windows"],
    script:
        "../scripts/figure27.py"


rule failures_figure:
    input:
        lambda w: [layout.failures_file(e, "trajectories") for e in failure_figure_envs(w.name)],
    output:
        report(layout.figure("{name}"), caption="../report/failures.rst", category="Failures"),
    log:
        "logs/figures/{name}.log",
    wildcard_constraints:
        name="figure3|figure23",
    conda:
        "../envs/jax.yaml"
    params:
        envs=lambda w: failure_figure_envs(w.name),
    script:
        "../scripts/failures_figure.py"


rule failure_gaits:
    input:
        layout.failures_file("{env}", "trajectories"),
    output:
        frames=report(layout.figure("figure4_{env}"), caption="../report/figure4.rst", category="Failures"),
        success=report(
            layout.figure("figure4_{env}_success", "html"),
            caption="../report/figure4_viewer.rst",
            category="Failures",
            labels={"rollout": "success"},
        ),
        failure=report(
            layout.figure("figure4_{env}_failure", "html"),
            caption="../report/figure4_viewer.rst",
            category="Failures",
            labels={"rollout": "failure"},
        ),
    log:
        "logs/figures/figure4_{env}.log",
    conda:
        "../envs/jax.yaml"
    params:
        backend=config["backend"],
        frames=config["figures"]["figure4"]["frames"],
    script:
        "../scripts/figure4.py"


rule table2_pairs:
    input:
        [layout.interpolation_file(e, "pairs") for e in config["envs"]],
    output:
        table="results/tables/table2.parquet",
        page=report(layout.figure("table2", "html"), caption="../report/table2.rst", category="Interpolation"),
    log:
        "logs/tables/table2.log",
    conda:
        "../envs/jax.yaml"
    script:
        "../scripts/table2.py"


rule interpolation_figure:
    input:
        lambda w: [layout.interpolation_file(e, interpolation_kind(w.name)) for e in interpolation_envs(w.name)],
    output:
        report(layout.figure("{name}"), caption="../report/interpolation.rst", category="Interpolation"),
    log:
        "logs/figures/{name}.log",
    wildcard_constraints:
        name="figure5|figure8|figure9",
    conda:
        "../envs/jax.yaml"
    params:
        envs=lambda w: interpolation_envs(w.name),
        value=lambda w: "mean" if w.name == "figure8" else "return",
    script:
        "../scripts/interpolation_figure.py"


rule btp_figure:
    input:
        [layout.interpolation_file(e, "btp") for e in config["envs"]],
    output:
        table="results/tables/btp.parquet",
        figure=report(layout.figure("figure6"), caption="../report/figure6.rst", category="Interpolation"),
    log:
        "logs/figures/figure6.log",
    conda:
        "../envs/jax.yaml"
    params:
        envs=config["envs"],
        resamples=config["stats"]["resamples"],
        confidence=config["stats"]["confidence"],
    script:
        "../scripts/figure6.py"


rule algorithm1_figure:
    input:
        traces="results/tables/algorithm1.parquet",
        stats=lambda w: [layout.stats_table(e) for e in config["envs"]] if w.name == "figure24" else [],
    output:
        report(layout.figure("{name}"), caption="../report/algorithm1.rst", category="Algorithm 1"),
    log:
        "logs/figures/{name}.log",
    wildcard_constraints:
        name="figure7|figure24|figure26",
    conda:
        "../envs/jax.yaml"
    params:
        algo=config["algorithm1"]["algo"],
        resamples=config["stats"]["resamples"],
        confidence=config["stats"]["confidence"],
    script:
        "../scripts/algorithm1_figure.py"


rule cvar_ranks_figure:
    input:
        stats=[layout.stats_table(e) for e in config["envs"]],
        purds=[p for e in config["envs"] for p in layout.own_purds(config, e, config["algorithm1"]["algo"])],
    output:
        table="results/tables/cvar_ranks.parquet",
        figure=report(layout.figure("figure25"), caption="../report/figure25.rst", category="Algorithm 1"),
    log:
        "logs/figures/figure25.log",
    conda:
        "../envs/jax.yaml"
    params:
        algo=config["algorithm1"]["algo"],
        alphas=config["figures"]["figure25"]["alphas"],
    script:
        "../scripts/figure25.py"


rule start_states_figure:
    input:
        table="results/tables/start_states.parquet",
        stats=[layout.stats_table(e) for e in config["figures"]["figure10"]["envs"]],
    output:
        report(layout.figure("figure10"), caption="../report/figure10.rst", category="Appendix"),
    log:
        "logs/figures/figure10.log",
    conda:
        "../envs/jax.yaml"
    params:
        envs=config["figures"]["figure10"]["envs"],
    script:
        "../scripts/figure10.py"


rule bc_figure:
    input:
        "results/tables/behaviour_cloning.parquet",
    output:
        correlations=BC_TABLES["correlations"],
        ltp=BC_TABLES["ltp"],
        figure=report(layout.figure("figure22"), caption="../report/figure22.rst", category="Appendix"),
        page=report(layout.figure("table_bc", "html"), caption="../report/table_bc.rst", category="Appendix"),
    log:
        "logs/figures/figure22.log",
    conda:
        "../envs/jax.yaml"
    params:
        resamples=config["stats"]["resamples"],
        confidence=config["stats"]["confidence"],
    script:
        "../scripts/figure22.py"


for _figure in ("figure2", *PAPER_FIGURE_ENVS):

    rule:
        name:
            _figure
        input:
            lambda w, figure=_figure: layout.purd_map(figure_env(figure)),
        localrule: True


for _figure in FIGURE_TARGETS:

    rule:
        name:
            _figure
        input:
            lambda w, figure=_figure: figure_files(figure),
        localrule: True
