using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Onnx;

/// <summary>
/// A <see cref="SpatialTransformer"/> as ONNX nodes (opset 17): the localization network (convolution + batch norm,
/// pooling, adaptive average pooling, flattening, linear layers, activations), the affine parameters θ, the sampling
/// grid (a constant of the output's normalised coordinates times θᵀ: <c>affine_grid</c>) and <c>GridSample</c>
/// (bilinear, the module's padding and <c>align_corners</c>).
/// </summary>
internal static class SpatialTransformerOnnx
{
    /// <summary>The resampled images [N, C, Ho, Wo] for <paramref name="x"/> [N, C, H, W].</summary>
    public static string Export(OnnxGraphBuilder g, string name, SpatialTransformer stn, string x, int channels, int height, int width)
    {
        string features = Localization(g, $"{name}.localization", stn.Localization, x, channels, height, width);
        Linear head = stn.Head;
        string theta = g.Linear(features, $"{name}.fc_loc", head.Weight.AsSpan(), head.OutFeatures, head.InFeatures, head.Bias is null ? [] : head.Bias.AsSpan());
        int ho = stn.OutputHeight, wo = stn.OutputWidth;

        // affine_grid: row (x_j, y_i, 1) of the output's normalised coordinates times θᵀ, taken from the engine's own grid of the identity.
        float[] identity = [1f, 0f, 0f, 0f, 1f, 0f];
        Tensor identityGrid;
        using (GradMode.NoGrad())
        {
            identityGrid = Tensor.FromArray(identity, 1, 2, 3).AffineGrid(ho, wo, stn.AlignCorners);
        }

        ReadOnlySpan<float> coordinates = identityGrid.AsSpan();
        float[] basis = new float[ho * wo * 3];
        for (int p = 0; p < ho * wo; p++)
        {
            basis[p * 3] = coordinates[p * 2];
            basis[p * 3 + 1] = coordinates[p * 2 + 1];
            basis[p * 3 + 2] = 1f;
        }

        string thetaT = g.Op("Transpose", [g.Op("Reshape", [theta, g.Int64s(-1, 2, 3)])], OnnxAttribute.Ints("perm", 0, 2, 1));
        string grid = g.Op("Reshape", [g.Op("MatMul", [g.Weight($"{name}.grid_basis", basis, ho * wo, 3), thetaT]), g.Int64s(-1, ho, wo, 2)]);
        return g.Op("GridSample", [x, grid], OnnxAttribute.String("mode", "bilinear"),
            OnnxAttribute.String("padding_mode", stn.Padding == GridPaddingMode.Border ? "border" : "zeros"), OnnxAttribute.Int("align_corners", stn.AlignCorners ? 1 : 0));
    }

    private static string Localization(OnnxGraphBuilder g, string name, Module<Tensor, Tensor> localization, string x, int channels, int h, int w)
    {
        IReadOnlyList<Module<Tensor, Tensor>> layers = localization is Sequential s ? s.Layers : [localization];
        bool flat = false;
        for (int i = 0; i < layers.Count; i++)
        {
            string at = $"{name}.{i}";
            switch (layers[i])
            {
                case ConvBatchNorm block when !flat && block.Conv.Stride == 1 && block.Conv.Padding * 2 == block.Conv.Weight.Shape[2] - 1:
                    x = ImageAttentionOnnx.ConvBatchNorm(g, at, block, x);
                    channels = block.Conv.Weight.Shape[0];
                    break;
                case Pool2d { Kind: PoolKind.Max, Padding: 0 } pool when !flat:
                    x = g.Op("MaxPool", [x], OnnxAttribute.Ints("kernel_shape", pool.KernelSize, pool.KernelSize), OnnxAttribute.Ints("strides", pool.Stride, pool.Stride));
                    h = (h - pool.KernelSize) / pool.Stride + 1;
                    w = (w - pool.KernelSize) / pool.Stride + 1;
                    break;
                case AdaptiveAvgPool2d pool when !flat:
                    x = AdaptiveAverage(g, at, x, channels, h, w, pool.OutputHeight, pool.OutputWidth);
                    (h, w) = (pool.OutputHeight, pool.OutputWidth);
                    break;
                case Flatten:
                    x = g.Op("Reshape", [x, g.Int64s(0, -1)]);
                    flat = true;
                    break;
                case Linear linear when flat:
                    x = g.Linear(x, at, linear.Weight.AsSpan(), linear.OutFeatures, linear.InFeatures, linear.Bias is null ? [] : linear.Bias.AsSpan());
                    break;
                case Activation { Kind: ActivationKind.Relu }:
                    x = g.Op("Relu", [x]);
                    break;
                default:
                    throw new NotSupportedException($"ONNX export: the spatial transformer's localization layer {i} ({layers[i].GetType().Name}) is not exported.");
            }
        }

        return flat ? x : g.Op("Reshape", [x, g.Int64s(0, -1)]);
    }

    /// <summary>
    /// Adaptive average pooling as a product with a constant [H·W, Ho·Wo] (PyTorch's uneven windows included): column o
    /// holds 1/|window| over window o, read from the engine's own pooling of one-hot planes.
    /// </summary>
    private static string AdaptiveAverage(OnnxGraphBuilder g, string name, string x, int channels, int h, int w, int ho, int wo)
    {
        Tensor planes = Tensor.Zeros(1, h * w, h, w);
        Span<float> p = planes.AsSpan();
        for (int k = 0; k < h * w; k++)
        {
            p[k * h * w + k] = 1f;
        }

        Tensor weights;
        using (GradMode.NoGrad())
        {
            weights = planes.AdaptiveAvgPool2d(ho, wo);
        }

        string flat = g.Op("Reshape", [x, g.Int64s(-1, channels, h * w)]);
        string pooled = g.Op("MatMul", [flat, g.Weight($"{name}.pooling", weights.AsSpan(), h * w, ho * wo)]);
        return g.Op("Reshape", [pooled, g.Int64s(-1, channels, ho, wo)]);
    }
}
