"""PyTorch side of bench/conv.bench.ts: DQN updates per second of MinAtar's
network (examples/dqn.py's QNetwork: conv 16 3x3 on 10x10x4, FC 128, 3
actions) at batch 32, on the CPU with one thread: online forward on
observations, target forward on next observations (no_grad), max target,
Huber loss, backward, Adam. Prints one JSON line. Observations are NCHW
tensors, as MinAtar's dqn.py builds them."""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class QNetwork(nn.Module):
    def __init__(self, in_channels=4, num_actions=3):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 16, kernel_size=3, stride=1)
        self.fc_hidden = nn.Linear(8 * 8 * 16, 128)
        self.output = nn.Linear(128, num_actions)

    def forward(self, x):
        x = F.relu(self.conv(x))
        x = F.relu(self.fc_hidden(x.view(x.size(0), -1)))
        return self.output(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seconds", type=float, default=3.0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net, target = QNetwork(), QNetwork()
    target.load_state_dict(net.state_dict())
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)
    g = torch.Generator().manual_seed(1)
    b = a.batch
    obs = (torch.rand(b, 4, 10, 10, generator=g) < 0.1).float()
    nxt = (torch.rand(b, 4, 10, 10, generator=g) < 0.1).float()
    actions = torch.randint(0, 3, (b, 1), generator=g)
    rewards = torch.rand(b, generator=g)
    dones = (torch.rand(b, generator=g) < 0.1).float()

    def update():
        with torch.no_grad():
            q_next = target(nxt).max(1)[0]
            y = rewards + 0.99 * (1 - dones) * q_next
        q = net(obs).gather(1, actions).squeeze(1)
        loss = F.smooth_l1_loss(q, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(50):
        update()
    # Best of short windows, as bench/harness.ts measures deepq's rows on a shared machine.
    best = 0.0
    end = time.perf_counter() + a.seconds
    while time.perf_counter() < end:
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < 0.1:
            update()
            n += 1
        best = max(best, n / (time.perf_counter() - t0))
    print(json.dumps({"updates_per_s": best, "threads": a.threads, "batch": b, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
