using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;
using Microsoft.ML.Attention.Training;
using static Microsoft.ML.Attention.Tests.Support.GradCheck;

namespace Microsoft.ML.Attention.Tests;

/// <summary>Finite-difference checks of the analytic gradient of every differentiable operation and module.</summary>
[TestClass]
public sealed class GradCheckTests
{
    [TestMethod]
    public void BinaryOps_WithBroadcasting()
    {
        Verify(x => x[0].Add(x[1]), [Rand(1, 3, 4), Rand(2, 4)], "Add [3,4]+[4]");
        Verify(x => x[0].Sub(x[1]), [Rand(1, 2, 1, 4), Rand(2, 3, 1)], "Sub [2,1,4]-[3,1]");
        Verify(x => x[0].Mul(x[1]), [Rand(1, 2, 3, 4), Rand(2, 3, 1)], "Mul [2,3,4]*[3,1]");
        Verify(x => x[0].Div(x[1]), [Rand(1, 3, 4), Positive(2, 1, 4)], "Div [3,4]/[1,4]");
        Verify(x => x[0].Mul(x[1]), [Rand(1, 3, 4), Rand(2, [])], "Mul by a scalar tensor");
    }

    [TestMethod]
    public void UnaryOps()
    {
        Verify(x => x[0].Add(1.5f).Mul(-2f), [Rand(1, 3, 5)], "AddScalar, MulScalar");
        Verify(x => x[0].Pow(3f), [Rand(1, 3, 5)], "Pow");
        Verify(x => x[0].Exp(), [Rand(1, 3, 5)], "Exp");
        Verify(x => x[0].Log(), [Positive(1, 3, 5)], "Log");
        Verify(x => x[0].Sqrt(), [Positive(1, 3, 5)], "Sqrt");
        Verify(x => x[0].Tanh(), [Rand(1, 3, 5)], "Tanh");
        Verify(x => x[0].Sigmoid(), [Rand(1, 3, 5)], "Sigmoid");
        Verify(x => x[0].Relu(), [AwayFromZero(1, 3, 5)], "Relu");
        Verify(x => x[0].Gelu(), [Rand(1, 3, 5)], "Gelu");
        Verify(x => x[0].Silu(), [Rand(1, 3, 5)], "Silu");
        Verify(x => x[0].Neg(), [Rand(1, 3, 5)], "Neg");
    }

    [TestMethod]
    public void Reductions()
    {
        Verify(x => x[0].Sum(), [Rand(1, 3, 4)], "Sum");
        Verify(x => x[0].Mean(), [Rand(1, 3, 4)], "Mean");
        Verify(x => x[0].Sum(1), [Rand(1, 2, 3, 4)], "Sum(dim 1)");
        Verify(x => x[0].Sum(-1, keepDim: true), [Rand(1, 2, 3, 4)], "Sum(dim -1, keep)");
        Verify(x => x[0].Mean(0), [Rand(1, 2, 3, 4)], "Mean(dim 0)");
        Verify(x => x[0].Max(1).Values, [Distinct(1, 2, 5, 3)], "Max(dim 1)");
    }

    [TestMethod]
    public void ShapeOps()
    {
        Verify(x => x[0].Reshape(6, -1).Mul(x[0].Reshape(6, 4)), [Rand(1, 2, 3, 4)], "Reshape");
        Verify(x => x[0].Transpose(0, 2), [Rand(1, 2, 3, 4)], "Transpose");
        Verify(x => x[0].Permute(2, 0, 1), [Rand(1, 2, 3, 4)], "Permute");
        Verify(x => x[0].Narrow(1, 1, 2), [Rand(1, 2, 4, 3)], "Narrow");
        Verify(x => x[0].Narrow(0, 1, 2).Mul(x[0].Narrow(0, 0, 2)), [Rand(1, 3, 4)], "Narrow along dim 0 (views)");
        Verify(x => Ops.Concat([x[0], x[1]], 1), [Rand(1, 2, 3), Rand(2, 2, 4)], "Concat");
        Verify(x => Ops.Stack([x[0], x[1]], 1), [Rand(1, 2, 3), Rand(2, 2, 3)], "Stack");
        Verify(x => { Tensor[] p = x[0].Split([1, 3], 1); return p[0].Sum().Add(p[1].Mul(p[1]).Sum()); }, [Rand(1, 2, 4)], "Split");
        Verify(x => x[0].Unsqueeze(1).Mul(x[1]), [Rand(1, 2, 3), Rand(2, 2, 4, 3)], "Unsqueeze + broadcast");
    }

