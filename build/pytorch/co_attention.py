"""The co-attention text-pair classifier of mlContext.BinaryClassification.Trainers.CoAttention in PyTorch, for weight
interchange with Microsoft.ML.Attention (no ML.NET, no pack code).

The module's state_dict names are the pack's (CoAttentionTransformer.SaveWeights / FromWeights): embedding.weight,
encoder.* (a bidirectional nn.GRU over packed sequences, shared by both texts), co_attention.W.weight (bilinear
affinity; absent for dot products), compose.* ([h; context; h * context] -> ReLU), pooling.proj.*,
pooling.context (masked attention pooling), hidden.* (over [a; b; sqrt((a - b)^2 + 1e-6); a * b] -> ReLU), head.*.

  /usr/bin/python3 build/pytorch/co_attention.py export-torch DIR
      trains the module (bilinear affinity) on a toy task (is the second text the first, word for word, in a made-up
      second language?) and writes DIR/torch-co-attention.safetensors and DIR/torch-co-attention-cases.json.
  /usr/bin/python3 build/pytorch/co_attention.py check-pack DIR
      loads DIR/pack-co-attention.safetensors (the pack's SaveWeights) with load_state_dict(strict=True), scores
      DIR/pack-co-attention-cases.json's pairs and prints the largest difference from the pack's outputs; exits 1 above 1e-4.
"""
import json
import sys

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from safetensors_io import load_safetensors, save_safetensors


class CoAttention(nn.Module):
    def __init__(self, d, bilinear):
        super().__init__()
        if bilinear:
            self.W = nn.Linear(d, d, bias=False)
        self.bilinear = bilinear

    def forward(self, a, b, a_pad, b_pad):
        affinity = a @ (self.W(b) if self.bilinear else b).transpose(1, 2)
        to_second = torch.softmax(affinity.masked_fill(b_pad.unsqueeze(1), float("-inf")), -1)
        to_first = torch.softmax(affinity.transpose(1, 2).masked_fill(a_pad.unsqueeze(1), float("-inf")), -1)
        return to_second @ b, to_first @ a, to_second, to_first


class Pool(nn.Module):
    def __init__(self, d, a):
        super().__init__()
        self.proj = nn.Linear(d, a)
        self.context = nn.Parameter(torch.empty(a).uniform_(-a ** -0.5, a ** -0.5))

    def forward(self, h, pad):
        weights = torch.softmax((torch.tanh(self.proj(h)) @ self.context).masked_fill(pad, float("-inf")), -1)
        return (weights.unsqueeze(1) @ h).squeeze(1)


class CoAttentionPair(nn.Module):
    def __init__(self, vocabulary, e, h, a, bilinear):
        super().__init__()
        d = 2 * h
        self.embedding = nn.Embedding(vocabulary, e, padding_idx=0)
        self.encoder = nn.GRU(e, h, batch_first=True, bidirectional=True)
        self.co_attention = CoAttention(d, bilinear)
        self.compose = nn.Linear(3 * d, d)
        self.pooling = Pool(d, a)
        self.hidden = nn.Linear(4 * d, d)
        self.head = nn.Linear(d, 1)

    def encode(self, ids):
        packed = pack_padded_sequence(self.embedding(ids), (ids != 0).sum(1), batch_first=True, enforce_sorted=False)
        return pad_packed_sequence(self.encoder(packed)[0], batch_first=True, total_length=ids.shape[1])[0]

    def forward(self, first, second):
        a_pad, b_pad = first == 0, second == 0
        a, b = self.encode(first), self.encode(second)
        context_a, context_b, to_second, to_first = self.co_attention(a, b, a_pad, b_pad)
        pa = self.pooling(torch.relu(self.compose(torch.cat([a, context_a, a * context_a], -1))), a_pad)
        pb = self.pooling(torch.relu(self.compose(torch.cat([b, context_b, b * context_b], -1))), b_pad)
        pair = torch.cat([pa, pb, ((pa - pb) ** 2 + 1e-6).sqrt(), pa * pb], -1)
        return self.head(torch.relu(self.hidden(pair))).squeeze(-1), to_second, to_first


def ids_of(texts, words):
    index = {w: i for i, w in enumerate(words)}
    rows = [[index.get(w, 1) for w in t.split()] for t in texts]
    length = max(len(r) for r in rows)
    return torch.tensor([r + [0] * (length - len(r)) for r in rows]), rows


