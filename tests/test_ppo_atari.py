"""Atari PPO (agents/ppo_atari.py) on small frames with known answers: the Nature CNN's shapes,
the greedy and the sampling policy, a contextual bandit it must learn, and its update and
post-update step against the same steps written out by hand (CleanRL's formulas)."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from workflow_lib.agents import ppo
from workflow_lib.agents import ppo_atari as pa

SHAPE = (4, 36, 36)  # the smallest frames the Nature CNN takes (one 1 x 1 x 64 map at the end)
N_UPDATES = 40
# One small config for every test that updates, so that each program compiles once.
CFG = pa.PPOAtariConfig(learning_rate=2e-3, total_updates=N_UPDATES, num_envs=8, unroll_length=16,
                        num_minibatches=2, num_epochs=2)
INIT = jax.jit(pa.init, static_argnums=(1, 2, 3))
UPDATE = jax.jit(pa.update)
STEP = jax.jit(pa.minibatch_step)
POST = jax.jit(pa.post_update)
ACT = jax.jit(pa.act)
POLICY = jax.jit(pa.policy)
# One worker for the module: the trained bandit is a module fixture, and xdist would train it once per worker.
pytestmark = pytest.mark.xdist_group("ppo_atari")


@jax.jit
def logits(state, params, obs):
    return state.apply({"params": params}, obs, method="logits")


def frames(context: jax.Array) -> jax.Array:
    """uint8 frames of constant brightness: 40 for context 0, 200 for context 1."""
    return jnp.broadcast_to((40 + 160 * context).astype(jnp.uint8)[..., None, None, None], context.shape + SHAPE)


@jax.jit
def bandit_rollout(state, key) -> pa.FrameRollout:
    """One unroll of a two-armed contextual bandit: reward 1 for the action equal to the context
    (the brightness), every step an episode of its own. The policy does not change within an
    unroll, so act takes all [T, E] frames at once."""
    T, E = state.config.unroll_length, state.config.num_envs
    k_ctx, k_act = jax.random.split(key)
    context = jax.random.randint(k_ctx, (T + 1, E), 0, 2)
    obs = frames(context)
    action, logp = pa.act(state, obs[:-1], k_act)
    reward = (action == context[:-1]).astype(jnp.float32)
    return pa.FrameRollout(obs, action, reward, jnp.ones((T, E)), jnp.zeros((T, E)), logp)


@jax.jit
def random_rollout(state, key) -> pa.FrameRollout:
    """Noise frames, rewards and actions, with some terminal and some truncated steps."""
    T, E = state.config.unroll_length, state.config.num_envs
    ks = jax.random.split(key, 5)
    obs = jax.random.randint(ks[0], (T + 1, E) + SHAPE, 0, 256).astype(jnp.uint8)
    action = jax.random.randint(ks[1], (T, E), 0, 2)
    ended = jax.random.uniform(ks[2], (T, E))
    _, logp = pa.act(state, obs[:-1], ks[3])  # a behaviour log-prob near the policy's: ratios near 1
    return pa.FrameRollout(obs, action, jax.random.normal(ks[4], (T, E)), (ended < 0.1).astype(jnp.float32),
                           ((ended > 0.1) & (ended < 0.15)).astype(jnp.float32), logp - 0.1)


def params_close(a, b) -> bool:
    return all(np.allclose(x, y, rtol=1e-4, atol=1e-6) for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)))


@pytest.fixture(scope="module")
def bandit():
    """An agent trained on the bandit for total_updates updates: (state at 0, state at the end,
    mean reward of the first and the last unroll)."""
    start = state = INIT(jax.random.key(0), SHAPE, 2, CFG)
    rewards = []
    for key in jax.random.split(jax.random.key(1), N_UPDATES):
        k_roll, k_update = jax.random.split(key)
        rollout = bandit_rollout(state, k_roll)
        state, _ = UPDATE(state, rollout, k_update)
        rewards.append(float(rollout.reward.mean()))
    return start, state, rewards[0], rewards[-1]


def test_nature_cnn_shapes_on_atari_frames():
    state = INIT(jax.random.key(0), (4, 84, 84), 6, pa.PPOAtariConfig())
    shapes = jax.tree.map(lambda x: x.shape, state.train.params)
    trunk = shapes["trunk"]
    assert trunk["Conv_0"]["kernel"] == (8, 8, 4, 32) and trunk["Conv_2"]["kernel"] == (3, 3, 64, 64)
    assert trunk["Dense_0"]["kernel"] == (7 * 7 * 64, 512)  # 84 -> 20 -> 9 -> 7: VALID padding
    assert shapes["actor"]["kernel"] == (512, 6) and shapes["critic"]["kernel"] == (512, 1)
    obs = jax.random.randint(jax.random.key(1), (5,) + (4, 84, 84), 0, 256).astype(jnp.uint8)
    action, logp = ACT(state, obs, jax.random.key(2))
    assert action.shape == logp.shape == (5,) and action.dtype == jnp.int32 and logp.dtype == jnp.float32
    np.testing.assert_allclose(logp, -np.log(6), atol=0.05)  # policy head gain 0.01: near uniform at init
    assert POLICY(state, obs[0]).shape == () and POLICY(state, obs[0]).dtype == jnp.int32
    assert POLICY(state, obs.reshape((5, 1) + obs.shape[1:])).shape == (5, 1)
    assert set(pa.actor_params(state)) == {"trunk", "actor"}


def sharpened(state, scale: float):
    """The state with a random policy head large enough that the actions' probabilities differ."""
    head = pa.actor_params(state)["actor"]
    kernel = scale * jax.random.normal(jax.random.key(9), head["kernel"].shape)
    return pa.with_actor_params(state, {**pa.actor_params(state), "actor": {**head, "kernel": kernel}})


