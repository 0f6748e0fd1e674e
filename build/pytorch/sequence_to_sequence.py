"""The sequence-to-sequence model of mlContext.Transforms.SequenceToSequence (additive attention, the default) in PyTorch,
for weight interchange with Microsoft.ML.Attention (no ML.NET, no pack code).

The module's state_dict names are the pack's (SequenceToSequenceTransformer.SaveWeights / FromWeights):
source_embedding.weight, target_embedding.weight, encoder.* (nn.GRU or nn.LSTM, bidirectional, batch_first), bridge.*,
decoder.* (one-layer nn.GRU/nn.LSTM of width 2H fed [previous token's embedding; context]), attention.query_proj.weight,
attention.key_proj.*, attention.v.weight (Bahdanau: v . tanh(W_q s + W_k h + b)), combine.weight
(h~ = tanh(W_c [context; state])) and output.*. The decoder starts from tanh(bridge([forward last; backward first])),
attends from its previous state, and greedy decoding stops at </s> (id 3) or MaximumTargetLength.

  /usr/bin/python3 build/pytorch/sequence_to_sequence.py export-torch DIR
      trains the module in PyTorch on a toy task (reverse the words) and writes DIR/torch-seq2seq.safetensors and
      DIR/torch-seq2seq-cases.json (vocabularies, sources, targets, and PyTorch's teacher-forced probabilities, greedy
      outputs and their alignments).
  /usr/bin/python3 build/pytorch/sequence_to_sequence.py check-pack DIR
      loads DIR/pack-seq2seq.safetensors (the pack's SaveWeights) with load_state_dict(strict=True), scores
      DIR/pack-seq2seq-cases.json's pairs and prints the largest difference from the pack's outputs; exits 1 above 1e-4
      or when a greedy output differs.
"""
import json
import sys

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from safetensors_io import load_safetensors, save_safetensors

START, END = 2, 3


class Additive(nn.Module):
    def __init__(self, query, key, a):
        super().__init__()
        self.query_proj = nn.Linear(query, a, bias=False)
        self.key_proj = nn.Linear(key, a)
        self.v = nn.Linear(a, 1, bias=False)

    def forward(self, state, keys, values, pad):
        scores = self.v(torch.tanh(self.query_proj(state).unsqueeze(1) + keys)).squeeze(-1)
        weights = torch.softmax(scores.masked_fill(pad, float("-inf")), -1)
        return (weights.unsqueeze(1) @ values).squeeze(1), weights


class SequenceToSequence(nn.Module):
    def __init__(self, source, target, e, h, a, cell="gru"):
        super().__init__()
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        d = 2 * h
        self.lstm = cell == "lstm"
        self.source_embedding = nn.Embedding(source, e, padding_idx=0)
        self.target_embedding = nn.Embedding(target, e, padding_idx=0)
        self.encoder = rnn(e, h, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * h, d)
        self.decoder = rnn(e + 2 * h, d, batch_first=True)
        self.attention = Additive(d, 2 * h, a)
        self.combine = nn.Linear(2 * h + d, d, bias=False)
        self.output = nn.Linear(d, target)

    def encode(self, ids):
        lengths = (ids != 0).sum(1)
        packed = pack_padded_sequence(self.source_embedding(ids), lengths, batch_first=True, enforce_sorted=False)
        out, final = self.encoder(packed)
        states = pad_packed_sequence(out, batch_first=True, total_length=ids.shape[1])[0]
        h_n = final[0] if self.lstm else final
        hidden = torch.tanh(self.bridge(torch.cat([h_n[0], h_n[1]], -1)))
        state = (hidden.unsqueeze(0), torch.zeros_like(hidden).unsqueeze(0)) if self.lstm else hidden.unsqueeze(0)
        return states, self.attention.key_proj(states), ids == 0, state

    def step(self, encoded, previous, state):
        states, keys, pad, _ = encoded
        hidden = state[0][0] if self.lstm else state[0]
        context, weights = self.attention(hidden, keys, states, pad)
        out, state = self.decoder(torch.cat([self.target_embedding(previous), context], -1).unsqueeze(1), state)
        logits = self.output(torch.tanh(self.combine(torch.cat([context, out.squeeze(1)], -1))))
        return logits, weights, state

    def teacher_forced(self, ids, target_input):
        encoded = self.encode(ids)
        state, steps = encoded[3], []
        for t in range(target_input.shape[1]):
            logits, _, state = self.step(encoded, target_input[:, t], state)
            steps.append(logits)
        return torch.stack(steps, 1)

    def greedy(self, ids, length):
        """One source at a time: the tokens before </s> and each one's attention over the source."""
        encoded = self.encode(ids)
        state, previous, tokens, alignment = encoded[3], torch.tensor([START]), [], []
        for _ in range(length):
            logits, weights, state = self.step(encoded, previous, state)
            best = int(logits.argmax(-1))
            if best == END:
                break
            tokens.append(best)
            alignment.extend(weights[0].tolist())
            previous = torch.tensor([best])
        return tokens, alignment


