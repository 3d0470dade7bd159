"""The learners on tiny problems with known answers, and properties of their update functions."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from workflow_lib.agents import ppo
from workflow_lib.agents import sac
from workflow_lib.agents import td3
from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.envs.native import make_env
from workflow_lib.training.loops import carry_init, offpolicy_chunk, ppo_chunk
from workflow_lib.agents.replay import buffer_add, buffer_init, buffer_sample

PROBE = make_env("probe", "none")
OBS = jax.random.uniform(jax.random.key(123), (256, 2), minval=-1, maxval=1)


def probe_error(algo, agent) -> float:
    """Mean squared distance of the deterministic action from the optimum obs/2."""
    return float(jnp.mean(jnp.sum(jnp.square(algo.module.policy(agent, OBS) - 0.5 * OBS), -1)))


@pytest.mark.parametrize("name", ["td3", "sac"])
def test_offpolicy_learns_probe(name):
    algo = ALGORITHMS[name]
    hp = algo.make_config({"hidden": [64, 64], "batch_size": 64})
    carry = carry_init(algo, PROBE, hp, jax.random.key(0), 2500)
    before = probe_error(algo, carry.agent)
    carry = jax.tree.map(lambda x: x[None], carry)  # one seed, the leading axis the loop expects
    carry, _ = jax.jit(lambda c: offpolicy_chunk(algo, PROBE, c, 500, False, 1))(carry)
    carry, metrics = jax.jit(lambda c: offpolicy_chunk(algo, PROBE, c, 2000, True, 1))(carry)
    carry = jax.tree.map(lambda x: x[0], carry)
    assert int(carry.buffer.size) == 2500 and int(carry.steps) == 2500
    assert probe_error(algo, carry.agent) < 0.02 < before


def test_ppo_learns_probe():
    algo = ALGORITHMS["ppo"]
    hp = algo.make_config({"num_envs": 64, "unroll_length": 8, "learning_rate": 1e-3})
    carry = carry_init(algo, PROBE, hp, jax.random.key(0), 0)
    before = probe_error(algo, carry.agent)
    carry, _ = jax.jit(lambda c: ppo_chunk(algo, PROBE, c, 200, 1))(carry)
    assert int(carry.steps) == 200 * 64 * 8
    assert probe_error(algo, carry.agent) < 0.02 < before


def test_ppo_update_is_minibatch_steps_with_gae_recomputed_each_epoch():
    """update() = one minibatch_step per (epoch, minibatch), each epoch's GAE from the critic as
    it stands; its first step is the one PURD sampling takes (first_minibatch)."""
    algo = ALGORITHMS["ppo"]
    hp = algo.make_config({"num_envs": 8, "unroll_length": 4, "num_minibatches": 1, "num_epochs": 2})
    carry = carry_init(algo, PROBE, hp, jax.random.key(0), 0)
    _, rollout = ppo.collect(carry.agent, PROBE, carry.envs, jax.random.key(1), 1000)
    key = jax.random.key(2)
    updated, _ = ppo.update(carry.agent, rollout, key)
    expected = carry.agent
    for k in jax.random.split(key, 2):
        expected, _ = ppo.minibatch_step(expected, ppo.first_minibatch(expected, rollout, k))
    for a, b in zip(jax.tree.leaves(updated.train.params), jax.tree.leaves(expected.train.params)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    once = carry.agent  # advantages computed once per unroll would give another second step
    mbs = [ppo.first_minibatch(once, rollout, k) for k in jax.random.split(key, 2)]
    for mb in mbs:
        once, _ = ppo.minibatch_step(once, mb)
    assert any(not np.allclose(a, b, rtol=1e-5, atol=1e-6)
               for a, b in zip(jax.tree.leaves(updated.train.params), jax.tree.leaves(once.train.params)))


def test_ppo_post_update_clips_at_its_own_norm_by_hand():
    """A Brax PPO PURD sample (docs/protocol.md, "One update"): the first minibatch step of a
    fresh unroll, its gradient's global norm clipped at purd_max_grad_norm (the authors' 0.1), not
    at training's max_grad_norm, then training's Adam from the restored state."""
    algo = ALGORITHMS["ppo"]
    hp = algo.make_config({"num_envs": 8, "unroll_length": 4, "num_minibatches": 2})
    assert hp.purd_max_grad_norm == 0.1 and hp.max_grad_norm == 1.0
    carry = carry_init(algo, PROBE, hp, jax.random.key(0), 0)
    state, key = carry.agent, jax.random.key(3)
    got = ppo.post_update(state, carry.envs, key, PROBE, 1000)

    k_collect, k_perm = jax.random.split(key)
    _, rollout = ppo.collect(state, PROBE, carry.envs, k_collect, 1000)
    mb = ppo.first_minibatch(state, rollout, k_perm)

    def loss(params):  # the clipped surrogate and value loss written out (entropy coefficient 0)
        adv = (mb["adv"] - mb["adv"].mean()) / (mb["adv"].std() + 1e-8)
        logp, _, v = ppo._evaluate(state)(params, mb["obs"], mb["action"])
        ratio = jnp.exp(logp - mb["logp"])
        surrogate = jnp.minimum(ratio * adv, jnp.clip(ratio, 1 - hp.clip_eps, 1 + hp.clip_eps) * adv)
        return -surrogate.mean() + hp.value_coef * 0.5 * jnp.mean(jnp.square(v - mb["target"]))

    g = jax.grad(loss)(state.train.params)
    norm = jnp.sqrt(sum(jnp.sum(x * x) for x in jax.tree.leaves(g)))
    assert float(norm) > 0.1  # the clip acts
    clipped = jax.tree.map(lambda x: x * 0.1 / norm, g)
    adam = optax.adam(hp.learning_rate, eps=hp.adam_eps)
    updates, _ = adam.update(clipped, state.train.opt_state[1], state.train.params)
    expected = optax.apply_updates(state.train.params, updates)["actor"]
    for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(expected)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-7)
    # Training's clip (1.0) is the alternative, one value away, and gives another step.
    other = ppo.post_update(state.replace(config=hp.__class__(**{**hp.__dict__, "purd_max_grad_norm": 1.0})),
                            carry.envs, key, PROBE, 1000)
    assert not all(np.allclose(a, b) for a, b in zip(jax.tree.leaves(other), jax.tree.leaves(got)))


def batch(key, n=32):
    ks = jax.random.split(key, 3)
    obs = jax.random.normal(ks[0], (n, 2))
    from workflow_lib.envs.carry import Transition

    return Transition(obs, jax.random.uniform(ks[1], (n, 2), minval=-1, maxval=1),
                      jax.random.normal(ks[2], (n,)), obs, jnp.zeros(n), jnp.zeros(n))


def test_td3_delay_static_matches_cond():
    """The training loop's static actor_step gives the same result as the lax.cond form."""
    state = td3.init(jax.random.key(0), 2, 2, td3.TD3Config(hidden=(16,)))
    b, k = batch(jax.random.key(1)), jax.random.key(2)
    s_cond, s_static = state, state
    for i in range(4):
        s_cond, _ = td3.update(s_cond, b, k)
        s_static, _ = td3.update(s_static, b, k, actor_step=(i % 2 == 1))
    for x, y in zip(jax.tree.leaves(s_cond), jax.tree.leaves(s_static)):
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-8)
    assert int(s_cond.actor.step) == 2 and int(s_cond.critic.step) == 4