def test_policy_is_the_argmax_of_the_logits_and_reads_only_actor_params():
    state = sharpened(INIT(jax.random.key(0), SHAPE, 4, CFG), 1.0)
    obs = jax.random.randint(jax.random.key(1), (64,) + SHAPE, 0, 256).astype(jnp.uint8)
    greedy = POLICY(state, obs)  # the logits from the trunk and policy head alone:
    np.testing.assert_array_equal(greedy, jnp.argmax(logits(state, pa.actor_params(state), obs), -1))
    assert len(np.unique(greedy)) > 1
    other_critic = state.replace(train=state.train.replace(params={**state.train.params, "critic": jax.tree.map(
        lambda x: x + 1.0, state.train.params["critic"])}))
    np.testing.assert_array_equal(POLICY(other_critic, obs), greedy)
    back = pa.with_actor_params(other_critic, pa.actor_params(state))
    assert back.train.params["critic"] is other_critic.train.params["critic"]


def test_act_samples_the_softmax_and_returns_its_log_probabilities():
    state = sharpened(INIT(jax.random.key(0), SHAPE, 3, CFG), 0.1)
    one = jax.random.randint(jax.random.key(1), SHAPE, 0, 256).astype(jnp.uint8)
    n = 20_000
    action, logp = ACT(state, jnp.broadcast_to(one, (n,) + SHAPE), jax.random.key(2))
    action, logp = np.asarray(action), np.asarray(logp)
    per_action = {a: logp[action == a] for a in range(3)}
    # One frame: one log-prob per action (up to float32 rounding: the rows of a batch may be
    # computed in different vector lanes, which some CPUs round differently).
    assert all(np.ptp(v) < 1e-5 for v in per_action.values()), {a: np.ptp(v) for a, v in per_action.items()}
    probs = np.exp([per_action[a][0] for a in range(3)])
    np.testing.assert_allclose(probs.sum(), 1.0, atol=1e-5)
    np.testing.assert_allclose(probs, jax.nn.softmax(logits(state, state.train.params, one)), rtol=1e-5)
    assert probs.min() > 0.05 and probs.max() < 0.9  # the head is sharp enough for the check to bite
    freq = np.bincount(action, minlength=3) / n
    assert np.all(np.abs(freq - probs) < 4 * np.sqrt(probs * (1 - probs) / n))


def test_learns_a_contextual_bandit(bandit):
    """Frames whose brightness says which of two actions pays: both found with high probability."""
    _, state, first, last = bandit
    assert first < 0.6 and last > 0.9
    context = jnp.arange(2)
    np.testing.assert_array_equal(POLICY(state, frames(context)), context)
    probs = jax.nn.softmax(logits(state, state.train.params, frames(context)))
    assert float(probs[0, 0]) > 0.9 and float(probs[1, 1]) > 0.9


