"""PyTorch side of build/bench.sh: the same work as our suites, printed as RESULT lines.

Run through build/bench.sh, which sets the environment of ../shared/docs/pytorch-peer.md
(OpenBLAS with AVX-512 kernels, ATEN_CPU_CAPABILITY=avx512, malloc thresholds, 2 threads).
"""
import sys
import time

import torch

torch.set_num_threads(2)


def best_seconds(work, rounds=7, round_seconds=0.2):
    work()
    calls = 0
    start = time.perf_counter()
    while time.perf_counter() - start < round_seconds or calls < 2:
        work()
        calls += 1
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            work()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def result(name, value, unit):
    print(f"RESULT {name} {value:.5g} {unit}", flush=True)


def gemm():
    torch.manual_seed(1)
    for n in (128, 256, 512, 1024, 2048):
        a, b = torch.rand(n, n) - 0.5, torch.rand(n, n) - 0.5
        c = torch.empty(n, n)
        s = best_seconds(lambda: torch.matmul(a, b, out=c))
        result(f"gemm.square{n}.pytorch", 2.0 * n ** 3 / s / 1e9, "GFLOP/s")
    for name, (batch, m, k, n) in (("batched_256x128x64x128", (256, 128, 64, 128)),
                                   ("batched_256x128x128x64", (256, 128, 128, 64))):
        a, b = torch.rand(batch, m, k) - 0.5, torch.rand(batch, k, n) - 0.5
        c = torch.empty(batch, m, n)
        s = best_seconds(lambda: torch.matmul(a, b, out=c))
        result(f"gemm.{name}.pytorch", 2.0 * batch * m * n * k / s / 1e9, "GFLOP/s")


def attention():
    torch.manual_seed(1)
    mha = torch.nn.MultiheadAttention(256, 8, batch_first=True).eval()
    for b, s in ((1, 32), (1, 128), (32, 128), (8, 512)):
        x = torch.randn(b, s, 256)
        for weights in (False, True):
            sec = best_seconds(lambda: mha(x, x, x, need_weights=weights))
            result(f"attention.mha_b{b}_s{s}{'_weights' if weights else ''}.pytorch", sec * 1e3, "ms")


def encoder():
    torch.manual_seed(1)
    layer = torch.nn.TransformerEncoderLayer(256, 8, 1024, batch_first=True)
    x = torch.randn(32, 128, 256)
    layer.eval()
    sec = best_seconds(lambda: layer(x), rounds=5)
    result("encoder.layer_eval_b32_s128.pytorch", sec * 1e3, "ms")
    layer.train()

    def step():
        with torch.enable_grad():
            layer.zero_grad()
            layer(x).sum().backward()
    sec = best_seconds(step, rounds=5)
    result("encoder.layer_train_b32_s128.pytorch", sec * 1e3, "ms")


def recurrent():
    torch.manual_seed(1)
    x = torch.randn(960, 20, 100)
    for name, rnn in (("bigru", torch.nn.GRU(100, 50, bidirectional=True, batch_first=True)),
                      ("bilstm", torch.nn.LSTM(100, 50, bidirectional=True, batch_first=True))):
        def step():
            with torch.enable_grad():
                rnn.zero_grad()
                rnn(x)[0].sum().backward()
        sec = best_seconds(step, rounds=3)
        result(f"recurrent.{name}_train.pytorch", 960 / sec, "sequences/s")
        sec = best_seconds(lambda: rnn(x), rounds=3)
        result(f"recurrent.{name}_infer.pytorch", 960 / sec, "sequences/s")


class AttentionPool(torch.nn.Module):
    def __init__(self, d, a):
        super().__init__()
        self.proj = torch.nn.Linear(d, a)
        self.context = torch.nn.Parameter(torch.rand(a) - 0.5)

    def forward(self, h):
        w = torch.softmax(torch.tanh(self.proj(h)) @ self.context, dim=-1)
        return (w.unsqueeze(-1) * h).sum(1), w


class Han(torch.nn.Module):
    def __init__(self, vocab=30000, emb=100, hidden=50, att=100, classes=2):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab, emb, padding_idx=0)
        self.word = torch.nn.GRU(emb, hidden, bidirectional=True, batch_first=True)
        self.word_att = AttentionPool(2 * hidden, att)
        self.sentence = torch.nn.GRU(2 * hidden, hidden, bidirectional=True, batch_first=True)
        self.sentence_att = AttentionPool(2 * hidden, att)
        self.head = torch.nn.Linear(2 * hidden, classes)

    def forward(self, tokens):
        b, s, w = tokens.shape
        words, _ = self.word(self.embedding(tokens.view(b * s, w)))
        sentences, _ = self.word_att(words)
        encoded, _ = self.sentence(sentences.view(b, s, -1))
        document, _ = self.sentence_att(encoded)
        return self.head(document)


def han():
    torch.manual_seed(1)
    model = Han()
    tokens = torch.randint(2, 30000, (64, 15, 20))
    labels = torch.arange(64) % 2
    optimizer = torch.optim.AdamW(model.parameters(), 1e-3)
    loss = torch.nn.CrossEntropyLoss()

    def step():
        with torch.enable_grad():
            optimizer.zero_grad()
            loss(model(tokens), labels).backward()
            optimizer.step()
    model.train()
    sec = best_seconds(step, rounds=3)
    result("han.train_b64.pytorch", 64 / sec, "documents/s")
    model.eval()
    sec = best_seconds(lambda: model(tokens), rounds=3)
    result("han.infer_b64.pytorch", 64 / sec, "documents/s")


