"""The image attention network of mlContext...ImageAttention in PyTorch, for weight interchange with Microsoft.ML.Attention
(no ML.NET, no pack code).

The module's state_dict names are the pack's (ImageAttentionTransformer.SaveWeights / FromWeights): input_mean and
input_std (per-channel standardization, buffers), stn.localization.* and stn.fc_loc.* (the optional spatial
transformer), stages.{i}.convs.{j}.conv / .bn (3x3 convolution, batch norm, ReLU), stages.{i}.attention.* (timm's
SEModule, EcaModule or CbamModule names), embedding.* (linear + ReLU) and classifier.*. Each stage ends in 2x2 max
pooling; the last stage is averaged (GlobalAverage) or flattened (Flatten).

  /usr/bin/python3 build/pytorch/image_attention.py export-torch DIR
      trains a CBAM network with a spatial transformer in PyTorch on a toy 3-class task and writes DIR/torch-image.safetensors
      and DIR/torch-image-cases.json (the architecture, label values, pixels, and PyTorch's probabilities, embeddings and
      attention maps).
  /usr/bin/python3 build/pytorch/image_attention.py check-pack DIR
      loads DIR/pack-image.safetensors (the pack's SaveWeights) with load_state_dict(strict=True), scores
      DIR/pack-image-cases.json's pixels and prints the largest difference from the pack's outputs; exits 1 above 1e-4.
"""
import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_io import load_safetensors, save_safetensors


def make_divisible(v, divisor, round_limit=0.0):
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < round_limit * v else new_v


