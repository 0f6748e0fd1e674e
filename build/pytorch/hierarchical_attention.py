"""The hierarchical attention network of mlContext...HierarchicalAttention in PyTorch, for weight interchange with
Microsoft.ML.Attention (no ML.NET, no pack code).

The module's state_dict names are the pack's (HierarchicalAttentionTransformer.SaveWeights / FromWeights): embedding.weight,
word_encoder.* (nn.GRU or nn.LSTM, bidirectional, batch_first), word_attention.proj.*, word_attention.context,
sentence_encoder.*, sentence_attention.*, head.*. Padding is token 0; each sentence runs over its own words (packed
sequences), each document over its own sentences; pooling weights are 0 on padding.

  /usr/bin/python3 build/pytorch/hierarchical_attention.py export-torch DIR
      trains the module in PyTorch on a toy 3-class task and writes DIR/torch-han.safetensors and DIR/torch-han-cases.json
      (vocabulary, label values, texts, their sentences, and PyTorch's probabilities, sentence and word weights).
  /usr/bin/python3 build/pytorch/hierarchical_attention.py check-pack DIR
      loads DIR/pack-han.safetensors (the pack's SaveWeights) with load_state_dict(strict=True), scores
      DIR/pack-han-cases.json's documents and prints the largest difference from the pack's outputs; exits 1 above 1e-4.
"""
import json
import sys

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from safetensors_io import load_safetensors, save_safetensors


class Pool(nn.Module):
    def __init__(self, d, a):
        super().__init__()
        self.proj = nn.Linear(d, a)
        self.context = nn.Parameter(torch.empty(a).uniform_(-a ** -0.5, a ** -0.5))

    def forward(self, h, pad):
        scores = torch.tanh(self.proj(h)) @ self.context
        weights = torch.softmax(scores.masked_fill(pad, float("-inf")), dim=-1)
        weights = torch.where(pad.all(dim=-1, keepdim=True), torch.zeros_like(weights), weights)  # all padding pools to zeros
        return (weights.unsqueeze(1) @ h).squeeze(1), weights


def encode(rnn, x, lengths):
    packed = pack_padded_sequence(x, lengths.clamp(min=1).cpu(), batch_first=True, enforce_sorted=False)
    out, _ = rnn(packed)
    return pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])[0]


class HierarchicalAttention(nn.Module):
    def __init__(self, vocabulary, e, h, a, classes, cell="gru"):
        super().__init__()
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        self.embedding = nn.Embedding(vocabulary, e, padding_idx=0)
        self.word_encoder = rnn(e, h, batch_first=True, bidirectional=True)
        self.word_attention = Pool(2 * h, a)
        self.sentence_encoder = rnn(2 * h, h, batch_first=True, bidirectional=True)
        self.sentence_attention = Pool(2 * h, a)
        self.head = nn.Linear(2 * h, classes)

    def forward(self, ids):  # [documents, sentences, words], 0 = padding
        b, s, w = ids.shape
        flat = ids.reshape(b * s, w)
        word_pad = flat == 0
        words = encode(self.word_encoder, self.embedding(flat), (~word_pad).sum(1))
        sentences, word_weights = self.word_attention(words, word_pad)
        sentence_pad = word_pad.all(1).reshape(b, s)
        encoded = encode(self.sentence_encoder, sentences.reshape(b, s, -1), (~sentence_pad).sum(1))
        document, sentence_weights = self.sentence_attention(encoded, sentence_pad)
        return self.head(document), sentence_weights, word_weights.reshape(b, s, w)


def batch(documents, words):
    """Documents (lists of sentences of words) as ids [documents, sentences, words]; unknown words are 1."""
    index = {x: i for i, x in enumerate(words)}
    s = max(len(d) for d in documents)
    w = max(len(x) for d in documents for x in d)
    ids = torch.zeros(len(documents), s, w, dtype=torch.long)
    for i, d in enumerate(documents):
        for j, sentence in enumerate(d):
            ids[i, j, : len(sentence)] = torch.tensor([index.get(x, 1) for x in sentence])
    return ids


