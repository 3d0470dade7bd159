"""What an Atari figure's title says of its quantity (docs/protocol.md, "Atari"): which return its
rollouts sum and which update its PURDs take, from the config that drew it."""

from __future__ import annotations

from workflow_lib.workflow.envsets import atari_games


def return_caption(config: dict, episode_length: int) -> str:
    """The return of rollouts capped at `episode_length` agent steps, as atari.return sets it (of
    games, or of episodes where a Gymnasium env of frames is among them)."""
    games = all(env.startswith("atari-") for env in atari_games(config))
    if config["atari"]["return"] == "clipped_horizon":
        through = "lives and games" if games else "episode ends"
        return f"return: clipped rewards over {episode_length + 1:,} steps through {through}"
    one = "game score (one game" if games else "episode return (one episode"
    return f"return: {one}, at most {episode_length:,} steps)"


def update_caption(config: dict, algo: str) -> str:
    """The post-update step of the Atari learner `algo` (its purd_* keys)."""
    section = config[algo]
    if section["purd_update"] == "iteration":
        steps = section["num_epochs"] * section["num_minibatches"]
        kind = f"one PPO iteration ({steps} Adam steps)"
    else:
        kind = "one minibatch step"
    clip = "no clip" if section["purd_max_grad_norm"] is None else f"clip {section['purd_max_grad_norm']:g}"
    return f"update: {kind}, {section['purd_adam']} Adam, {clip}"
