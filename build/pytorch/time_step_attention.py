"""The time-step attention model of mlContext...TimeStepAttention in PyTorch, for weight interchange with
Microsoft.ML.Attention (no ML.NET, no pack code).

The module's state_dict names are the pack's (TimeStepAttentionTransformer.SaveWeights / FromWeights): recurrent.*
(nn.LSTM or nn.GRU, batch_first, one direction or both), attention.proj.*, attention.context (attention pooling over
the steps with a learned context vector), attention.position_bias (the learned score per step, with the pack's
StepBias option), head.* (class logits, or one value for regression).

  /usr/bin/python3 build/pytorch/time_step_attention.py export-torch DIR
      trains a bidirectional LSTM classifier in PyTorch on a toy task (which third of the sequence holds its largest
      value) and writes DIR/torch-time-steps.safetensors and DIR/torch-time-steps-cases.json (the architecture, the rows,
      PyTorch's probabilities and step weights).
  /usr/bin/python3 build/pytorch/time_step_attention.py check-pack DIR
      loads DIR/pack-time-steps.safetensors (the pack's SaveWeights) with load_state_dict(strict=True), scores
      DIR/pack-time-steps-cases.json's rows and prints the largest difference from the pack's outputs; exits 1 above 1e-4.
"""
import json
import sys

import torch
import torch.nn as nn

from safetensors_io import load_safetensors, save_safetensors


class Pool(nn.Module):
    def __init__(self, d, a, positions=0):
        super().__init__()
        self.proj = nn.Linear(d, a)
        self.context = nn.Parameter(torch.empty(a).uniform_(-a ** -0.5, a ** -0.5))
        self.position_bias = nn.Parameter(torch.zeros(positions)) if positions > 0 else None

    def forward(self, h):
        scores = torch.tanh(self.proj(h)) @ self.context
        if self.position_bias is not None:
            scores = scores + self.position_bias
        weights = torch.softmax(scores, -1)
        return (weights.unsqueeze(1) @ h).squeeze(1), weights


class TimeStepAttention(nn.Module):
    def __init__(self, step_size, hidden, attention, outputs, cell="lstm", bidirectional=False, step_bias_steps=0):
        super().__init__()
        rnn = nn.GRU if cell == "gru" else nn.LSTM
        d = (2 if bidirectional else 1) * hidden
        self.step_size = step_size
        self.recurrent = rnn(step_size, hidden, batch_first=True, bidirectional=bidirectional)
        self.attention = Pool(d, attention, step_bias_steps)
        self.head = nn.Linear(d, outputs)

    def forward(self, rows):  # [N, steps * step_size]
        states, _ = self.recurrent(rows.view(rows.shape[0], -1, self.step_size))
        pooled, weights = self.attention(states)
        return self.head(pooled), weights


def outputs_for(model, rows):
    model.eval()
    with torch.no_grad():
        out, weights = model(torch.tensor(rows, dtype=torch.float32))
    scores = out if out.shape[1] == 1 else torch.softmax(out, -1)
    return scores.tolist(), weights.tolist()


def export_torch(folder):
    torch.manual_seed(7)
    steps, size, hidden, attention = 12, 2, 8, 6
    model = TimeStepAttention(size, hidden, attention, 3, "lstm", bidirectional=True, step_bias_steps=steps)
    x = torch.rand(600, steps * size, generator=torch.Generator().manual_seed(3))
    labels = x.view(600, steps, size)[:, :, 0].argmax(1) // (steps // 3)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for epoch in range(10):
        for start in range(0, len(x), 32):
            loss = nn.functional.cross_entropy(model(x[start:start + 32])[0], labels[start:start + 32])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    rows = (x[:24] * 1000).round().div(1000).tolist()
    scores, weights = outputs_for(model, rows)
    metadata = {"format": "pt", "architecture": "microsoft-ml-attention/time-step-attention/1", "cell": "lstm", "bidirectional": "true",
                "step_size": str(size), "steps": str(steps), "hidden_size": str(hidden), "attention_dimension": str(attention), "outputs": "3",
                "step_bias": "true"}
    save_safetensors(f"{folder}/torch-time-steps.safetensors", model.state_dict(), metadata)
    right = sum(int(torch.tensor(s).argmax()) == int(l) for s, l in zip(scores, labels[:24]))
    with open(f"{folder}/torch-time-steps-cases.json", "w") as f:
        json.dump({"label_values": ["first", "second", "third"], "rows": rows, "scores": scores, "weights": weights}, f)
    print(f"torch-time-steps: trained 10 epochs (last loss {float(loss):.4f}), {len(rows)} rows ({right} right) written to {folder}")


def check_pack(folder):
    state, metadata = load_safetensors(f"{folder}/pack-time-steps.safetensors")
    with open(f"{folder}/pack-time-steps-cases.json") as f:
        cases = json.load(f)
    model = TimeStepAttention(int(metadata["step_size"]), int(metadata["hidden_size"]), int(metadata["attention_dimension"]), int(metadata["outputs"]),
                              metadata["cell"], metadata["bidirectional"] == "true",
                              int(metadata["steps"]) if metadata.get("step_bias") == "true" else 0)
    model.load_state_dict(state, strict=True)
    got = outputs_for(model, cases["rows"])
    worst = max(abs(a - b) for g, w in zip(got, (cases["scores"], cases["weights"])) for gr, wr in zip(g, w) for a, b in zip(gr, wr))
    print(f"pack-time-steps ({metadata['cell']}, bidirectional {metadata['bidirectional']}): load_state_dict(strict=True) accepted {len(state)} tensors; "
          f"{len(cases['rows'])} rows, largest difference from the pack {worst:.2e}")
    sys.exit(0 if worst <= 1e-4 else 1)


if __name__ == "__main__":
    {"export-torch": export_torch, "check-pack": check_pack}[sys.argv[1]](sys.argv[2])
