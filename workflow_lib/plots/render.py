"""Gaits from recorded rollouts (Fig. 1, Fig. 4): Brax's HTML viewer and a static strip of frames.

The strip is drawn with matplotlib from the MuJoCo model's geoms, seen from the side (x-z), so it
needs no OpenGL: MuJoCo's own renderer (brax.io.image) wants an EGL or OSMesa context, which a
fresh machine or a cluster node often lacks. Capsules, spheres and the floor are what the four
Brax locomotion models are made of.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import mujoco
import numpy as np
from brax.io import html

from workflow_lib.envs.native import make_env

PLANE, SPHERE, CAPSULE, CYLINDER = (int(mujoco.mjtGeom.mjGEOM_PLANE), int(mujoco.mjtGeom.mjGEOM_SPHERE),
                                    int(mujoco.mjtGeom.mjGEOM_CAPSULE), int(mujoco.mjtGeom.mjGEOM_CYLINDER))


def viewer_page(env_name: str, backend: str, qs: np.ndarray) -> str:
    """Brax's HTML viewer page (brax.io.html) of a trajectory of generalized coordinates q."""
    env = make_env(env_name, backend)
    states = jax.jit(jax.vmap(lambda q: env.pipeline_init(q, jnp.zeros(env.sys.qd_size()))))(jnp.asarray(qs))
    frames = [jax.tree.map(lambda x, t=t: x[t], states) for t in range(len(qs))]
    return html.render(env.sys, frames, height=480, colab=False)


def _stadium(p0: np.ndarray, p1: np.ndarray, r: float, n: int = 10) -> np.ndarray:
    """Outline of a 2D capsule from p0 to p1 with radius r."""
    d = p1 - p0
    angle = np.arctan2(d[1], d[0]) if np.hypot(*d) > 1e-9 else 0.0
    arc0 = angle + np.linspace(np.pi / 2, 3 * np.pi / 2, n)
    arc1 = angle + np.linspace(-np.pi / 2, np.pi / 2, n)
    return np.concatenate([p0 + r * np.stack([np.cos(arc0), np.sin(arc0)], 1),
                           p1 + r * np.stack([np.cos(arc1), np.sin(arc1)], 1)])


def side_view_shapes(model: mujoco.MjModel, q: np.ndarray) -> list[np.ndarray]:
    """The x-z outlines of the model's bodies at coordinates q (the floor excluded)."""
    data = mujoco.MjData(model)
    data.qpos[:] = q
    mujoco.mj_kinematics(model, data)
    shapes = []
    for g in range(model.ngeom):
        kind, size = int(model.geom_type[g]), model.geom_size[g]
        pos, axis = data.geom_xpos[g], data.geom_xmat[g].reshape(3, 3)[:, 2]
        if kind in (CAPSULE, CYLINDER):
            ends = [pos - size[1] * axis, pos + size[1] * axis]
            shapes.append(_stadium(ends[0][[0, 2]], ends[1][[0, 2]], size[0]))
        elif kind == SPHERE:
            shapes.append(_stadium(pos[[0, 2]], pos[[0, 2]], size[0]))
    return shapes


def draw_frame(ax, shapes: list[np.ndarray], x0: float, height: float, color: str) -> None:
    """One frame on `ax`: the bodies' outlines, the floor, the view centred on x0."""
    from matplotlib.patches import Polygon

    for outline in shapes:
        ax.add_patch(Polygon(outline, closed=True, facecolor=color, edgecolor="black", linewidth=0.4))
    half_width = 0.6 * height
    ax.axhline(0.0, color="0.4", linewidth=1)
    for tick in np.arange(np.floor(x0 - half_width), x0 + half_width, 0.25):  # floor marks show the motion
        ax.plot([tick, tick - 0.08], [0, -0.08], color="0.6", linewidth=0.6)
    ax.set_xlim(x0 - half_width, x0 + half_width)
    ax.set_ylim(-0.1, height)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])


def frame_steps(length: int, episode_length: int, count: int) -> np.ndarray:
    """`count` steps spread over the rollout, the last at its end (termination or time limit)."""
    last = max(1, min(length, episode_length)) - 1
    return np.unique(np.linspace(0, last, count).round().astype(int))


def draw_strip(axes, env_name: str, backend: str, qs: np.ndarray, length: int, color: str) -> None:
    """A row of frames of one trajectory over `axes`, each titled with its step."""
    model = make_env(env_name, backend).sys.mj_model
    steps = frame_steps(length, len(qs), len(axes))
    shapes = [side_view_shapes(model, np.asarray(qs[t])) for t in steps]
    height = 1.1 * max(float(o[:, 1].max()) for frame in shapes for o in frame)  # one scale for the strip
    for ax, t, frame in zip(axes, steps, shapes):
        draw_frame(ax, frame, float(qs[t][0]), height, color)
        ax.set_title(f"t={t + 1}", fontsize=7)
    for ax in axes[len(steps):]:
        ax.axis("off")
