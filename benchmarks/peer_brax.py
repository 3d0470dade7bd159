"""Brax's own SAC or PPO trainer as the peer of benchmarks/learning.py, one seed per process.

Prints one JSON line: the deterministic return from s_I and the trainer's throughput.
"""

import argparse
import functools
import json
import time

import jax
import jax.numpy as jnp
from brax import envs
from flax import linen

p = argparse.ArgumentParser()
p.add_argument("algo", choices=["sac", "ppo"])
p.add_argument("--env", default="hopper")
p.add_argument("--backend", default="spring")
p.add_argument("--steps", type=int, required=True)
p.add_argument("--seed", type=int, default=0)
args = p.parse_args()

env = envs.get_environment(args.env, backend=args.backend)
ref_env = envs.get_environment(args.env, backend=args.backend, reset_noise_scale=0.0)
start = jax.jit(ref_env.reset)(jax.random.PRNGKey(0))


def return_from_reference(policy) -> float:
    """Deterministic return from s_I over 1000 steps, summed until the first termination."""

    def step(carry, _):
        state, alive = carry
        action, _ = policy(state.obs, jax.random.PRNGKey(0))
        nxt = ref_env.step(state, jnp.clip(action, -1, 1))
        return (nxt, alive & (nxt.done == 0)), jnp.where(alive, nxt.reward, 0.0)

    _, rewards = jax.jit(lambda s: jax.lax.scan(step, (s, jnp.bool_(True)), None, length=1000))(start)
    return float(rewards.sum())

seed, sps = args.seed, []
progress = lambda step, m: sps.append(float(m.get("training/sps", float("nan"))))  # noqa: E731
t0 = time.time()
if args.algo == "sac":
    from brax.training.agents.sac import train as sac

    make_policy, params, _ = sac.train(
        environment=env, num_timesteps=args.steps, episode_length=1000, num_envs=1,
        batch_size=256, grad_updates_per_step=1, learning_rate=3e-4, discounting=0.99, tau=0.005,
        min_replay_size=10000, max_replay_size=args.steps, normalize_observations=False,
        reward_scaling=1.0, num_evals=10, num_eval_envs=1, seed=seed, progress_fn=progress,
    )
else:
    from brax.training.agents.ppo import networks as ppo_networks
    from brax.training.agents.ppo import train as ppo

    factory = functools.partial(
        ppo_networks.make_ppo_networks, policy_hidden_layer_sizes=(64, 64), value_hidden_layer_sizes=(64, 64),
        activation=linen.tanh, distribution_type="normal", noise_std_type="log", init_noise_std=1.0,
    )
    make_policy, params, _ = ppo.train(
        environment=env, num_timesteps=args.steps, episode_length=1000, num_envs=2048, batch_size=1024,
        num_minibatches=2, unroll_length=16, num_updates_per_batch=4, learning_rate=2.6e-3,
        entropy_cost=0.0, discounting=0.99, gae_lambda=0.95, clipping_epsilon=0.2, max_grad_norm=1.0,
        vf_loss_coefficient=2.0, normalize_observations=False,  # truncation is bootstrapped via state.info["truncation"]
        reward_scaling=1.0, num_evals=10, num_eval_envs=16, seed=seed, network_factory=factory,
        progress_fn=progress,
    )
wall = time.time() - t0
ret = return_from_reference(make_policy(params, deterministic=True))
# The trainer's own readings of its training speed (env-steps/s, = updates/s for SAC), each over
# one epoch between evaluations; the first epoch compiles, so it is left out as ours are.
readings = [x for x in sps if x == x]
rate = sum(readings[1:]) / len(readings[1:]) if len(readings) > 1 else readings[-1]
print(json.dumps({"algo": f"brax-{args.algo}", "jax": jax.__version__, "seed": seed, "returns": [ret],
                  "wall_s": wall, "rate": rate, "readings": readings}))
