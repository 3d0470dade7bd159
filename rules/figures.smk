# Figures and the tables behind them.


rule learning_curves_table:
    input:
        eval_tables(),
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
        env_stats_tables,
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
        grids=[layout.landscape_file("{env}", layout.window_name(w)) for w in config["landscape"]["windows"]],
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


rule failures_figure:
    input:
        failure_figure_files,
    output:
        report(layout.figure("{name}"), caption="../report/failures.rst", category="Failures"),
    log:
        layout.log("figures", "{name}"),
    wildcard_constraints:
        name="figure3|figure23",
    conda:
        "../envs/jax.yaml"
    params:
        envs=failure_figure_envs,
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
        layout.log("figures", "figure4_{env}"),
    conda:
        "../envs/jax.yaml"
    params:
        backend=config["backend"],
        frames=config["figures"]["figure4"]["frames"],
    script:
        "../scripts/figure4.py"


rule table2_pairs:
    input:
        [layout.interpolation_file(e, "pairs") for e in study_envs(config, "interpolation")],
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
        interpolation_figure_files,
    output:
        report(layout.figure("{name}"), caption="../report/interpolation.rst", category="Interpolation"),
    log:
        layout.log("figures", "{name}"),
    wildcard_constraints:
        name="figure5|figure8|figure9",
    conda:
        "../envs/jax.yaml"
    params:
        envs=interpolation_envs,
        value=interpolation_figure_value,
    script:
        "../scripts/interpolation_figure.py"


rule btp_figure:
    input:
        [layout.interpolation_file(e, "btp") for e in study_envs(config, "interpolation")],
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


rule algorithm1_figure:
    input:
        traces=layout.table("algorithm1"),
        stats=algorithm1_figure_stats,
    output:
        report(layout.figure("{name}"), caption="../report/algorithm1.rst", category="Algorithm 1"),
    log:
        layout.log("figures", "{name}"),
    wildcard_constraints:
        name="figure7|figure24|figure26",
    conda:
        "../envs/jax.yaml"
    params:
        algo=config["algorithm1"]["algo"],
        resamples=algorithm1_figure_resamples,
        confidence=algorithm1_figure_confidence,
    script:
        "../scripts/algorithm1_figure.py"


rule cvar_ranks_figure:
    input:
        stats=layout.stats_tables(config, study_envs(config, "algorithm1"), [config["algorithm1"]["algo"]]),
        purds=[
            p
            for env in study_envs(config, "algorithm1")
            for p in layout.own_purds(config, env, config["algorithm1"]["algo"])
        ],
    output:
        table=layout.table("cvar_ranks"),
        figure=report(layout.figure("figure25"), caption="../report/figure25.rst", category="Algorithm 1"),
    log:
        layout.log("figures", "figure25"),
    conda:
        "../envs/jax.yaml"
    params:
        algo=config["algorithm1"]["algo"],
        alphas=config["figures"]["figure25"]["alphas"],
    script:
        "../scripts/figure25.py"


rule start_states_figure:
    input:
        table=layout.table("start_states"),
        stats=layout.stats_tables(config, config["figures"]["figure10"]["envs"], ["td3"]),
    output:
        report(layout.figure("figure10"), caption="../report/figure10.rst", category="Appendix"),
    log:
        layout.log("figures", "figure10"),
    conda:
        "../envs/jax.yaml"
    params:
        envs=config["figures"]["figure10"]["envs"],
    script:
        "../scripts/figure10.py"


rule bc_figure:
    input:
        layout.table("behaviour_cloning"),
    output:
        correlations=BC_TABLES["correlations"],
        ltp=BC_TABLES["ltp"],
        figure=report(layout.figure("figure22"), caption="../report/figure22.rst", category="Appendix"),
        page=report(layout.figure("table_bc", "html"), caption="../report/table_bc.rst", category="Appendix"),
    log:
        layout.log("figures", "figure22"),
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
            functools.partial(purd_map_target, _figure),
        localrule: True


# An env's map by name, for any env of the config (map_gym_Hopper_v5 for gym-Hopper-v5).
for _env in config["envs"]:

    rule:
        name:
            f"map_{layout.rule_safe(_env)}"
        input:
            functools.partial(env_map_target, _env),
        localrule: True


for _figure in FIGURE_TARGETS:

    rule:
        name:
            _figure
        input:
            functools.partial(figure_target_files, _figure),
        localrule: True