@pytest.mark.parametrize("module", [td3, sac])
def test_actor_update_freezes_everything_but_the_actor(module):
    """The PURD update (docs/protocol.md, "One update") changes only the actor and its Adam state."""
    state = module.init(jax.random.key(0), 2, 2, module.TD3Config(hidden=(16,)) if module is td3 else module.SACConfig(hidden=(16,)))
    args = (batch(jax.random.key(1)),) if module is td3 else (batch(jax.random.key(1)), jax.random.key(3))
    new, _ = module.actor_update(state, *args)
    changed = jax.tree.map(lambda a, b: bool(jnp.any(a != b)), state, new)
    assert any(jax.tree.leaves(changed.actor.params))
    assert not any(jax.tree.leaves(changed.critic)) and not any(jax.tree.leaves(changed.replace(actor=None)))


def test_replay_prefix_sampling():
    buf = buffer_init(10, 2, 2)
    for i in range(6):
        t = batch(jax.random.key(i), 1)
        buf = buffer_add(buf, jax.tree.map(lambda x: x[0], t.replace(reward=jnp.full((1,), float(i)))))
    assert int(buf.size) == 6
    sample = buffer_sample(buf, jax.random.key(0), 1000, prefix=3)
    assert set(np.asarray(sample.reward).tolist()) == {0.0, 1.0, 2.0}
    assert set(np.asarray(buffer_sample(buf, jax.random.key(1), 1000).reward).tolist()) == set(map(float, range(6)))


@pytest.mark.parametrize("name", ["td3", "sac", "ppo", "ppo_atari"])
def test_two_agents_of_one_config_share_their_static_fields(name):
    """Two inits (two loaded checkpoints) have equal tree structures, modules and optimizers
    included: a jitted program traced for one agent runs the other without tracing again."""
    algo = ALGORITHMS[name]
    obs = (4, 84, 84) if name == "ppo_atari" else 5
    config = algo.make_config({} if name == "ppo_atari" else {"hidden": [8, 8]})
    first, second = (algo.module.init(jax.random.key(k), obs, 3, algo.make_config(config.__dict__)) for k in (0, 1))
    assert jax.tree.structure(first) == jax.tree.structure(second)
    traced = []
    leaves = jax.jit(lambda agent: (traced.append(1), jax.tree.leaves(agent)[0])[1])
    leaves(first), leaves(second)
    assert len(traced) == 1 and config == first.config
