using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// A spatial transformer (Jaderberg et al. 2015): a localisation network (<c>localization</c>, any module from
/// [N, C, H, W] to [N, F]) and a linear head <c>fc_loc</c> predict an affine transform per image; the input is
/// resampled through <see cref="Ops.AffineGrid"/> and <see cref="Ops.GridSample"/>. The head starts at zero weights
/// and the identity bias (1, 0, 0, 0, 1, 0), so that the module passes its input through until training moves it.
/// </summary>
public sealed class SpatialTransformer : Module<Tensor, Tensor>
{
    /// <summary>Creates the transformer over <paramref name="localization"/>'s <paramref name="localizationFeatures"/> features.</summary>
    public SpatialTransformer(
        Module<Tensor, Tensor> localization, int localizationFeatures, int outputHeight, int outputWidth, Random random,
        GridPaddingMode padding = GridPaddingMode.Zeros, bool alignCorners = false)
    {
        ArgumentNullException.ThrowIfNull(localization);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputWidth);
        Localization = RegisterModule("localization", localization);
        Head = RegisterModule("fc_loc", new Linear(localizationFeatures, 6, random: random));
        Head.Weight.AsSpan().Clear();
        float[] identity = [1f, 0f, 0f, 0f, 1f, 0f];
        identity.CopyTo(Head.Bias!.AsSpan());
        OutputHeight = outputHeight;
        OutputWidth = outputWidth;
        Padding = padding;
        AlignCorners = alignCorners;
    }

    /// <summary>The localisation network.</summary>
    public Module<Tensor, Tensor> Localization { get; }

    /// <summary>The linear head that predicts the 6 affine parameters.</summary>
    public Linear Head { get; }

    /// <summary>Rows of the resampled output.</summary>
    public int OutputHeight { get; }

    /// <summary>Columns of the resampled output.</summary>
    public int OutputWidth { get; }

    /// <summary>What sampling reads outside the input.</summary>
    public GridPaddingMode Padding { get; }

    /// <summary>The grid convention (see <see cref="Ops.AffineGrid"/>).</summary>
    public bool AlignCorners { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Transform(input).Output;

    /// <summary>The resampled input and the transforms.</summary>
    public SpatialTransformerOutput Transform(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor theta = Head.Forward(Localization.Forward(input)).Reshape(input.Dims[0], 2, 3);
        Tensor grid = theta.AffineGrid(OutputHeight, OutputWidth, AlignCorners);
        return new SpatialTransformerOutput(input.GridSample(grid, Padding, AlignCorners), theta);
    }
}