class Seq2Seq(torch.nn.Module):
    """The dates eval's model as SequenceToSequenceModel builds it: BiGRU encoder, tanh bridge, GRU decoder fed the
    previous token and the additive attention's context (from the previous state), h~ = tanh(W_c [context; state])."""
    def __init__(self, src=50, tgt=15, emb=32, hidden=64, att=64):
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
        with torch.no_grad():
            self.output.bias[3] = -1e9  # the end marker, so that greedy decoding runs every step

    def encode(self, source):
        states, final = self.encoder(self.src(source))
        state = torch.tanh(self.bridge(torch.cat([final[0], final[1]], 1)))
        return states, self.key(states), state

    def step(self, states, keys, state, previous):
        scores = self.v(torch.tanh(self.query(state).unsqueeze(1) + keys)).squeeze(2)
        weights = torch.softmax(scores, 1)
        context = torch.bmm(weights.unsqueeze(1), states).squeeze(1)
        state = self.decoder(torch.cat([self.tgt(previous), context], 1), state)
        return self.output(torch.tanh(self.combine(torch.cat([context, state], 1)))), state

    def forward(self, source, target_input):
        states, keys, state = self.encode(source)
        logits = []
        for t in range(target_input.shape[1]):
            out, state = self.step(states, keys, state, target_input[:, t])
            logits.append(out)
        return torch.stack(logits, 1)

    def greedy(self, source, steps):
        states, keys, state = self.encode(source)
        previous = torch.full((source.shape[0],), 2, dtype=torch.long)
        tokens = []
        for _ in range(steps):
            out, state = self.step(states, keys, state, previous)
            previous = out.argmax(1)
            tokens.append(previous)
        return torch.stack(tokens, 1)


def seq2seq():
    for hidden, suffix in ((64, ""), (128, "_h128")):
        torch.manual_seed(1)
        model = Seq2Seq(hidden=hidden, att=hidden)
        optimizer = torch.optim.AdamW(model.parameters(), 1e-3)
        loss = torch.nn.CrossEntropyLoss()
        model.train()
        for b in (64, 256):
            source = torch.randint(4, 50, (b, 20))
            target = torch.randint(4, 15, (b, 10))
            target_input = torch.cat([torch.full((b, 1), 2), target], 1)
            target_output = torch.cat([target, torch.full((b, 1), 3)], 1)

            def step():
                with torch.enable_grad():
                    optimizer.zero_grad()
                    loss(model(source, target_input).reshape(-1, 15), target_output.reshape(-1)).backward()
                    optimizer.step()
            sec = best_seconds(step, rounds=3)
            result(f"seq2seq.train_b{b}{suffix}.pytorch", b / sec, "pairs/s")
        model.eval()
        source = torch.randint(4, 50, (256, 20))
        sec = best_seconds(lambda: model.greedy(source, 11), rounds=3)
        result(f"seq2seq.greedy_b256{suffix}.pytorch", 256 / sec, "sequences/s")


class TorchSE(torch.nn.Module):
    """timm's SEModule at its defaults (ratio 1/16, divisor 8, ReLU, sigmoid)."""
    def __init__(self, c):
        super().__init__()
        rd = max(8, int(c / 16 + 4) // 8 * 8)
        self.fc1 = torch.nn.Conv2d(c, rd, 1)
        self.fc2 = torch.nn.Conv2d(rd, c, 1)

    def forward(self, x):
        return x * torch.sigmoid(self.fc2(torch.relu(self.fc1(x.mean((2, 3), keepdim=True)))))


class TorchCbam(torch.nn.Module):
    """timm's CbamModule at its defaults (ratio 1/16, divisor 1, no MLP bias, 7×7 conv + BatchNorm)."""
    def __init__(self, c):
        super().__init__()
        rd = max(1, int(c / 16 + 0.5))
        self.fc1 = torch.nn.Conv2d(c, rd, 1, bias=False)
        self.fc2 = torch.nn.Conv2d(rd, c, 1, bias=False)
        self.conv = torch.nn.Conv2d(2, 1, 7, padding=3, bias=False)
        self.bn = torch.nn.BatchNorm2d(1)

    def forward(self, x):
        mlp = lambda v: self.fc2(torch.relu(self.fc1(v)))
        x = x * torch.sigmoid(mlp(x.mean((2, 3), keepdim=True)) + mlp(x.amax((2, 3), keepdim=True)))
        a = torch.cat([x.mean(1, keepdim=True), x.amax(1, keepdim=True)], 1)
        return x * torch.sigmoid(self.bn(self.conv(a)))


def cnn_net(kind):
    att = {"plain": lambda c: torch.nn.Identity(), "se": TorchSE, "cbam": TorchCbam}[kind]
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2), att(64),
        torch.nn.Conv2d(64, 128, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2), att(128),
        torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(128, 10))


def cnn():
    for kind in ("plain", "se", "cbam"):
        torch.manual_seed(1)
        net = cnn_net(kind)
        x = torch.randn(128, 1, 28, 28)
        labels = torch.arange(128) % 10
        optimizer = torch.optim.Adam(net.parameters(), 1e-3)
        loss = torch.nn.CrossEntropyLoss()

        def step():
            with torch.enable_grad():
                optimizer.zero_grad()
                loss(net(x), labels).backward()
                optimizer.step()
        net.train()
        sec = best_seconds(step, rounds=3)
        result(f"cnn.train_b128_{kind}.pytorch", 128 / sec, "images/s")
        net.eval()
        test = torch.randn(256, 1, 28, 28)
        sec = best_seconds(lambda: net(test), rounds=3)
        result(f"cnn.infer_b256_{kind}.pytorch", 256 / sec, "images/s")


SUITES = {"gemm": gemm, "attention": attention, "encoder": encoder, "recurrent": recurrent, "han": han, "seq2seq": seq2seq, "cnn": cnn}

if __name__ == "__main__":
    with torch.no_grad():
        SUITES[sys.argv[1]]()
