"""PyTorch side of build/eval.sh fra-eng: the model SequenceToSequence trains there, on the split that eval wrote.

    python3 build/torch_seq2seq.py SPLIT_DIR EPOCHS

Same tokens (words: runs of letters, decimal digits and marks, every other visible character alone; lower-cased),
same vocabularies (markers <pad> <unk> <s> </s>, then tokens seen at least twice, most frequent first, at most 8000 ids),
same model (embedding 128, BiGRU 128 encoder, tanh bridge, GRU 256 decoder fed the previous token and the additive
attention's context from the previous state, h~ = tanh(W_c [context; state]), dropout 0.2 on embeddings and h~), same
training (AdamW 2e-3, 5 % linear warm-up then cosine, clipping at 5, batch 64 bucketed by length) and greedy decoding
of at most 24 tokens; corpus BLEU-4 as the C# eval computes it. Prints RESULT lines.
"""
import collections
import math
import random
import sys
import time
import unicodedata

import torch

torch.set_num_threads(2)


def tokens(text):
    out, word = [], []
    for c in text.lower():
        cat = unicodedata.category(c)
        if cat.startswith("L") or cat in ("Nd", "Mn", "Mc"):
            word.append(c)
            continue
        if word:
            out.append("".join(word))
            word = []
        if not c.isspace() and cat != "Cc":
            out.append(c)
    if word:
        out.append("".join(word))
    return out


def vocabulary(texts, size=8000, minimum=2):
    counts = collections.Counter(t for text in texts for t in text)
    reserved = ["<pad>", "<unk>", "<s>", "</s>"]
    top = sorted((w for w, c in counts.items() if c >= minimum and w not in reserved), key=lambda w: (-counts[w], w))
    words = reserved + top[: size - len(reserved)]
    return {w: i for i, w in enumerate(words)}, words


class Seq2Seq(torch.nn.Module):
    def __init__(self, src, tgt, emb=128, hidden=128, att=128, dropout=0.2):
        super().__init__()
        d = 2 * hidden
        self.src = torch.nn.Embedding(src, emb, padding_idx=0)
        self.tgt = torch.nn.Embedding(tgt, emb, padding_idx=0)
        self.encoder = torch.nn.GRU(emb, hidden, bidirectional=True, batch_first=True)
        self.bridge = torch.nn.Linear(2 * hidden, d)
        self.decoder = torch.nn.GRUCell(emb + 2 * hidden, d)
        self.query = torch.nn.Linear(d, att, bias=False)
        self.key = torch.nn.Linear(2 * hidden, att)
        self.v = torch.nn.Linear(att, 1, bias=False)
        self.combine = torch.nn.Linear(2 * hidden + d, d, bias=False)
        self.output = torch.nn.Linear(d, tgt)
        self.drop = torch.nn.Dropout(dropout)

    def encode(self, source, lengths):
        packed = torch.nn.utils.rnn.pack_padded_sequence(self.drop(self.src(source)), lengths, batch_first=True, enforce_sorted=False)
        states, final = self.encoder(packed)
        states, _ = torch.nn.utils.rnn.pad_packed_sequence(states, batch_first=True, total_length=source.shape[1])
        return states, self.key(states), torch.tanh(self.bridge(torch.cat([final[0], final[1]], 1))), source == 0

    def step(self, states, keys, padding, state, previous):
        scores = self.v(torch.tanh(self.query(state).unsqueeze(1) + keys)).squeeze(2).masked_fill(padding, float("-inf"))
        context = torch.bmm(torch.softmax(scores, 1).unsqueeze(1), states).squeeze(1)
        state = self.decoder(torch.cat([self.drop(self.tgt(previous)), context], 1), state)
        return self.output(self.drop(torch.tanh(self.combine(torch.cat([context, state], 1))))), state

    def forward(self, source, lengths, target_input):
        states, keys, state, padding = self.encode(source, lengths)
        logits = []
        for t in range(target_input.shape[1]):
            out, state = self.step(states, keys, padding, state, target_input[:, t])
            logits.append(out)
        return torch.stack(logits, 1)

    def greedy(self, source, lengths, steps):
        states, keys, state, padding = self.encode(source, lengths)
        previous = torch.full((source.shape[0],), 2, dtype=torch.long)
        out, done = [], torch.zeros(source.shape[0], dtype=torch.bool)
        for _ in range(steps):
            logits, state = self.step(states, keys, padding, state, previous)
            previous = logits.argmax(1)
            out.append(previous)
            done |= previous == 3
            if bool(done.all()):
                break
        return torch.stack(out, 1)