def test_learning_rate_anneals_over_total_updates_and_then_keeps_the_last_rate(bandit):
    schedule, steps = pa.learning_rate(CFG), CFG.num_epochs * CFG.num_minibatches
    lr = np.float32(CFG.learning_rate)
    assert schedule(0) == lr == schedule(steps - 1)  # constant within an update
    np.testing.assert_allclose(schedule(10 * steps), lr * (1 - 10 / N_UPDATES), rtol=1e-6)
    last = schedule((N_UPDATES - 1) * steps)
    np.testing.assert_allclose(last, lr / N_UPDATES, rtol=1e-6)  # the last update's rate
    assert schedule(N_UPDATES * steps) == last == schedule(2 * N_UPDATES * steps)  # kept after the run
    assert pa.learning_rate(pa.PPOAtariConfig())(10**6) == np.float32(2.5e-4)  # total_updates 0: no annealing
    _, trained, _, _ = bandit  # total_updates done: one more update (a PURD sample's) still moves
    again, _ = UPDATE(trained, bandit_rollout(trained, jax.random.key(5)), jax.random.key(6))
    assert not all(np.array_equal(a, b) for a, b in zip(jax.tree.leaves(again.train.params),
                                                        jax.tree.leaves(trained.train.params)))


def test_update_is_deterministic_and_its_minibatch_steps_on_gae_from_the_collecting_critic(bandit):
    start = bandit[0]
    rollout, key = random_rollout(start, jax.random.key(3)), jax.random.key(4)
    updated, metrics = UPDATE(start, rollout, key)
    again, _ = UPDATE(start, rollout, key)
    other, _ = UPDATE(start, rollout, jax.random.key(5))
    leaves = jax.tree.leaves(updated.train.params)
    assert all(np.array_equal(a, b) for a, b in zip(leaves, jax.tree.leaves(again.train.params)))
    assert not all(np.array_equal(a, b) for a, b in zip(leaves, jax.tree.leaves(other.train.params)))
    assert set(metrics) == {"policy_loss", "value_loss", "entropy"}
    flat, expected = jax.jit(pa._flat_batch)(start, rollout), start  # GAE once, before the first step (CleanRL)
    n = CFG.num_envs * CFG.unroll_length
    for k in jax.random.split(key, CFG.num_epochs):
        for idx in ppo.shuffle(k, n, CFG.num_minibatches):
            expected, _ = STEP(expected, jax.tree.map(lambda x: x[idx], flat))
    assert params_close(updated.train.params, expected.train.params)


def hand_flat(state, rollout):
    """GAE from the collecting critic and the flat batch, written out in float64 numpy."""
    cfg = state.config
    values = np.asarray(state.apply({"params": state.train.params}, rollout.obs, method="value"), np.float64)
    reward, done = np.asarray(rollout.reward, np.float64), np.maximum(rollout.terminal, rollout.truncated)
    adv, acc = np.zeros_like(values[:-1]), 0.0
    for t in reversed(range(cfg.unroll_length)):
        delta = reward[t] + cfg.gamma * (1 - done[t]) * values[t + 1] - values[t]
        acc = adv[t] = delta + cfg.gamma * cfg.gae_lambda * (1 - done[t]) * acc
    n = cfg.num_envs * cfg.unroll_length
    flat = lambda x: np.asarray(x).reshape((n,) + np.shape(x)[2:])  # noqa: E731
    return {"obs": flat(rollout.obs[:-1]), "action": flat(rollout.action), "logp": flat(rollout.logp),
            "adv": flat(adv), "value": flat(values[:-1]), "ret": flat(adv + values[:-1])}


def hand_gradient(state, params, flat, idx):
    """The gradient of CleanRL's loss (clipped surrogate, clipped value loss, entropy bonus) on
    the minibatch `idx` of the flat batch, advantages normalised within it."""
    cfg, c = state.config, state.config.clip_eps
    obs, action, old_logp = (jnp.asarray(flat[k][idx]) for k in ("obs", "action", "logp"))
    A, old_v, ret = (jnp.asarray(flat[k][idx], jnp.float32) for k in ("adv", "value", "ret"))
    A = (A - A.mean()) / (A.std() + 1e-8)

    def loss(p):
        logits, v = state.apply({"params": p}, obs)
        log_probs = jax.nn.log_softmax(logits)
        ratio = jnp.exp(log_probs[jnp.arange(len(idx)), action] - old_logp)
        pg = jnp.maximum(-A * ratio, -A * jnp.clip(ratio, 1 - c, 1 + c)).mean()
        v_clipped = old_v + jnp.clip(v - old_v, -c, c)
        v_loss = 0.5 * jnp.maximum((v - ret) ** 2, (v_clipped - ret) ** 2).mean()
        entropy = -(jnp.exp(log_probs) * log_probs).sum(-1).mean()
        return pg - cfg.entropy_coef * entropy + cfg.value_coef * v_loss

    return jax.jit(jax.grad(loss))(params)


def with_options(state, **options):
    return state.replace(config=dataclasses.replace(state.config, **options))


