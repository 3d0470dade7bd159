"""Return landscapes of continuous-control policies: the library behind the workflow."""

import os

# XLA's concurrency-optimised CPU scheduler (jaxlib 0.10) can deadlock: a program then waits
# forever with every thread idle. Seen here in most runs of a vmapped env reset + network init
# (the training carry of 2+ seeds) and in a CI run; with the scheduler off, none in 10 runs.
# XLA reads XLA_FLAGS when the CPU backend starts, which is after this import in our code.
_FLAG = "--xla_cpu_enable_concurrency_optimized_scheduler=false"
if _FLAG not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {_FLAG}".strip()
