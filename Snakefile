# Return landscapes of continuous-control policies: the pipeline's table of contents.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/train.smk"
include: "rules/purd.smk"
include: "rules/landscape.smk"
include: "rules/failures.smk"
include: "rules/interpolation.smk"
include: "rules/algorithm1.smk"
include: "rules/appendix.smk"
include: "rules/atari.smk"
include: "rules/figures.smk"
include: "rules/targets.smk"


rule all:
    default_target: True
    input:
        targets.all_targets(config),
