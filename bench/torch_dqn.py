#!/usr/bin/env python3
"""PyTorch CPU DQN on CartPole-v1, run by bench/agent.bench.ts and bench/preset.bench.ts beside deepq.

--config seed: the seeds' DQN: MLP 4-128-128-2, Adam 1e-3, MSE, gamma 0.99, batch 64,
  buffer 10000 (list + random.sample), hard target copy every 100 steps,
  eps = 0.01 + 0.99*exp(-t/500), one update per step from 64 transitions.
--config zoo: RL-Zoo CartPole-v1 DQN: [256,256], lr 2.3e-3, batch 64, buffer 100k, learning
  starts 1000, target copy every 10 steps, train every 256 steps x 128 gradient steps,
  linear eps 1 -> 0.04 over 16%, Huber, grad-norm clip 10; greedy eval of 10 episodes every
  --eval-every steps.
CartPole-v1 is a plain-Python port of Gymnasium's equations (no wrappers, so slightly
cheaper than gymnasium.make). Prints one JSON line.
"""
import argparse, json, math, random, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F

class CartPole:
    def __init__(self, rng): self.rng, self.s, self.t = rng, None, 0
    def reset(self):
        self.s = [self.rng.uniform(-0.05, 0.05) for _ in range(4)]; self.t = 0
        return np.array(self.s, dtype=np.float32)
    def step(self, a):
        x, xd, th, thd = self.s
        f = 10.0 if a == 1 else -10.0
        c, s = math.cos(th), math.sin(th)
        temp = (f + 0.05 * thd * thd * s) / 1.1
        tacc = (9.8 * s - c * temp) / (0.5 * (4.0 / 3.0 - 0.1 * c * c / 1.1))
        xacc = temp - 0.05 * tacc * c / 1.1
        x, xd, th, thd = x + 0.02 * xd, xd + 0.02 * xacc, th + 0.02 * thd, thd + 0.02 * tacc
        self.s = [x, xd, th, thd]; self.t += 1
        term = x < -2.4 or x > 2.4 or th < -0.20943951023931953 or th > 0.20943951023931953
        return np.array(self.s, dtype=np.float32), 1.0, term, (not term) and self.t >= 500

def mlp(h):
    layers, last = [], 4
    for n in h: layers += [nn.Linear(last, n), nn.ReLU()]; last = n
    return nn.Sequential(*layers, nn.Linear(last, 2))

def greedy_eval(q, rng, n=10):
    env, rets = CartPole(rng), []
    for _ in range(n):
        o, done, R = env.reset(), False, 0.0
        while not done:
            with torch.no_grad(): a = int(q(torch.as_tensor(o).unsqueeze(0)).argmax(1).item())
            o, r, te, tr = env.step(a); R += r; done = te or tr
        rets.append(R)
    return float(np.mean(rets))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--config', default='seed'); ap.add_argument('--steps', type=int, default=3000)
    ap.add_argument('--seed', type=int, default=0); ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--eval-every', type=int, default=2500)
    a = ap.parse_args()
    torch.set_num_threads(a.threads); random.seed(a.seed); np.random.seed(a.seed); torch.manual_seed(a.seed)
    zoo = a.config == 'zoo'
    hid, lr, bs, cap = ([256, 256], 2.3e-3, 64, 100000) if zoo else ([128, 128], 1e-3, 64, 10000)
    q, qt = mlp(hid), mlp(hid); qt.load_state_dict(q.state_dict())
    opt = torch.optim.Adam(q.parameters(), lr=lr)
    rng = random.Random(a.seed); env = CartPole(rng); buf, pos = [], 0
    o = env.reset(); updates = 0; first_solved = None; evals = []
    t0 = time.perf_counter()
    def update():
        b = random.sample(buf, bs); s, ac, r, s2, d = zip(*b)
        s = torch.as_tensor(np.array(s)); s2 = torch.as_tensor(np.array(s2))
        ac = torch.as_tensor(ac, dtype=torch.int64).unsqueeze(1); r = torch.as_tensor(r, dtype=torch.float32); d = torch.as_tensor(d, dtype=torch.float32)
        qsa = q(s).gather(1, ac).squeeze(1)
        with torch.no_grad(): y = r + 0.99 * (1 - d) * qt(s2).max(1).values
        loss = F.smooth_l1_loss(qsa, y) if zoo else F.mse_loss(qsa, y)
        opt.zero_grad(); loss.backward()
        if zoo: nn.utils.clip_grad_norm_(q.parameters(), 10)
        opt.step()
    for t in range(1, a.steps + 1):
        eps = (max(0.04, 1 - (1 - 0.04) * (t - 1) / (0.16 * a.steps))) if zoo else 0.01 + 0.99 * math.exp(-(t - 1) / 500)
        if rng.random() < eps: act = rng.randrange(2)
        else:
            with torch.no_grad(): act = int(q(torch.as_tensor(o).unsqueeze(0)).argmax(1).item())
        o2, r, te, tr = env.step(act)
        item = (o, act, r, o2, float(te))
        if len(buf) < cap: buf.append(item)
        else: buf[pos] = item
        pos = (pos + 1) % cap
        o = env.reset() if (te or tr) else o2
        if zoo:
            if t > 1000 and t % 256 == 0:
                for _ in range(128): update(); updates += 1
            if t % 10 == 0: qt.load_state_dict(q.state_dict())
            if t % a.eval_every == 0:
                m = greedy_eval(q, random.Random(10_000 + t)); evals.append([t, m])
                if m >= 475 and first_solved is None: first_solved = time.perf_counter() - t0
        else:
            if len(buf) >= bs: update(); updates += 1
            if t % 100 == 0: qt.load_state_dict(q.state_dict())
    wall = time.perf_counter() - t0
    print(json.dumps({'config': a.config, 'steps': a.steps, 'updates': updates, 'wall_s': wall, 'steps_per_s': a.steps / wall,
                      'updates_per_s': updates / wall, 'first_solved_s': first_solved, 'evals': evals,
                      'final_eval': evals[-1][1] if evals else None, 'torch': torch.__version__, 'threads': a.threads}))

if __name__ == '__main__':
    main()