def outputs_for(model, firsts, seconds, words):
    """Per pair (one at a time): the logit, and both alignment matrices row-major, cut to the texts' own words."""
    model.eval()
    logits, forward, backward = [], [], []
    with torch.no_grad():
        for f, s in zip(firsts, seconds):
            logit, to_second, to_first = model(ids_of([f], words)[0], ids_of([s], words)[0])
            logits.append(float(logit[0]))
            forward.append(to_second[0].flatten().tolist())
            backward.append(to_first[0].flatten().tolist())
    return logits, forward, backward


SOURCE = ["red", "blue", "cat", "dog", "runs", "sleeps", "big", "small", "tree", "house"]
TARGET = ["rot", "blau", "katze", "hund", "rennt", "schlaeft", "gross", "klein", "baum", "haus"]


def toy_pairs(generator, n):
    pairs = []
    for i in range(n):
        k = torch.randint(0, len(SOURCE), (int(torch.randint(2, 6, (1,), generator=generator)),), generator=generator).tolist()
        first = " ".join(SOURCE[j] for j in k)
        if i % 2 == 0:
            pairs.append((first, " ".join(TARGET[j] for j in k), 1))
        else:
            other = torch.randint(0, len(TARGET), (len(k),), generator=generator).tolist()
            pairs.append((first, " ".join(TARGET[j] for j in other), int(other == k)))
    return pairs


def export_torch(folder):
    torch.manual_seed(7)
    words = ["<pad>", "<unk>"] + SOURCE + TARGET
    e, h, a = 8, 8, 6
    model = CoAttentionPair(len(words), e, h, a, bilinear=True)
    pairs = toy_pairs(torch.Generator().manual_seed(3), 600)
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    model.train()
    for epoch in range(8):
        for start in range(0, len(pairs), 32):
            chunk = pairs[start:start + 32]
            logits = model(ids_of([p[0] for p in chunk], words)[0], ids_of([p[1] for p in chunk], words)[0])[0]
            loss = nn.functional.binary_cross_entropy_with_logits(logits, torch.tensor([float(p[2]) for p in chunk]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    cases = pairs[:20] + [("cat unknownword", "katze hund", 0)]
    logits, forward, backward = outputs_for(model, [c[0] for c in cases], [c[1] for c in cases], words)
    metadata = {"format": "pt", "architecture": "microsoft-ml-attention/co-attention/1", "bilinear": "true",
                "embedding_dimension": str(e), "hidden_size": str(h), "attention_dimension": str(a)}
    save_safetensors(f"{folder}/torch-co-attention.safetensors", model.state_dict(), metadata)
    right = sum((l > 0) == bool(c[2]) for l, c in zip(logits, cases))
    with open(f"{folder}/torch-co-attention-cases.json", "w") as f:
        json.dump({"vocabulary": words, "firsts": [c[0] for c in cases], "seconds": [c[1] for c in cases], "logits": logits,
                   "first_to_second": forward, "second_to_first": backward}, f)
    print(f"torch-co-attention: trained 8 epochs (last loss {float(loss):.4f}), {len(cases)} pairs ({right} right) written to {folder}")


def check_pack(folder):
    state, metadata = load_safetensors(f"{folder}/pack-co-attention.safetensors")
    with open(f"{folder}/pack-co-attention-cases.json") as f:
        cases = json.load(f)
    model = CoAttentionPair(len(cases["vocabulary"]), int(metadata["embedding_dimension"]), int(metadata["hidden_size"]),
                            int(metadata["attention_dimension"]), metadata["bilinear"] == "true")
    model.load_state_dict(state, strict=True)
    logits, forward, backward = outputs_for(model, cases["firsts"], cases["seconds"], cases["vocabulary"])
    worst = max([abs(x - y) for x, y in zip(logits, cases["logits"])] +
                [abs(x - y) for got, want in ((forward, cases["first_to_second"]), (backward, cases["second_to_first"])) for g, w in zip(got, want) for x, y in zip(g, w)])
    print(f"pack-co-attention (bilinear {metadata['bilinear']}): load_state_dict(strict=True) accepted {len(state)} tensors; {len(cases['firsts'])} pairs, "
          f"largest difference from the pack {worst:.2e}")
    sys.exit(0 if worst <= 1e-4 else 1)


if __name__ == "__main__":
    {"export-torch": export_torch, "check-pack": check_pack}[sys.argv[1]](sys.argv[2])
