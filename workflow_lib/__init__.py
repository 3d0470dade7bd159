"""Return landscapes of continuous-control policies: the library behind the workflow.

Pinned to jax 0.8.3 (pyproject.toml). jaxlib 0.10's concurrency-optimised CPU scheduler
deadlocked our programs (a vmapped env reset + network init waited forever, every thread
idle, in 4 of 4 runs; 0 of 16 on 0.8.3), and turning it off there cost a third of the speed.
"""

from workflow_lib.core.quiet import quiet_mjx_import

quiet_mjx_import()  # Brax imports mujoco.mjx, which prints that NVIDIA Warp is absent
