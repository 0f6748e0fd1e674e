"""The recurrent visual attention model (Mnih et al., 2014) of mlContext...RecurrentAttention in PyTorch, for weight
interchange with Microsoft.ML.Attention (no ML.NET, no pack code). Scoring only: at evaluation the glimpse locations are
the location policy's means, so the model is deterministic.

The module's state_dict names are the pack's (RecurrentAttentionTransformer.SaveWeights / FromWeights): glimpse_what.*,
glimpse_where.*, glimpse_what_out.*, glimpse_where_out.* (the glimpse network), core_input.*, core_hidden.* (the
recurrent core, ReLU), location.* (tanh of it is the next glimpse's centre), baseline.*, classifier.*, and the buffers
input_mean, input_std. The glimpse sensor: Scales square patches centred on the location ((x, y) in [-1, 1]), of sides
PatchSize, PatchSize*ScaleFactor, ..., each average-pooled to PatchSize, zero outside the image.

  /usr/bin/python3 build/pytorch/recurrent_attention.py export-torch DIR
      trains the module's classifier path in PyTorch on a toy task (which quadrant holds the bright square) and writes
      DIR/torch-glimpses.safetensors and DIR/torch-glimpses-cases.json (the architecture, pixels, probabilities, locations).
  /usr/bin/python3 build/pytorch/recurrent_attention.py check-pack DIR
      loads DIR/pack-glimpses.safetensors (the pack's SaveWeights) with load_state_dict(strict=True), scores
      DIR/pack-glimpses-cases.json's pixels and prints the largest difference from the pack's outputs; exits 1 above 1e-4.
"""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_io import load_safetensors, save_safetensors


def retina(x, l, g, k, s):
    """The multi-resolution glimpse [B, k*C, g, g] of images x [B, C, H, W] at locations l [B, 2]."""
    B, C, H, W = x.shape
    l = l.clamp(-1.0, 1.0)
    phi, size = [], g
    for _ in range(k):
        sx = (0.5 * ((l[:, 0] + 1.0) * W)).long()
        sy = (0.5 * ((l[:, 1] + 1.0) * H)).long()
        half = size // 2
        padded = F.pad(x, (half, size, half, size))
        patch = torch.stack([padded[i, :, sy[i]:sy[i] + size, sx[i]:sx[i] + size] for i in range(B)])
        phi.append(F.avg_pool2d(patch, size // g) if size != g else patch)
        size = s * size
    return torch.cat(phi, 1)


class RecurrentAttention(nn.Module):
    def __init__(self, a):
        super().__init__()
        c, g, k, hg, h = a["channels"], a["patch_size"], a["scales"], a["glimpse_hidden"], a["hidden_size"]
        self.a = a
        self.glimpse_what = nn.Linear(k * c * g * g, hg)
        self.glimpse_where = nn.Linear(2, hg)
        self.glimpse_what_out = nn.Linear(hg, h)
        self.glimpse_where_out = nn.Linear(hg, h)
        self.core_input = nn.Linear(h, h)
        self.core_hidden = nn.Linear(h, h)
        self.location = nn.Linear(h, 2)
        self.baseline = nn.Linear(h, 1)
        self.classifier = nn.Linear(h, a["classes"])
        self.register_buffer("input_mean", torch.zeros(c))
        self.register_buffer("input_std", torch.ones(c))

    def forward(self, pixels):
        a = self.a
        x = pixels.view(-1, a["channels"], a["height"], a["width"])
        x = (x - self.input_mean.view(1, -1, 1, 1)) / self.input_std.view(1, -1, 1, 1)
        n = x.shape[0]
        location, state, locations = torch.zeros(n, 2), torch.zeros(n, a["hidden_size"]), []
        for t in range(a["glimpses"]):
            locations.append(location)
            glimpse = retina(x, location, a["patch_size"], a["scales"], a["scale_factor"]).flatten(1)
            what = self.glimpse_what_out(F.relu(self.glimpse_what(glimpse)))
            where = self.glimpse_where_out(F.relu(self.glimpse_where(location)))
            state = F.relu(self.core_input(F.relu(what + where)) + self.core_hidden(state))
            if t < a["glimpses"] - 1:
                location = torch.tanh(self.location(state))
        return self.classifier(state), torch.stack(locations, 1).flatten(1)


def metadata_of(a):
    return {"format": "pt", "architecture": "microsoft-ml-attention/recurrent-attention/1", **{k: str(v) for k, v in a.items()}}


def outputs_for(model, pixels):
    model.eval()
    with torch.no_grad():
        logits, locations = model(torch.tensor(pixels, dtype=torch.float32))
    return torch.softmax(logits, -1).tolist(), locations.tolist()


def export_torch(folder):
    torch.manual_seed(7)
    a = {"channels": 1, "height": 16, "width": 16, "glimpses": 4, "patch_size": 4, "scales": 2, "scale_factor": 2, "glimpse_hidden": 16,
         "hidden_size": 24, "classes": 4}
    model = RecurrentAttention(a)
    generator = torch.Generator().manual_seed(3)
    labels = torch.randint(0, 4, (400,), generator=generator)
    x = torch.rand(400, 1, 16, 16, generator=generator).mul(60).floor()
    for i in range(400):
        r, c = 8 * (int(labels[i]) // 2) + 2, 8 * (int(labels[i]) % 2) + 2
        x[i, 0, r:r + 4, c:c + 4] = 255
    model.input_mean.copy_(x.mean((0, 2, 3)))
    model.input_std.copy_(x.std((0, 2, 3)))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for epoch in range(6):
        for start in range(0, 400, 32):
            # The classifier path only (the locations are the policy's means here): enough for weights that differ by image.
            loss = F.cross_entropy(model(x[start:start + 32].flatten(1))[0], labels[start:start + 32])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    pixels = x[:16].flatten(1).int().tolist()
    probabilities, locations = outputs_for(model, pixels)
    save_safetensors(f"{folder}/torch-glimpses.safetensors", model.state_dict(), metadata_of(a))
    with open(f"{folder}/torch-glimpses-cases.json", "w") as f:
        json.dump({"architecture": metadata_of(a), "label_values": ["top-left", "top-right", "bottom-left", "bottom-right"], "pixels": pixels,
                   "probabilities": probabilities, "locations": locations}, f)
    print(f"torch-glimpses: trained 6 epochs (last loss {float(loss):.4f}), {len(pixels)} images written to {folder}")


def check_pack(folder):
    state, metadata = load_safetensors(f"{folder}/pack-glimpses.safetensors")
    with open(f"{folder}/pack-glimpses-cases.json") as f:
        cases = json.load(f)
    a = {k: int(v) for k, v in metadata.items() if k not in ("format", "architecture")}
    model = RecurrentAttention(a)
    model.load_state_dict(state, strict=True)
    got = outputs_for(model, cases["pixels"])
    worst = max(abs(x - y) for g, w in zip(got, (cases["probabilities"], cases["locations"])) for gr, wr in zip(g, w) for x, y in zip(gr, wr))
    print(f"pack-glimpses: load_state_dict(strict=True) accepted {len(state)} tensors; {len(cases['pixels'])} images, largest difference from the pack {worst:.2e}")
    sys.exit(0 if worst <= 1e-4 else 1)


if __name__ == "__main__":
    {"export-torch": export_torch, "check-pack": check_pack}[sys.argv[1]](sys.argv[2])
