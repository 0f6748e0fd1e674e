using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;

namespace Microsoft.ML.Attention.Tests.Vision;

/// <summary>
/// Scoring a conv + batch-norm block (evaluation mode, no tape) folds the normalization into the kernels and applies the
/// ReLU as the convolution writes: the same values as the convolution, the normalization and the activation one after
/// another, for every activation, stride and an affine-free normalization.
/// </summary>
[TestClass]
public sealed class ConvBatchNormInferenceTests
{
    [TestMethod]
    [DataRow(ActivationKind.Relu, 1, true)]
    [DataRow(ActivationKind.Relu, 2, true)]
    [DataRow(ActivationKind.Silu, 1, true)]
    [DataRow(null, 1, true)]
    [DataRow(ActivationKind.Relu, 1, false)]
    public void Scoring_FoldsTheNormalization_AndEqualsTheLayersOneAfterAnother(ActivationKind? activation, int stride, bool affine)
    {
        var block = new ConvBatchNorm(5, 12, 3, new Random(1), stride, activation, affine);

        // Running statistics and affine parameters far from their initial 0/1, as after training.
        GradCheck.Rand(2, 12).AsSpan().CopyTo(block.Norm.RunningMean.AsSpan());
        float[] variance = [.. GradCheck.Rand(3, 12).ToArray().Select(v => 0.2f + v * v)];
        variance.CopyTo(block.Norm.RunningVar.AsSpan());
        if (affine)
        {
            GradCheck.Rand(4, 12).AsSpan().CopyTo(block.Norm.Weight!.AsSpan());
            GradCheck.Rand(5, 12).AsSpan().CopyTo(block.Norm.Bias!.AsSpan());
        }

        block.Eval();
        Tensor x = GradCheck.Rand(6, 7, 5, 9, 8);
        Tensor reference = block.Norm.Forward(block.Conv.Forward(x));
        reference = activation is { } kind ? Activation.Apply(kind, reference) : reference;
        Tensor scored;
        using (GradMode.NoGrad())
        {
            scored = block.Forward(x);
        }

        Check.Close(scored, reference, "scored block", rtol: 1e-5f, atol: 1e-5f);
        if (activation == ActivationKind.Relu)
        {
            Assert.IsTrue(reference.ToArray().Count(v => v == 0f) > reference.Length / 4, "the ReLU must clip a good share of the outputs");
        }

        block.Train();
        using (GradMode.NoGrad())
        {
            Tensor training = block.Forward(x);
            Assert.AreNotEqual(scored.ToArray()[0], training.ToArray()[0], "in training mode the batch's statistics normalize, not the running ones");
        }
    }
}
