#!/usr/bin/env python3
"""DQN updates per second in PyTorch on the CPU, for bench/fused.bench.ts.

The update the fused engine's benchmark measures, on the same fixed batch every
time (as the fused engine's batch already sits in WASM memory): Q(s, a) of the
online network against y = r + discount * (1 - done) * max_a' Q_target(s', a')
(Double DQN with --double: the target network's value of the online argmax),
MSE or Huber loss, optional global gradient-norm clip, Adam. Networks are
4-H-...-2 MLPs with ReLU, float32. Timing: the best of --windows windows of
--seconds each, as bench/harness.ts's bestRate. Prints one JSON line.
"""
import argparse, json, time
import torch, torch.nn as nn, torch.nn.functional as F


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes): layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def updates_per_second(hidden, a):
    torch.manual_seed(0)
    sizes = [a.obs, *hidden, a.actions]
    q, qt = mlp(sizes), mlp(sizes)
    qt.load_state_dict(q.state_dict())
    opt = torch.optim.Adam(q.parameters(), lr=a.lr)
    g = torch.Generator().manual_seed(1)
    n = a.batch
    s = torch.rand(n, a.obs, generator=g) * 4 - 2
    s2 = torch.rand(n, a.obs, generator=g) * 4 - 2
    act = torch.randint(0, a.actions, (n, 1), generator=g)
    r = torch.rand(n, generator=g) + 0.5
    done = (torch.rand(n, generator=g) < 0.1).float()
    discount = torch.full((n,), 0.99)

    def update():
        qsa = q(s).gather(1, act).squeeze(1)
        with torch.no_grad():
            next_q = qt(s2)
            best = next_q.gather(1, q(s2).argmax(1, keepdim=True)).squeeze(1) if a.double else next_q.max(1).values
            y = r + discount * (1 - done) * best
        loss = F.smooth_l1_loss(qsa, y) if a.loss == 'huber' else F.mse_loss(qsa, y)
        opt.zero_grad()
        loss.backward()
        if a.max_grad_norm > 0: nn.utils.clip_grad_norm_(q.parameters(), a.max_grad_norm)
        opt.step()
        return loss.item()

    for _ in range(20): update()
    best = 0.0
    for _ in range(a.windows):
        count, start = 0, time.perf_counter()
        end = start + a.seconds
        now = start
        while now < end:
            update(); count += 1
            now = time.perf_counter()
        best = max(best, count / (now - start))
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--hidden', action='append', required=True, help='hidden widths, comma-separated; repeat for several networks')
    ap.add_argument('--batch', type=int, default=64); ap.add_argument('--obs', type=int, default=4); ap.add_argument('--actions', type=int, default=2)
    ap.add_argument('--lr', type=float, default=1e-4); ap.add_argument('--loss', choices=['mse', 'huber'], default='mse')
    ap.add_argument('--double', action='store_true'); ap.add_argument('--max-grad-norm', type=float, default=0)
    ap.add_argument('--windows', type=int, default=30); ap.add_argument('--seconds', type=float, default=0.05)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    rows = []
    for h in a.hidden:
        hidden = [int(x) for x in h.split(',')]
        rows.append({'hidden': hidden, 'batch': a.batch, 'updates_per_s': updates_per_second(hidden, a)})
    print(json.dumps({'torch': torch.__version__, 'threads': a.threads, 'loss': a.loss, 'double': a.double, 'max_grad_norm': a.max_grad_norm, 'rows': rows}))


if __name__ == '__main__':
    main()
