"""Writes the PyTorch parity fixtures of the vision attention modules (committed; tests never run Python).

Run with Debian's torch:  /usr/bin/python3 test/Microsoft.ML.Attention.Tests/Fixtures/generate_vision_fixtures.py
Same layout as generate_fixtures.py. The modules below restate timm 0.9's SEModule, EcaModule and CbamModule
(timm/layers/squeeze_excite.py, eca.py, cbam.py) with the same parameter names, so that their state_dicts load
as they are; the glimpse sensor restates the retina of Mnih et al. (2014) as kevinzakka/recurrent-visual-attention
writes it (modules.py, Retina), with the x coordinate scaled by the width and y by the height.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from generate_fixtures import module_case, randomize, save

torch.manual_seed(20261201)


def make_divisible(v, divisor=8, min_value=None, round_limit=.9):
    min_value = min_value or divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < round_limit * v:
        new_v += divisor
    return new_v


def hard_sigmoid(x):
    return F.relu6(x + 3.) / 6.


class SEModule(nn.Module):
    def __init__(self, channels, rd_ratio=1. / 16, rd_divisor=8, act=nn.ReLU, gate=torch.sigmoid, add_maxpool=False):
        super().__init__()
        rd = make_divisible(channels * rd_ratio, rd_divisor, round_limit=0.)
        self.add_maxpool = add_maxpool
        self.fc1 = nn.Conv2d(channels, rd, kernel_size=1, bias=True)
        self.act = act()
        self.fc2 = nn.Conv2d(rd, channels, kernel_size=1, bias=True)
        self.gate = gate

    def forward(self, x):
        x_se = x.mean((2, 3), keepdim=True)
        if self.add_maxpool:
            x_se = 0.5 * x_se + 0.5 * x.amax((2, 3), keepdim=True)
        gate = self.gate(self.fc2(self.act(self.fc1(x_se))))
        return x * gate, gate


class EcaModule(nn.Module):
    def __init__(self, channels, gamma=2, beta=1):
        super().__init__()
        t = int(abs(math.log(channels, 2) + beta) / gamma)
        k = max(t if t % 2 else t + 1, 3)
        self.conv = nn.Conv1d(1, 1, kernel_size=k, padding=(k - 1) // 2, bias=False)

    def forward(self, x):
        y = x.mean((2, 3)).view(x.shape[0], 1, -1)
        y = torch.sigmoid(self.conv(y)).view(x.shape[0], -1, 1, 1)
        return x * y, y


class ChannelAttn(nn.Module):
    def __init__(self, channels, rd_ratio=1. / 16, rd_divisor=1, mlp_bias=False):
        super().__init__()
        rd = make_divisible(channels * rd_ratio, rd_divisor, round_limit=0.)
        self.fc1 = nn.Conv2d(channels, rd, 1, bias=mlp_bias)
        self.act = nn.ReLU()
        self.fc2 = nn.Conv2d(rd, channels, 1, bias=mlp_bias)

    def forward(self, x):
        x_avg = self.fc2(self.act(self.fc1(x.mean((2, 3), keepdim=True))))
        x_max = self.fc2(self.act(self.fc1(x.amax((2, 3), keepdim=True))))
        gate = torch.sigmoid(x_avg + x_max)
        return x * gate, gate


class ConvNorm(nn.Module):
    def __init__(self, cin, cout, k):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class SpatialAttn(nn.Module):
    def __init__(self, kernel_size=7):
        super().__init__()
        self.conv = ConvNorm(2, 1, kernel_size)

    def forward(self, x):
        x_attn = torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)
        gate = torch.sigmoid(self.conv(x_attn))
        return x * gate, gate


class CbamModule(nn.Module):
    def __init__(self, channels, rd_ratio=1. / 16, rd_divisor=1, spatial_kernel_size=7, mlp_bias=False):
        super().__init__()
        self.channel = ChannelAttn(channels, rd_ratio, rd_divisor, mlp_bias)
        self.spatial = SpatialAttn(spatial_kernel_size)

    def forward(self, x):
        x, channel_gate = self.channel(x)
        x, spatial_gate = self.spatial(x)
        return x, channel_gate, spatial_gate


def retina(x, l, g, k, s):
    """The multi-resolution glimpse: k square patches centred on l (x, y in [-1, 1]), sizes g, g·s, g·s², ...,
    each average-pooled down to g×g, zero outside the image; [B, k·C, g, g]."""
    B, C, H, W = x.shape
    phi, size = [], g
    for _ in range(k):
        sx = (0.5 * ((l[:, 0] + 1.0) * W)).long()
        sy = (0.5 * ((l[:, 1] + 1.0) * H)).long()
        padded = F.pad(x, (size // 2, size // 2, size // 2, size // 2))
        patch = torch.stack([padded[i, :, sy[i]:sy[i] + size, sx[i]:sx[i] + size] for i in range(B)])
        phi.append(F.avg_pool2d(patch, size // g) if size != g else patch)
        size = int(s * size)
    return torch.cat(phi, 1)


def main():
    # Conv1d with padding (the ECA convolution).
    conv1 = nn.Conv1d(3, 4, 5, padding=2)
    module_case("conv1d", conv1, {"x": torch.randn(2, 3, 9)}, lambda m, i: {"y": m(i["x"])})

    # Squeeze-and-excitation: timm's defaults (ReLU, sigmoid, 1/16 rounded to a multiple of 8) ...
    se = SEModule(32)
    randomize(se)
    module_case("se_default", se, {"x": torch.randn(2, 32, 5, 4)}, lambda m, i: dict(zip(("y", "gate"), m(i["x"]))))
    # ... and SiLU, hard sigmoid, ratio 1/4 to a multiple of 1, average and max pooled.
    se2 = SEModule(12, rd_ratio=0.25, rd_divisor=1, act=nn.SiLU, gate=hard_sigmoid, add_maxpool=True)
    randomize(se2)
    module_case("se_silu_hardsigmoid_maxpool", se2, {"x": torch.randn(2, 12, 3, 3) * 2},
                lambda m, i: dict(zip(("y", "gate"), m(i["x"]))))

    # ECA on 128 channels: kernel 5 from the channel count.
    eca = EcaModule(128)
    randomize(eca)
    module_case("eca", eca, {"x": torch.randn(2, 128, 3, 2)}, lambda m, i: dict(zip(("y", "gate"), m(i["x"]))))

    # CBAM (timm): channel MLP without bias over average and max pooling, 7×7 conv + BatchNorm over channel mean
    # and max, training mode (batch statistics).
    cbam = CbamModule(32)
    randomize(cbam)
    cbam.train()
    module_case("cbam", cbam, {"x": torch.randn(2, 32, 6, 5)},
                lambda m, i: dict(zip(("y", "channel_gate", "spatial_gate"), m(i["x"]))))

    # affine_grid + grid_sample, bilinear, both paddings and both align_corners: a sampled grid that reaches
    # outside the image (gradients of input and grid), and a grid made from theta (gradient of theta).
    x = torch.randn(2, 3, 5, 6)
    grid = torch.rand(2, 4, 7, 2) * 2.6 - 1.3
    theta = torch.tensor([[[0.8, -0.3, 0.1], [0.2, 0.9, -0.2]], [[1.1, 0.2, -0.3], [-0.1, 0.7, 0.25]]])
    # Perturbed so that no grid point falls on a pixel exactly, where bilinear sampling has a kink and the one-sided
    # gradient would depend on the last bit of the coordinate.
    theta = theta + torch.rand(2, 2, 3) * 0.02
    for padding in ("zeros", "border"):
        for align in (False, True):
            inputs = {"x": x.clone(), "grid": grid.clone(), "theta": theta.clone()}

            def sample(_, i, padding=padding, align=align):
                g = F.affine_grid(i["theta"], [2, 3, 4, 7], align_corners=align)
                return {"y": F.grid_sample(i["x"], i["grid"], "bilinear", padding, align),
                        "affine_grid": g,
                        "z": F.grid_sample(i["x"], g, "bilinear", padding, align)}

            module_case(f"grid_sample_{padding}_{'aligned' if align else 'unaligned'}", nn.Module(), inputs, sample)

    # The glimpse sensor: 3 scales of 4×4 (4, 8, 16 pixels) at locations near the centre and the borders.
    images = torch.randn(3, 2, 12, 10)
    locations = torch.tensor([[0.05, -0.1], [-0.97, 0.93], [0.81, -0.66]])
    save("glimpse_sensor", {"input.x": images, "input.l": locations, "output.glimpse": retina(images, locations, 4, 3, 2)})


if __name__ == "__main__":
    main()
