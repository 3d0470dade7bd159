# The Atari study (the paper's A.6): PPO's PURDs on the config's games (Figures 20 and 21) and
# the BTP of random pairs of its policies (Figure 19, as Figure 6).


rule atari_btp_figure:
    input:
        layout.interpolation_files(atari_games(config), "btp"),
    output:
        table=layout.table("btp_atari"),
        figure=report(layout.figure("figure19"), caption="../report/figure19.rst", category="Atari"),
    log:
        layout.log("figures", "figure19"),
    conda:
        "../envs/jax.yaml"
    params:
        envs=atari_games(config),
        title=rule_params.atari_btp_title(config),
        resamples=config["stats"]["resamples"],
        confidence=config["stats"]["confidence"],
    script:
        "../scripts/figure6.py"


rule atari_purd_figure:
    input:
        stats=jobs.atari_stats_tables,
        purds=jobs.atari_purds,
    output:
        report(layout.figure("{name}"), caption="../report/atari.rst", category="Atari"),
    log:
        layout.log("figures", "{name}"),
    wildcard_constraints:
        name="figure20|figure21",
    conda:
        "../envs/jax.yaml"
    params:
        scale=rule_params.atari_scale(config),
        per_game=config["figures"]["figure20"]["per_game"],
    script:
        "../scripts/atari_figure.py"