class ConvNorm(nn.Module):
    def __init__(self, cin, cout, k=3, relu=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.relu = relu

    def forward(self, x):
        x = self.bn(self.conv(x))
        return F.relu(x) if self.relu else x


class SE(nn.Module):
    def __init__(self, c):
        super().__init__()
        rd = make_divisible(c / 16, 8)
        self.fc1 = nn.Conv2d(c, rd, 1)
        self.fc2 = nn.Conv2d(rd, c, 1)

    def forward(self, x):
        return x * torch.sigmoid(self.fc2(F.relu(self.fc1(x.mean((2, 3), keepdim=True))))), None


class ECA(nn.Module):
    def __init__(self, c):
        super().__init__()
        t = int(abs(math.log(c, 2) + 1) / 2)
        k = max(t if t % 2 else t + 1, 3)
        self.conv = nn.Conv1d(1, 1, k, padding=(k - 1) // 2, bias=False)

    def forward(self, x):
        y = torch.sigmoid(self.conv(x.mean((2, 3)).view(x.shape[0], 1, -1))).view(x.shape[0], -1, 1, 1)
        return x * y, None


class ChannelAttn(nn.Module):
    def __init__(self, c):
        super().__init__()
        rd = make_divisible(c / 16, 1)
        self.fc1 = nn.Conv2d(c, rd, 1, bias=False)
        self.fc2 = nn.Conv2d(rd, c, 1, bias=False)

    def forward(self, x):
        mlp = lambda v: self.fc2(F.relu(self.fc1(v)))
        return x * torch.sigmoid(mlp(x.mean((2, 3), keepdim=True)) + mlp(x.amax((2, 3), keepdim=True)))


class SpatialAttn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = ConvNorm(2, 1, 7, relu=False)

    def forward(self, x):
        gate = torch.sigmoid(self.conv(torch.cat([x.mean(1, keepdim=True), x.amax(1, keepdim=True)], 1)))
        return x * gate, gate


class CBAM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.channel = ChannelAttn(c)
        self.spatial = SpatialAttn()

    def forward(self, x):
        return self.spatial(self.channel(x))


class Stage(nn.Module):
    def __init__(self, cin, cout, convs, kind):
        super().__init__()
        self.convs = nn.ModuleList([ConvNorm(cin if i == 0 else cout, cout) for i in range(convs)])
        if kind != "none":
            self.attention = {"se": SE, "eca": ECA, "cbam": CBAM}[kind](cout)
        self.kind = kind

    def forward(self, x):
        for conv in self.convs:
            x = conv(x)
        gate = None
        if self.kind != "none":
            x, gate = self.attention(x)
        if gate is None:  # the other blocks' map: the channel mean scaled to [0, 1] per image
            mean = x.mean(1, keepdim=True)
            peak = mean.amax((2, 3), keepdim=True)
            gate = torch.where(peak > 0, mean / torch.where(peak > 0, peak, torch.ones_like(peak)), mean)
        pooled = F.max_pool2d(x, 2) if x.shape[2] >= 2 and x.shape[3] >= 2 else x
        return pooled, gate


class Localization(nn.Sequential):
    def __init__(self, c):
        super().__init__(ConvNorm(c, 8), nn.MaxPool2d(2), ConvNorm(8, 16), nn.AdaptiveAvgPool2d((4, 4)), nn.Flatten(), nn.Linear(256, 32), nn.ReLU())


class STN(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.localization = Localization(c)
        self.fc_loc = nn.Linear(32, 6)
        nn.init.zeros_(self.fc_loc.weight)
        self.fc_loc.bias.data.copy_(torch.tensor([1.0, 0, 0, 0, 1, 0]))

    def forward(self, x):
        theta = self.fc_loc(self.localization(x)).view(-1, 2, 3)
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


class ImageAttention(nn.Module):
    def __init__(self, a):
        super().__init__()
        c, h, w = a["channels"], a["height"], a["width"]
        self.register_buffer("input_mean", torch.zeros(c))
        self.register_buffer("input_std", torch.ones(c))
        self.stn = STN(c) if a["spatial_transformer"] else None
        widths = a["stage_channels"]
        self.stages = nn.ModuleList([Stage(c if i == 0 else widths[i - 1], widths[i], a["convolutions_per_stage"], a["attention"]) for i in range(len(widths))])
        for _ in widths:
            h, w = h // 2, w // 2
        self.flatten = a["pooling"] == "flatten"
        self.embedding = nn.Linear(widths[-1] * h * w if self.flatten else widths[-1], a["embedding_dimension"])
        self.classifier = nn.Linear(a["embedding_dimension"], a["classes"])

    def forward(self, pixels):
        x = (pixels - self.input_mean.view(1, -1, 1, 1)) / self.input_std.view(1, -1, 1, 1)
        if self.stn is not None:
            x = self.stn(x)
        for stage in self.stages:
            x, gate = stage(x)
        pooled = x.flatten(1) if self.flatten else x.mean((2, 3))
        embedding = F.relu(self.embedding(pooled))
        return self.classifier(embedding), embedding, gate.flatten(1)


def metadata_of(a):
    m = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in a.items() if k != "stage_channels"}
    m["stage_channels"] = ",".join(str(v) for v in a["stage_channels"])
    return {"format": "pt", "architecture": "microsoft-ml-attention/image-attention/1", **m}


def architecture_of(m):
    a = {k: int(v) for k, v in m.items() if k in ("channels", "height", "width", "convolutions_per_stage", "embedding_dimension", "classes")}
    a.update(attention=m["attention"], pooling=m["pooling"], spatial_transformer=m["spatial_transformer"] == "true",
             stage_channels=[int(v) for v in m["stage_channels"].split(",")])
    return a


def outputs_for(model, pixels, a):
    model.eval()
    with torch.no_grad():
        logits, embedding, gate = model(torch.tensor(pixels, dtype=torch.float32).view(-1, a["channels"], a["height"], a["width"]))
    return torch.softmax(logits, -1).tolist(), embedding.tolist(), gate.tolist()


def toy_images(generator, n, c, h, w):
    """Uniform noise with one brighter channel (the class) and a bright square at a random place."""
    labels = torch.arange(n) % 3
    x = torch.rand(n, c, h, w, generator=generator) * 255 * 0.3
    for i in range(n):
        x[i, labels[i]] /= 0.3
        r, s = torch.randint(0, h - 4, (2,), generator=generator).tolist()
        x[i, :, r:r + 4, s:s + 4] = 255
    return x.floor(), labels  # whole pixel values, as ExtractPixels gives them


def export_torch(folder):
    torch.manual_seed(7)
    a = {"channels": 3, "height": 12, "width": 12, "attention": "cbam", "spatial_transformer": True, "stage_channels": [8, 16],
         "convolutions_per_stage": 1, "pooling": "average", "embedding_dimension": 16, "classes": 3}
    model = ImageAttention(a)
    x, labels = toy_images(torch.Generator().manual_seed(3), 300, 3, 12, 12)
    model.input_mean.copy_(x.mean((0, 2, 3)))
    model.input_std.copy_(x.std((0, 2, 3)))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for epoch in range(3):
        for start in range(0, len(x), 32):
            loss = F.cross_entropy(model(x[start:start + 32])[0], labels[start:start + 32])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    pixels = x[:20].flatten(1).int().tolist()
    probabilities, embedding, maps = outputs_for(model, pixels, a)
    save_safetensors(f"{folder}/torch-image.safetensors", model.state_dict(), metadata_of(a))
    with open(f"{folder}/torch-image-cases.json", "w") as f:
        json.dump({"architecture": metadata_of(a), "label_values": ["red", "green", "blue"], "pixels": pixels,
                   "probabilities": probabilities, "embedding": embedding, "maps": maps}, f)
    print(f"torch-image: trained 3 epochs (last loss {float(loss):.4f}), {len(pixels)} images written to {folder}")


def check_pack(folder):
    state, metadata = load_safetensors(f"{folder}/pack-image.safetensors")
    with open(f"{folder}/pack-image-cases.json") as f:
        cases = json.load(f)
    a = architecture_of(metadata)
    model = ImageAttention(a)
    model.load_state_dict(state, strict=True)
    got = outputs_for(model, cases["pixels"], a)
    want = (cases["probabilities"], cases["embedding"], cases["maps"])
    worst = max(abs(x - y) for g, w in zip(got, want) for gr, wr in zip(g, w) for x, y in zip(gr, wr))
    print(f"pack-image ({a['attention']}, spatial transformer {a['spatial_transformer']}): load_state_dict(strict=True) accepted {len(state)} tensors; "
          f"{len(cases['pixels'])} images, largest difference from the pack {worst:.2e}")
    sys.exit(0 if worst <= 1e-4 else 1)


if __name__ == "__main__":
    {"export-torch": export_torch, "check-pack": check_pack}[sys.argv[1]](sys.argv[2])
