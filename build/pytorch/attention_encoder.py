"""AttentionEncode's network in PyTorch, for weight interchange with Microsoft.ML.Attention (no ML.NET, no pack code).

The module's state_dict names are the pack's (AttentionEncodeTransformer.SaveWeights / FromWeights):
embedding.weight, positions.weight, encoder.layers.{i}.* (nn.TransformerEncoderLayer, norm_first=True, GELU,
batch_first=True), encoder.norm.*, pool.proj.*, pool.context, head.*.

  /usr/bin/python3 build/pytorch/attention_encoder.py export-torch DIR
      trains the module in PyTorch on a toy task and writes DIR/torch-encoder.safetensors and DIR/torch-encoder-cases.json
      (vocabulary, texts, and PyTorch's embeddings and pooling weights for them): the pack's test loads them.
  /usr/bin/python3 build/pytorch/attention_encoder.py check-pack DIR
      loads DIR/pack-encoder.safetensors (written by the pack's SaveWeights) with load_state_dict(strict=True), scores
      DIR/pack-encoder-cases.json's texts and prints the largest difference from the pack's outputs; exits 1 above 1e-4.
"""
import json
import sys

import torch
import torch.nn as nn

from safetensors_io import load_safetensors, save_safetensors


class Positions(nn.Module):
    def __init__(self, length, d):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(length, d) * 0.02)


class Pool(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.proj = nn.Linear(d, d)
        self.context = nn.Parameter(torch.empty(d).uniform_(-d ** -0.5, d ** -0.5))

    def forward(self, h, pad):
        scores = torch.tanh(self.proj(h)) @ self.context
        weights = torch.softmax(scores.masked_fill(pad, float("-inf")), dim=-1)
        return (weights.unsqueeze(1) @ h).squeeze(1), weights


class AttentionEncoder(nn.Module):
    def __init__(self, vocabulary, d, heads, layers, ff, length, outputs):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, d, padding_idx=0)
        self.positions = Positions(length, d)
        layer = nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(d), enable_nested_tensor=False)
        self.pool = Pool(d)
        self.head = nn.Linear(d, outputs)

    def forward(self, ids):
        pad = ids == 0
        x = self.embedding(ids) + self.positions.weight[: ids.shape[1]]
        h = self.encoder(x, src_key_padding_mask=pad if bool(pad.any()) else None)
        return self.pool(h, pad)


def tokenize(text, words):
    """The pack's words: lower-cased runs of letters and digits; ids by the vocabulary (1 = unknown)."""
    out, current = [], ""
    for c in text:
        if c.isalnum():
            current += c.lower()
        elif current:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    index = {w: i for i, w in enumerate(words)}
    return [index.get(w, 1) for w in out]


def batch(rows):
    length = max(len(r) for r in rows)
    return torch.tensor([r + [0] * (length - len(r)) for r in rows], dtype=torch.long)


def outputs_for(model, texts, words, length):
    rows = [tokenize(t, words)[:length] for t in texts]
    model.eval()
    with torch.no_grad():
        pooled, weights = model(batch(rows))
    padded = [w[: len(r)].tolist() + [0.0] * (length - len(r)) for w, r in zip(weights, rows)]
    return pooled.tolist(), padded


def export_torch(folder):
    torch.manual_seed(7)
    words = ["<pad>", "<unk>"] + [f"w{i}" for i in range(28)]
    d, heads, layers, ff, length = 16, 2, 2, 32, 12
    model = AttentionEncoder(len(words), d, heads, layers, ff, length, outputs=2)
    generator = torch.Generator().manual_seed(3)
    texts = [" ".join(f"w{int(i)}" for i in torch.randint(0, 30, (int(n),), generator=generator)) for n in torch.randint(2, 12, (400,), generator=generator)]
    labels = torch.tensor([int("w5" in t.split()) for t in texts])
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for epoch in range(3):
        for start in range(0, len(texts), 32):
            ids = batch([tokenize(t, words)[:length] for t in texts[start:start + 32]])
            loss = nn.functional.cross_entropy(model.head(model(ids)[0]), labels[start:start + 32])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    cases = texts[:24] + ["W5, w7! w99 (unknown) w1", "w3"]
    embedding, weights = outputs_for(model, cases, words, length)
    metadata = {"format": "pt", "architecture": "microsoft-ml-attention/attention-encoder/1", "model_dimension": str(d), "heads": str(heads),
                "layers": str(layers), "feed_forward_dimension": str(ff), "maximum_length": str(length), "step_size": "0"}
    save_safetensors(f"{folder}/torch-encoder.safetensors", model.state_dict(), metadata)
    with open(f"{folder}/torch-encoder-cases.json", "w") as f:
        json.dump({"vocabulary": words, "texts": cases, "embedding": embedding, "weights": weights, "loss": float(loss)}, f)
    print(f"torch-encoder: trained 3 epochs (last loss {float(loss):.4f}), {len(cases)} cases written to {folder}")


def check_pack(folder):
    state, metadata = load_safetensors(f"{folder}/pack-encoder.safetensors")
    with open(f"{folder}/pack-encoder-cases.json") as f:
        cases = json.load(f)
    m = {k: int(v) for k, v in metadata.items() if k not in ("format", "architecture")}
    model = AttentionEncoder(len(cases["vocabulary"]), m["model_dimension"], m["heads"], m["layers"], m["feed_forward_dimension"], m["maximum_length"],
                             state["head.weight"].shape[0])
    model.load_state_dict(state, strict=True)
    embedding, weights = outputs_for(model, cases["texts"], cases["vocabulary"], m["maximum_length"])
    worst = max(abs(a - b) for got, want in ((embedding, cases["embedding"]), (weights, cases["weights"]))
                for gr, wr in zip(got, want) for a, b in zip(gr, wr))
    print(f"pack-encoder: load_state_dict(strict=True) accepted {len(state)} tensors; {len(cases['texts'])} texts, largest difference from the pack {worst:.2e}")
    sys.exit(0 if worst <= 1e-4 else 1)


if __name__ == "__main__":
    {"export-torch": export_torch, "check-pack": check_pack}[sys.argv[1]](sys.argv[2])
