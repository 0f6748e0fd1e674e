"""Writes the PyTorch parity fixtures used by the C# tests (committed; tests never run Python).

Run with Debian's torch:  /usr/bin/python3 test/Microsoft.ML.Attention.Tests/Fixtures/generate_fixtures.py
Each <case>.safetensors holds, as float32:
  input.*            inputs (integer inputs such as targets or lengths stored as floats)
  param.<name>       the module's state_dict, under PyTorch's own names
  output.*           forward outputs
  grad_output.*      the seed R of the backward pass: loss = sum(output * R) over all outputs
  grad.input.*       gradients of the inputs
  grad.param.<name>  gradients of the parameters
  after.*            state after the step (e.g. BatchNorm running statistics)
"""
import json
import os
import struct

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(20261121)


def save(name, tensors):
    header, blobs, offset = {}, [], 0
    for key in sorted(tensors):
        t = tensors[key].detach().to(torch.float32).contiguous()
        data = t.numpy().tobytes()
        header[key] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(os.path.join(HERE, name + ".safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def randomize(module):
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-0.5, 0.5)


def module_case(name, module, inputs, forward, extra=None):
    """inputs: dict name -> tensor (float ones get requires_grad); forward returns dict name -> output."""
    for t in inputs.values():
        if t.is_floating_point():
            t.requires_grad_(True)
    state_before = {k: v.clone() for k, v in module.state_dict().items()}
    outputs = forward(module, inputs)
    seeds = {k: torch.randn_like(v) for k, v in outputs.items()}
    loss = sum((outputs[k] * seeds[k]).sum() for k in outputs)
    loss.backward()
    record = {}
    for k, v in inputs.items():
        record["input." + k] = v.float()
        if v.is_floating_point() and v.grad is not None:
            record["grad.input." + k] = v.grad
    for k, v in state_before.items():
        if k.endswith("num_batches_tracked"):
            continue
        record["param." + k] = v
    for k, p in module.named_parameters():
        if p.grad is not None:
            record["grad.param." + k] = p.grad
    for k, v in outputs.items():
        record["output." + k] = v
        record["grad_output." + k] = seeds[k]
    if extra:
        record.update(extra(module))
    save(name, record)


def main():
    # Linear over a rank-3 input.
    lin = nn.Linear(7, 5)
    module_case("linear", lin, {"x": torch.randn(4, 3, 7)}, lambda m, i: {"y": m(i["x"])})

    # Conv2d with stride and padding, and with groups.
    conv = nn.Conv2d(4, 6, 3, stride=2, padding=1)
    module_case("conv2d", conv, {"x": torch.randn(2, 4, 9, 9)}, lambda m, i: {"y": m(i["x"])})
    convg = nn.Conv2d(4, 6, 3, stride=1, padding=1, groups=2)
    module_case("conv2d_groups", convg, {"x": torch.randn(2, 4, 6, 7)}, lambda m, i: {"y": m(i["x"])})

    # BatchNorm2d: training step (batch statistics, running-stat update), then an eval forward.
    bn = nn.BatchNorm2d(3)
    randomize(bn)
    bn.train()
    x_eval = torch.randn(2, 3, 5, 5)

    def bn_extra(m):
        m.eval()
        with torch.no_grad():
            y_eval = m(x_eval)
        return {"after.running_mean": m.running_mean, "after.running_var": m.running_var,
                "after.input_eval": x_eval, "after.output_eval": y_eval}

    module_case("batchnorm2d", bn, {"x": torch.randn(4, 3, 5, 5) * 2 + 1}, lambda m, i: {"y": m(i["x"])}, bn_extra)

    # LayerNorm with non-trivial affine parameters.
    ln = nn.LayerNorm(6)
    randomize(ln)
    module_case("layernorm", ln, {"x": torch.randn(3, 4, 6) * 3 + 0.5}, lambda m, i: {"y": m(i["x"])})

    # Bidirectional two-layer LSTM and GRU, batch-first, variable lengths through packing.
    lengths = torch.tensor([6, 4, 2])

    def rnn_forward(m, i):
        packed = nn.utils.rnn.pack_padded_sequence(i["x"], lengths, batch_first=True, enforce_sorted=False)
        out, state = m(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=6)
        if isinstance(state, tuple):
            return {"output": out, "h_n": state[0], "c_n": state[1]}
        return {"output": out, "h_n": state}

    lstm = nn.LSTM(5, 4, num_layers=2, bidirectional=True, batch_first=True)
    module_case("lstm", lstm, {"x": torch.randn(3, 6, 5), "lengths": lengths.float()}, rnn_forward)
    gru = nn.GRU(5, 4, num_layers=2, bidirectional=True, batch_first=True)
    module_case("gru", gru, {"x": torch.randn(3, 6, 5), "lengths": lengths.float()}, rnn_forward)

    # Cross-entropy: plain, and with class weights, ignore_index and label smoothing.
    targets = torch.tensor([0, 3, 1, -100, 4, 2])
    weight = torch.rand(5) + 0.5
    for name, loss_fn in (("cross_entropy", nn.CrossEntropyLoss()),
                          ("cross_entropy_options", nn.CrossEntropyLoss(weight=weight, ignore_index=-100, label_smoothing=0.1))):
        logits = (torch.randn(6, 5) * 2).requires_grad_(True)
        t = targets.clone()
        if name == "cross_entropy":
            t[3] = 1
        loss = loss_fn(logits, t)
        loss.backward()
        save(name, {"input.logits": logits, "input.targets": t.float(), "input.weight": weight,
                    "output.loss": loss.reshape(1), "grad.input.logits": logits.grad})

    # BCE with logits and MSE.
    x = (torch.randn(4, 3) * 3).requires_grad_(True)
    t = torch.rand(4, 3)
    loss = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(2.0))(x, t)
    loss.backward()
    save("bce_with_logits", {"input.x": x, "input.t": t, "output.loss": loss.reshape(1), "grad.input.x": x.grad})

    # Multi-head attention, batch-first. Self-attention with a boolean key padding mask and a boolean attention
    # mask (True = blocked), per-head weights; cross-attention with kdim/vdim and an additive per-head mask,
    # averaged weights. (Appended last so the earlier cases keep their random draws.)
    mha = nn.MultiheadAttention(12, 3, batch_first=True)
    randomize(mha)
    padding = torch.tensor([[False] * 5, [False, False, False, True, True]])
    blocked = torch.rand(5, 5) < 0.3
    blocked.fill_diagonal_(False)

    def mha_self(m, i):
        y, w = m(i["x"], i["x"], i["x"], key_padding_mask=padding, attn_mask=blocked, need_weights=True, average_attn_weights=False)
        return {"y": y, "weights": w}

    module_case("mha_self_masks", mha, {"x": torch.randn(2, 5, 12), "key_padding_mask": padding.float(), "attn_mask": blocked.float()}, mha_self)

    cross = nn.MultiheadAttention(12, 4, kdim=7, vdim=9, batch_first=True)
    randomize(cross)
    additive = torch.randn(2 * 4, 4, 6)

    def mha_cross(m, i):
        y, w = m(i["q"], i["k"], i["v"], attn_mask=additive, need_weights=True, average_attn_weights=True)
        return {"y": y, "weights": w}

    module_case("mha_cross_kdim_vdim", cross, {"q": torch.randn(2, 4, 12), "k": torch.randn(2, 6, 7), "v": torch.randn(2, 6, 9)}, mha_cross,
                lambda m: {"input.additive_mask": additive})

    # Transformer encoder layers in both norm orders (ReLU post-norm, GELU pre-norm), with a key padding mask,
    # dropout 0 so that training mode is deterministic.
    enc_padding = torch.tensor([[False] * 6, [False, False, False, False, True, True]])
    for name, norm_first, activation in (("encoder_layer_post_norm", False, "relu"), ("encoder_layer_pre_norm", True, "gelu")):
        layer = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, activation=activation, batch_first=True, norm_first=norm_first)
        randomize(layer)
        module_case(name, layer, {"x": torch.randn(2, 6, 16), "key_padding_mask": enc_padding.float()},
                    lambda m, i: {"y": m(i["x"], src_key_padding_mask=enc_padding)})

    # Separate query, key and value inputs of the model width: the packed in_proj_weight is sliced q | k | v
    # (a swap of the key and value slices is invisible to self-attention, where all three are the same input).
    separate = nn.MultiheadAttention(12, 3, batch_first=True)
    randomize(separate)

    def mha_separate(m, i):
        y, w = m(i["q"], i["k"], i["v"], need_weights=True, average_attn_weights=False)
        return {"y": y, "weights": w}

    module_case("mha_separate_qkv", separate, {"q": torch.randn(2, 4, 12), "k": torch.randn(2, 6, 12), "v": torch.randn(2, 6, 12)}, mha_separate)

    # AdamW over three steps with changing gradients: decoupled decay must not enter the moments (an L2 term in the
    # gradient is invisible on step one, where m/sqrt(v) is the gradient's sign).
    w = torch.randn(6, requires_grad=True)
    record = {"input.w": w.detach().clone()}
    adamw = torch.optim.AdamW([w], lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)
    for step in range(3):
        g = torch.randn(6) * (step + 1)
        w.grad = g.clone()
        adamw.step()
        record[f"input.grad{step}"] = g
        record[f"output.w{step}"] = w.detach().clone()
    save("adamw_steps", record)


if __name__ == "__main__":
    main()