def pad(rows):
    width = max(len(r) for r in rows)
    return torch.tensor([r + [0] * (width - len(r)) for r in rows], dtype=torch.long)


def bleu(hypotheses, references):
    matches, totals, h_len, r_len = [0] * 4, [0] * 4, 0, 0
    for h, r in zip(hypotheses, references):
        h_len += len(h)
        r_len += len(r)
        for n in range(1, 5):
            ref = collections.Counter(tuple(r[i:i + n]) for i in range(len(r) - n + 1))
            hyp = collections.Counter(tuple(h[i:i + n]) for i in range(len(h) - n + 1))
            matches[n - 1] += sum(min(c, ref[g]) for g, c in hyp.items())
            totals[n - 1] += max(0, len(h) - n + 1)
    if min(matches) == 0:
        return 0.0
    brevity = 1.0 if h_len >= r_len else math.exp(1 - r_len / h_len)
    return brevity * math.exp(sum(math.log(m / t) for m, t in zip(matches, totals)) / 4)


def main(split, epochs):
    read = lambda name: [l.rstrip("\n").split("\t") for l in open(f"{split}/{name}", encoding="utf-8")]
    train, test = read("train.tsv"), read("test.tsv")
    src_ids, _ = vocabulary([tokens(e) for e, _ in train])
    tgt_ids, tgt_words = vocabulary([tokens(f) for _, f in train])
    encode = lambda ids, text: [ids.get(t, 1) for t in tokens(text)]
    pairs = [(encode(src_ids, e), encode(tgt_ids, f)) for e, f in train]
    torch.manual_seed(1)
    rng = random.Random(1)
    model = Seq2Seq(len(src_ids), len(tgt_ids))
    optimizer = torch.optim.AdamW(model.parameters(), 2e-3, weight_decay=0)
    steps_per_epoch = (len(pairs) + 63) // 64
    total = steps_per_epoch * epochs
    warm = int(total * 0.05)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, total - warm))))
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    start = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        order = sorted(range(len(pairs)), key=lambda i: (len(pairs[i][0]), len(pairs[i][1]), rng.random()))
        batches = [order[i:i + 64] for i in range(0, len(order), 64)]
        rng.shuffle(batches)
        running = 0.0
        for rows in batches:
            source = pad([pairs[r][0] for r in rows])
            lengths = torch.tensor([len(pairs[r][0]) for r in rows])
            target_in = pad([[2] + pairs[r][1] for r in rows])
            target_out = pad([pairs[r][1] + [3] for r in rows])
            target_out[target_in == 0] = -100
            optimizer.zero_grad()
            loss = loss_fn(model(source, lengths, target_in).reshape(-1, len(tgt_ids)), target_out.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            schedule.step()
            running += loss.item() * len(rows)
        print(f"[{(time.perf_counter() - start) / 60:.2f} min] epoch {epoch + 1}/{epochs}: train loss {running / len(pairs):.4f}", flush=True)
    minutes = (time.perf_counter() - start) / 60
    model.eval()
    hypotheses = []
    with torch.no_grad():
        for i in range(0, len(test), 256):
            chunk = test[i:i + 256]
            ids = [encode(src_ids, e) or [1] for e, _ in chunk]
            out = model.greedy(pad(ids), torch.tensor([len(x) for x in ids]), 24)
            for row in out.tolist():
                words = []
                for t in row:
                    if t == 3:
                        break
                    words.append(tgt_words[t])
                hypotheses.append(words)
    score = bleu(hypotheses, [tokens(f) for _, f in test])
    print(f"RESULT fra_eng.bleu.pytorch {100 * score:.2f} BLEU ({epochs} epochs)")
    print(f"RESULT fra_eng.train_minutes.pytorch {minutes:.2f} min")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