    [TestMethod]
    public void IndexingOps()
    {
        Verify(x => x[0].IndexSelect([2, 0, 2, 1]), [Rand(1, 3, 4)], "IndexSelect (repeated rows accumulate)");
        Verify(x => x[0].Gather(1, [2, 0, 1, 1, 0, 2], [2, 3]), [Rand(1, 2, 3)], "Gather");
        Tensor mask = Tensor.FromArray([1, 0, 0, 1, 0, 1], 2, 3);
        Verify(x => x[0].MaskedFill(mask, -7f), [Rand(1, 2, 3)], "MaskedFill");
        Verify(x => x[0].MaskedFill(Tensor.FromArray([0, 1, 0], 3), 0f), [Rand(1, 2, 3)], "MaskedFill broadcast mask");
    }

    [TestMethod]
    public void MatMul_AllTransposesBatchedAndFolded()
    {
        foreach (bool ta in new[] { false, true })
        {
            foreach (bool tb in new[] { false, true })
            {
                Tensor a = ta ? Rand(1, 2, 4, 3) : Rand(1, 2, 3, 4);
                Tensor b = tb ? Rand(2, 2, 5, 4) : Rand(2, 2, 4, 5);
                Verify(x => x[0].MatMul(x[1], ta, tb), [a, b], $"batched MatMul transA={ta} transB={tb}");
            }
        }

        Verify(x => x[0].MatMul(x[1]), [Rand(1, 2, 3, 4), Rand(2, 4, 5)], "MatMul [2,3,4]·[4,5] folded");
        Verify(x => x[0].MatMul(x[1]), [Rand(3, 3, 1, 5), Rand(4, 3, 5, 19)], "MatMul [3,1,5]·[3,5,19]: one row per matrix (a decoder step's context)");
        Verify(x => x[0].MatMul(x[1], transposeB: true), [Rand(1, 2, 3, 4), Rand(2, 5, 4)], "MatMul [2,3,4]·[5,4]ᵀ folded");
        Verify(x => x[0].Linear(x[1], x[2]), [Rand(1, 2, 3, 4), Rand(2, 5, 4), Rand(3, 5)], "Linear");
        Verify(x => x[0].Linear(x[1]), [Rand(1, 3, 4), Rand(2, 5, 4)], "Linear without bias");
    }

    [TestMethod]
    public void SoftmaxFamily()
    {
        Verify(x => x[0].Softmax(-1), [Rand(1, 3, 5)], "Softmax(-1)");
        Verify(x => x[0].Softmax(1), [Rand(1, 2, 4, 3)], "Softmax(1)");
        Verify(x => x[0].LogSoftmax(-1), [Rand(1, 3, 5)], "LogSoftmax(-1)");
        Verify(x => x[0].LogSoftmax(0), [Rand(1, 3, 5)], "LogSoftmax(0)");
    }

    [TestMethod]
    public void Normalization()
    {
        Verify(x => x[0].LayerNorm(x[1], x[2]), [Rand(1, 3, 6), Rand(2, 6), Rand(3, 6)], "LayerNorm");
        Verify(x => x[0].LayerNorm(null, null), [Rand(1, 3, 6)], "LayerNorm without affine");
        Verify(x => x[0].BatchNorm(Tensor.Zeros(3), Tensor.Ones(3), x[1], x[2], training: true), [Rand(1, 4, 3, 2, 2), Rand(2, 3), Rand(3, 3)], "BatchNorm training");
        Verify(x => x[0].BatchNorm(Tensor.Zeros(3), Tensor.Ones(3), x[1], x[2], training: true), [Rand(1, 5, 3), Rand(2, 3), Rand(3, 3)], "BatchNorm1d [N, C]");
        Verify(x => x[0].BatchNorm(Tensor.Zeros(3), Tensor.Ones(3), x[1], x[2], training: true), [Rand(1, 4, 3, 6), Rand(2, 3), Rand(3, 3)], "BatchNorm1d [N, C, L]");
        Verify(x => x[0].BatchNorm(Tensor.Full(0.3f, 3), Tensor.Full(2f, 3), x[1], x[2], training: false), [Rand(1, 4, 3, 5), Rand(2, 3), Rand(3, 3)], "BatchNorm eval");
    }

    [TestMethod]
    public void ConvolutionAndPooling()
    {
        Verify(x => x[0].Conv2d(x[1], x[2], stride: 2, padding: 1), [Rand(1, 2, 3, 6, 5), Rand(2, 4, 3, 3, 3), Rand(3, 4)], "Conv2d stride 2 padding 1");
        Verify(x => x[0].Conv2d(x[1], null, stride: 1, padding: 0, groups: 2), [Rand(1, 1, 4, 5, 5), Rand(2, 6, 2, 2, 2)], "Conv2d groups 2");
        Verify(x => x[0].MaxPool2d(2), [Distinct(1, 2, 2, 4, 6)], "MaxPool2d");
        Verify(x => x[0].MaxPool2d(3, 2, 1), [Distinct(1, 1, 2, 5, 5)], "MaxPool2d padded");
        Verify(x => x[0].AvgPool2d(2, 1, 1), [Rand(1, 2, 2, 4, 5)], "AvgPool2d");
        Verify(x => x[0].AdaptiveAvgPool2d(2, 3), [Rand(1, 2, 2, 5, 7)], "AdaptiveAvgPool2d");
        Verify(x => x[0].AdaptiveAvgPool2d(1, 1), [Rand(1, 2, 3, 4, 4)], "global average pooling");
    }