def test_post_update_minibatch_restored_is_one_minibatch_step_by_hand(bandit):
    """The alternative update (purd_update minibatch, purd_adam restored, training's clip): GAE,
    the first shuffled minibatch and CleanRL's loss written out, one Adam step from the
    checkpoint's optimizer state (a checkpoint one update in: Adam moments and an annealed rate)."""
    start = bandit[0]
    state, _ = UPDATE(start, random_rollout(start, jax.random.key(3)), jax.random.key(4))
    state = with_options(state, purd_update="minibatch", purd_adam="restored", purd_max_grad_norm=CFG.max_grad_norm)
    rollout, key = random_rollout(state, jax.random.key(6)), jax.random.key(7)
    got = POST(state, rollout, key)

    n = CFG.num_envs * CFG.unroll_length
    idx = np.asarray(jax.random.permutation(key, n))[: n // CFG.num_minibatches]
    params = state.train.params
    grads = hand_gradient(state, params, hand_flat(state, rollout), idx)
    updates, _ = state.train.tx.update(grads, state.train.opt_state, params)  # training's clip and Adam
    expected = optax.apply_updates(params, updates)
    assert set(got) == {"trunk", "actor"}
    assert params_close(got, {k: expected[k] for k in got})
    assert not params_close(got, pa.actor_params(state))


# The authors' iteration: 4 epochs x 4 minibatches, on a small unroll (64 frames, minibatches of 16).
ITERATION_CFG = dataclasses.replace(CFG, num_envs=4, unroll_length=16, num_minibatches=4, num_epochs=4)


def test_post_update_iteration_is_sixteen_fresh_unclipped_adam_steps_of_a_plain_loop():
    """The default update (the authors'): a whole PPO iteration, 4 epochs of 4 shuffled minibatch
    steps on GAE from the checkpoint's critic, by a plain Adam started from zero moments and count
    at the checkpoint's learning rate, with no gradient clipping. The checkpoint is two updates
    into a run (moments and an annealed rate that a restored Adam would use)."""
    state = INIT(jax.random.key(0), SHAPE, 2, ITERATION_CFG)
    for k in jax.random.split(jax.random.key(10), 2):
        state, _ = jax.jit(pa.update)(state, random_rollout(state, k), k)
    assert int(state.train.opt_state[1][0].count) == 32 and float(jnp.abs(state.train.opt_state[1][0].mu["actor"]["kernel"]).max()) > 0
    rollout, key = random_rollout(state, jax.random.key(11)), jax.random.key(12)
    got = jax.jit(pa.post_update)(state, rollout, key)

    flat, n = hand_flat(state, rollout), ITERATION_CFG.num_envs * ITERATION_CFG.unroll_length
    rate = pa.learning_rate(ITERATION_CFG)(32)  # the checkpoint's rate: 1 - 2/40 of the initial one
    np.testing.assert_allclose(rate, ITERATION_CFG.learning_rate * (1 - 2 / N_UPDATES), rtol=1e-6)
    adam = optax.adam(rate, eps=ITERATION_CFG.adam_eps)  # no clip
    params, moments, steps = state.train.params, None, 0
    moments = adam.init(params)
    for k in jax.random.split(key, ITERATION_CFG.num_epochs):
        for idx in np.asarray(ppo.shuffle(k, n, ITERATION_CFG.num_minibatches)):
            updates, moments = adam.update(hand_gradient(state, params, flat, idx), moments, params)
            params, steps = optax.apply_updates(params, updates), steps + 1
    assert steps == 16
    assert params_close(got, {k: params[k] for k in got})
    # Not the restored moments, and not one step.
    restored = jax.jit(pa.post_update)(with_options(state, purd_adam="restored"), rollout, key)
    assert not params_close(restored, got)


def test_fresh_moments_zero_adam_and_keep_the_schedule_count(bandit):
    trained = bandit[1]
    fresh = pa.purd_state(trained).train.opt_state
    adam, schedule = fresh[1]
    assert int(adam.count) == 0 and all(not np.asarray(x).any() for x in jax.tree.leaves((adam.mu, adam.nu)))
    assert int(schedule.count) == int(trained.train.opt_state[1][1].count) == N_UPDATES * 4
    kept = pa.purd_state(with_options(trained, purd_adam="restored")).train.opt_state
    assert all(np.array_equal(a, b) for a, b in zip(jax.tree.leaves(kept), jax.tree.leaves(trained.train.opt_state)))
    with pytest.raises(ValueError, match="purd_adam='warm'"):
        pa.purd_state(with_options(trained, purd_adam="warm"))