def text_of(document):
    """A document as text the pack's DocumentTokenizer splits back into these sentences (a capital starts each)."""
    return " ".join(" ".join([first[0].upper() + first[1:]] + rest) + "." for first, *rest in document)


def outputs_for(model, documents, words):
    model.eval()
    with torch.no_grad():
        logits, sentence_weights, word_weights = model(batch(documents, words))
    probabilities = torch.softmax(logits, -1)
    return ([p.tolist() for p in probabilities],
            [sentence_weights[i, : len(d)].tolist() for i, d in enumerate(documents)],
            [[v for j, x in enumerate(d) for v in word_weights[i, j, : len(x)].tolist()] for i, d in enumerate(documents)])


def toy_documents(generator, n):
    documents = []
    for _ in range(n):
        count = int(torch.randint(1, 5, (1,), generator=generator))
        documents.append([[f"w{int(k)}" for k in torch.randint(0, 30, (int(torch.randint(1, 7, (1,), generator=generator)),), generator=generator)]
                          for _ in range(count)])
    return documents


def toy_label(document):
    flat = [x for s in document for x in s]
    return 0 if "w5" in flat else 1 if "w7" in flat else 2


def export_torch(folder):
    torch.manual_seed(7)
    words = ["<pad>", "<unk>"] + [f"w{i}" for i in range(28)]
    e, h, a = 12, 8, 10
    model = HierarchicalAttention(len(words), e, h, a, classes=3)
    generator = torch.Generator().manual_seed(3)
    documents = toy_documents(generator, 400)
    labels = torch.tensor([toy_label(d) for d in documents])
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    model.train()
    for epoch in range(4):
        for start in range(0, len(documents), 32):
            logits = model(batch(documents[start:start + 32], words))[0]
            loss = nn.functional.cross_entropy(logits, labels[start:start + 32])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    cases = documents[:24] + [[["w5", "w99", "w1"], ["w3"]], [["w2"]]]
    probabilities, sentence_weights, word_weights = outputs_for(model, cases, words)
    metadata = {"format": "pt", "architecture": "microsoft-ml-attention/hierarchical-attention/1", "cell": "gru",
                "embedding_dimension": str(e), "hidden_size": str(h), "attention_dimension": str(a), "classes": "3"}
    save_safetensors(f"{folder}/torch-han.safetensors", model.state_dict(), metadata)
    with open(f"{folder}/torch-han-cases.json", "w") as f:
        json.dump({"vocabulary": words, "label_values": ["has-w5", "has-w7", "neither"], "texts": [text_of(d) for d in cases], "documents": cases,
                   "probabilities": probabilities, "sentence_weights": sentence_weights, "word_weights": word_weights}, f)
    print(f"torch-han: trained 4 epochs (last loss {float(loss):.4f}), {len(cases)} cases written to {folder}")


def check_pack(folder):
    state, metadata = load_safetensors(f"{folder}/pack-han.safetensors")
    with open(f"{folder}/pack-han-cases.json") as f:
        cases = json.load(f)
    model = HierarchicalAttention(len(cases["vocabulary"]), int(metadata["embedding_dimension"]), int(metadata["hidden_size"]),
                                  int(metadata["attention_dimension"]), int(metadata["classes"]), metadata["cell"])
    model.load_state_dict(state, strict=True)
    got = outputs_for(model, cases["documents"], cases["vocabulary"])
    want = (cases["probabilities"], cases["sentence_weights"], cases["word_weights"])
    worst = max(abs(x - y) for g, w in zip(got, want) for gr, wr in zip(g, w) for x, y in zip(gr, wr))
    print(f"pack-han ({metadata['cell']}): load_state_dict(strict=True) accepted {len(state)} tensors; {len(cases['documents'])} documents, "
          f"largest difference from the pack {worst:.2e}")
    sys.exit(0 if worst <= 1e-4 else 1)


if __name__ == "__main__":
    {"export-torch": export_torch, "check-pack": check_pack}[sys.argv[1]](sys.argv[2])
