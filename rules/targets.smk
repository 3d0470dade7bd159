# The targets by name (workflow_lib/workflow/targets.py decides which exist and what they need;
# docs/figures.md maps each to its rules): each figure, and each env's PURD map.


# Figures 2 and 11-18: an env's PURD map (Figure 2's env from figures.figure2.env).
for _figure in targets.MAP_FIGURES:

    rule:
        name:
            _figure
        input:
            jobs.map_figure_target(_figure),
        localrule: True


# An env's map by name, for any env of the config (map_gym_Hopper_v5 for gym-Hopper-v5).
for _env in config["envs"]:

    rule:
        name:
            f"map_{layout.rule_safe(_env)}"
        input:
            layout.purd_map(_env),
        localrule: True


# The studies' figures and tables, each checked buildable by the config when it is asked for.
for _figure in targets.FIGURE_TARGETS:

    rule:
        name:
            _figure
        input:
            jobs.figure_target(_figure),
        localrule: True
