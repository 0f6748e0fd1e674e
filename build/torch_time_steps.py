"""PyTorch side of build/eval.sh time-steps: the seeds' time-step task with the model TimeStepAttention trains there.

    python3 build/torch_time_steps.py SEEDS EPOCHS [LEARNING_RATE] [--no-step-bias]

Same task (30,000 sequences of 20 standard-normal steps, the 0/1 label written into step 10; 2,000 held out), same
model (LSTM 32 over one value per step, softmax(u . tanh(W h_t + b) + p_t) attention pooling with a learned context
vector u and a learned score p_t per step (the pack's StepBias; pass --no-step-bias for the pooling without it), a
linear head), same training (AdamW, 5 % linear warm-up then cosine, clipping at 5, batch 32, 10 % held out for
choosing the best epoch), once per seed. Prints each seed's held-out accuracy and mean attention weight at step 10,
then RESULT lines.
"""
import math
import sys
import time

import torch

torch.set_num_threads(2)
STEPS, DECIDING = 20, 10


def seed_task(count, generator):
    x = torch.randn(count, STEPS, generator=generator)
    y = torch.randint(0, 2, (count,), generator=generator)
    x[:, DECIDING] = y.float()
    return x, y


class Model(torch.nn.Module):
    def __init__(self, step_bias, hidden=32, attention=32):
        super().__init__()
        self.recurrent = torch.nn.LSTM(1, hidden, batch_first=True)
        self.proj = torch.nn.Linear(hidden, attention)
        self.context = torch.nn.Parameter(torch.empty(attention).uniform_(-attention ** -0.5, attention ** -0.5))
        self.position_bias = torch.nn.Parameter(torch.zeros(STEPS)) if step_bias else None
        self.head = torch.nn.Linear(hidden, 2)

    def forward(self, x):
        h, _ = self.recurrent(x.unsqueeze(-1))
        scores = torch.tanh(self.proj(h)) @ self.context
        if self.position_bias is not None:
            scores = scores + self.position_bias
        weights = torch.softmax(scores, -1)
        return self.head((weights.unsqueeze(1) @ h).squeeze(1)), weights


def run(seed, epochs, learning_rate, step_bias, train, test):
    torch.manual_seed(seed)
    model = Model(step_bias)
    x, y = train
    order = torch.randperm(len(x))
    held = order[: len(x) // 10]
    fit = order[len(x) // 10:]
    batches = math.ceil(len(fit) / 32)
    total = epochs * batches
    warmup = max(1, int(0.05 * total))
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / max(1, total - warmup))))
    best, best_state = float("inf"), None
    for _ in range(epochs):
        model.train()
        for b in fit[torch.randperm(len(fit))].split(32):
            loss = torch.nn.functional.cross_entropy(model(x[b])[0], y[b])
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            schedule.step()
        model.eval()
        with torch.no_grad():
            validation = torch.nn.functional.cross_entropy(model(x[held])[0], y[held]).item()
        if validation < best:
            best, best_state = validation, {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    with torch.no_grad():
        scores, weights = model(test[0])
    accuracy = (scores.argmax(-1) == test[1]).float().mean().item()
    mean = weights.mean(0)
    others = torch.cat([mean[:DECIDING], mean[DECIDING + 1:]])
    return accuracy, mean[DECIDING].item(), others.max().item()


def main():
    step_bias = "--no-step-bias" not in sys.argv
    args = [a for a in sys.argv[1:] if a != "--no-step-bias"]
    seeds, epochs = int(args[0]), int(args[1])
    learning_rate = float(args[2]) if len(args) > 2 else 1e-2
    generator = torch.Generator().manual_seed(2026)
    train, test = seed_task(30_000, generator), seed_task(2_000, generator)
    print(f"PyTorch: the same model and training, {epochs} epochs, learning rate {learning_rate}, step scores {'on' if step_bias else 'off'}, seeds 1..{seeds}")
    accuracies, deciding = [], []
    for seed in range(1, seeds + 1):
        start = time.time()
        accuracy, at_step, elsewhere = run(seed, epochs, learning_rate, step_bias, train, test)
        print(f"  seed {seed}: accuracy {accuracy:.4f}, weight at step {DECIDING} {at_step:.3f}, largest elsewhere {elsewhere:.3f}, {time.time() - start:.1f} s")
        accuracies.append(accuracy)
        deciding.append(at_step)
    print(f"RESULT time_steps.pytorch.accuracy_min {min(accuracies):.4f} fraction")
    print(f"RESULT time_steps.pytorch.deciding_weight_min {min(deciding):.3f} weight")
    print(f"RESULT time_steps.pytorch.deciding_weight_mean {sum(deciding) / len(deciding):.3f} weight")


if __name__ == "__main__":
    main()