def ids_of(texts, words):
    index = {w: i for i, w in enumerate(words)}
    rows = [[index.get(w, 1) for w in t.split()] for t in texts]
    length = max(len(r) for r in rows)
    return torch.tensor([r + [0] * (length - len(r)) for r in rows]), rows


def outputs_for(model, sources, targets, source_words, target_words, length):
    """Per pair: softmax of the teacher-forced logits over <s> + target (flattened), and the greedy output with its alignment."""
    model.eval()
    probabilities, greedy, alignments = [], [], []
    with torch.no_grad():
        for s, t in zip(sources, targets):
            ids, _ = ids_of([s], source_words)
            target_ids, rows = ids_of([t], target_words)
            target_input = torch.tensor([[START] + rows[0]])
            probabilities.append(torch.softmax(model.teacher_forced(ids, target_input), -1).flatten().tolist())
            tokens, alignment = model.greedy(ids, length)
            greedy.append(" ".join(target_words[i] for i in tokens))
            alignments.append(alignment)
    return probabilities, greedy, alignments


WORDS = ["red", "blue", "cat", "dog", "runs", "sleeps", "the", "a", "big", "small", "old", "new", "tree", "house", "sees", "eats"]


def toy_pairs(generator, n):
    pairs = []
    for _ in range(n):
        words = [WORDS[int(i)] for i in torch.randint(0, len(WORDS), (int(torch.randint(2, 6, (1,), generator=generator)),), generator=generator)]
        pairs.append((" ".join(words), " ".join(reversed(words))))
    return pairs


def export_torch(folder):
    torch.manual_seed(7)
    words = ["<pad>", "<unk>", "<s>", "</s>"] + WORDS
    e, h, a, length = 12, 16, 16, 8
    model = SequenceToSequence(len(words), len(words), e, h, a)
    pairs = toy_pairs(torch.Generator().manual_seed(3), 600)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for epoch in range(12):
        for start in range(0, len(pairs), 32):
            chunk = pairs[start:start + 32]
            ids, _ = ids_of([s for s, _ in chunk], words)
            _, rows = ids_of([t for _, t in chunk], words)
            steps = max(len(r) for r in rows) + 1
            target_input = torch.tensor([[START] + r + [0] * (steps - 1 - len(r)) for r in rows])
            target_output = torch.tensor([r + [END] + [-100] * (steps - 1 - len(r)) for r in rows])
            logits = model.teacher_forced(ids, target_input)
            loss = nn.functional.cross_entropy(logits.reshape(-1, len(words)), target_output.reshape(-1), ignore_index=-100)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    cases = pairs[:16] + [("cat unknownword dog", "dog unknownword cat")]
    probabilities, greedy, alignments = outputs_for(model, [s for s, _ in cases], [t for _, t in cases], words, words, length)
    metadata = {"format": "pt", "architecture": "microsoft-ml-attention/sequence-to-sequence/1", "cell": "gru", "attention": "additive",
                "embedding_dimension": str(e), "hidden_size": str(h), "attention_dimension": str(a)}
    save_safetensors(f"{folder}/torch-seq2seq.safetensors", model.state_dict(), metadata)
    with open(f"{folder}/torch-seq2seq-cases.json", "w") as f:
        json.dump({"source_vocabulary": words, "target_vocabulary": words, "maximum_target_length": length, "sources": [s for s, _ in cases],
                   "targets": [t for _, t in cases], "probabilities": probabilities, "greedy": greedy, "alignments": alignments}, f)
    right = sum(g == t for g, (_, t) in zip(greedy, cases))
    print(f"torch-seq2seq: trained 12 epochs (last loss {float(loss):.4f}), {len(cases)} cases ({right} decoded exactly) written to {folder}")


def check_pack(folder):
    state, metadata = load_safetensors(f"{folder}/pack-seq2seq.safetensors")
    with open(f"{folder}/pack-seq2seq-cases.json") as f:
        cases = json.load(f)
    model = SequenceToSequence(len(cases["source_vocabulary"]), len(cases["target_vocabulary"]), int(metadata["embedding_dimension"]),
                               int(metadata["hidden_size"]), int(metadata["attention_dimension"]), metadata["cell"])
    model.load_state_dict(state, strict=True)
    probabilities, greedy, alignments = outputs_for(model, cases["sources"], cases["targets"], cases["source_vocabulary"], cases["target_vocabulary"],
                                                    cases["maximum_target_length"])
    worst = max(abs(x - y) for got, want in ((probabilities, cases["probabilities"]), (alignments, cases["alignments"]))
                for g, w in zip(got, want) for x, y in zip(g, w))
    same = sum(g == w for g, w in zip(greedy, cases["greedy"]))
    print(f"pack-seq2seq ({metadata['cell']}): load_state_dict(strict=True) accepted {len(state)} tensors; {len(cases['sources'])} pairs, "
          f"largest difference from the pack {worst:.2e}, greedy outputs equal {same}/{len(greedy)}")
    sys.exit(0 if worst <= 1e-4 and same == len(greedy) else 1)


if __name__ == "__main__":
    {"export-torch": export_torch, "check-pack": check_pack}[sys.argv[1]](sys.argv[2])