    [TestMethod]
    public void Dropout_SameMaskGivesExactGradient()
    {
        Verify(x => x[0].Dropout(0.4f, training: true, new Random(5)), [Rand(1, 4, 6)], "Dropout");
    }

    [TestMethod]
    public void Losses()
    {
        int[] targets = [1, 0, 3, 2];
        Verify(x => new CrossEntropyLoss().Forward(x[0], targets), [Rand(1, 4, 5)], "CrossEntropy");
        Verify(x => new CrossEntropyLoss(Positive(3, 5), ignoreIndex: 0, labelSmoothing: 0.2f).Forward(x[0], targets), [Rand(1, 4, 5)], "CrossEntropy weighted, smoothed, ignore");
        Verify(x => new CrossEntropyLoss(reduction: Reduction.None).Forward(x[0], targets), [Rand(1, 4, 5)], "CrossEntropy unreduced");
        Tensor t = Tensor.Uniform(new Random(2), 0, 1, 3, 4);
        Verify(x => new BceWithLogitsLoss(positiveWeight: 1.5f).Forward(x[0], t), [Rand(1, 3, 4)], "BceWithLogits");
        Verify(x => new MseLoss().Forward(x[0], t), [Rand(1, 3, 4)], "MSE");
    }

    [TestMethod]
    public void Modules_LinearEmbeddingSequential()
    {
        var net = new Sequential(new Linear(4, 6, random: new Random(1)), new Activation(ActivationKind.Tanh), new LayerNorm(6), new Linear(6, 3, random: new Random(2)));
        Tensor[] ps = [.. net.Parameters()];
        Verify(x => net.Forward(x[0]), [Rand(1, 5, 4), .. ps], "Sequential(Linear, Tanh, LayerNorm, Linear)");
        var emb = new Embedding(6, 3, paddingIndex: 0, random: new Random(3));
        Verify(x => emb.Forward(([1, 4, 4, 2, 5, 1], [2, 3])), [emb.Weight], "Embedding");
    }

    [TestMethod]
    public void Modules_RecurrentWithLengths()
    {
        var lstm = new Lstm(3, 4, numLayers: 2, bidirectional: true, random: new Random(1));
        Verify(x => lstm.Forward(x[0], [4, 2]).Output, [Rand(1, 2, 4, 3), .. lstm.Parameters().Take(4)], "LSTM bidirectional 2 layers with lengths");
        var gru = new Gru(3, 4, bidirectional: true, batchFirst: false, random: new Random(2));
        Verify(x => gru.Forward(x[0], [3, 1]).Hidden, [Rand(1, 3, 2, 3), .. gru.Parameters()], "GRU bidirectional time-first, final state");
    }

    [TestMethod]
    public void Modules_Convolutional()
    {
        var net = new Sequential(new Conv2d(2, 3, 3, padding: 1, random: new Random(1)), new BatchNorm(3), new Activation(ActivationKind.Silu), new Pool2d(PoolKind.Average, 2), new Flatten());
        Verify(x => net.Forward(x[0]), [Rand(1, 3, 2, 4, 4), .. net.Parameters()], "Conv2d + BatchNorm + SiLU + AvgPool");
    }

    private static Tensor Positive(int seed, params int[] shape) => Tensor.Uniform(new Random(seed), 0.5f, 2f, shape);

    private static Tensor AwayFromZero(int seed, params int[] shape)
    {
        Tensor t = Rand(seed, shape);
        Span<float> s = t.AsSpan();
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = s[i] >= 0 ? s[i] + 0.1f : s[i] - 0.1f;
        }

        return t;
    }

    /// <summary>Values spaced well apart, so that a max is not flipped by the finite-difference step.</summary>
    private static Tensor Distinct(int seed, params int[] shape)
    {
        int n = ShapeMathLength(shape);
        var values = Enumerable.Range(0, n).Select(i => i * 0.1f - n * 0.05f).ToArray();
        new Random(seed).Shuffle(values);
        return Tensor.FromArray(values, shape);
    }

    private static int ShapeMathLength(int[] shape) => shape.Aggregate(1, (a, b) => a * b);
}
