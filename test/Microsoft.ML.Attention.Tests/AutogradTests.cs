using Microsoft.ML.Attention.Tests.Support;
using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Tests;

/// <summary>Tape semantics: what is recorded, accumulation, detaching, freeing, no-grad scopes and pooled scopes.</summary>
[TestClass]
public sealed class AutogradTests
{
    [TestMethod]
    public void Backward_AccumulatesAcrossCallsUntilZeroed()
    {
        Tensor w = Tensor.FromArray([2f, -1f], 2);
        w.RequiresGrad = true;
        Tensor x = Tensor.FromArray([3f, 4f], 2);
        w.Mul(x).Sum().Backward();
        w.Mul(x).Sum().Backward();
        CollectionAssert.AreEqual(new[] { 6f, 8f }, w.Grad!.ToArray());
        w.Grad.AsSpan().Clear();
        w.Mul(w).Sum().Backward();
        CollectionAssert.AreEqual(new[] { 4f, -2f }, w.Grad!.ToArray());
    }

    [TestMethod]
    public void IndexSelect_AddsItsRowsToTheTablesGradient_FreshOrAlreadyThere_SkippingPadding()
    {
        // Table [4, 2]; rows 1, 3, 1 and the padding row 0; upstream gradient 1, 2, 3, 4 per row (times [1, 10]).
        Tensor table = Tensor.FromArray([0f, 0f, 1f, 2f, 3f, 4f, 5f, 6f], 4, 2);
        table.RequiresGrad = true;
        Tensor weights = Tensor.FromArray([1f, 10f, 2f, 20f, 3f, 30f, 4f, 40f], 4, 2);
        float[] once = [0f, 0f, 4f, 40f, 0f, 0f, 2f, 20f];
        table.IndexSelect([1, 3, 1, 0], paddingIndex: 0).Mul(weights).Sum().Backward(); // no gradient yet: a fresh one
        CollectionAssert.AreEqual(once, table.Grad!.ToArray(), "a fresh gradient");
        table.IndexSelect([1, 3, 1, 0], paddingIndex: 0).Mul(weights).Sum().Backward(); // added into the one there
        CollectionAssert.AreEqual(once.Select(x => 2 * x).ToArray(), table.Grad!.ToArray(), "added to the gradient already there");
    }

    [TestMethod]
    public void Backward_ThroughSharedSubexpression_SumsBothPaths()
    {
        Tensor a = Tensor.FromArray([1.5f], 1);
        a.RequiresGrad = true;
        Tensor b = a.Mul(a);             // a²
        Tensor y = b.Add(b).Add(a);      // 2a² + a → dy/da = 4a + 1
        y.Sum().Backward();
        Assert.AreEqual(7f, a.Grad!.Item(), 1e-6f);
    }

    [TestMethod]
    public void NoGrad_RecordsNothing()
    {
        Tensor w = Tensor.Ones(3);
        w.RequiresGrad = true;
        Tensor y;
        using (GradMode.NoGrad())
        {
            y = w.Mul(2f).Sum();
            Assert.IsFalse(GradMode.IsEnabled);
        }

        Assert.IsTrue(GradMode.IsEnabled);
        Assert.IsFalse(y.RequiresGrad);
        Assert.IsNull(y.GradFn);
        Assert.ThrowsExactly<InvalidOperationException>(() => y.Backward());
    }

    [TestMethod]
    public void Detach_StopsGradient()
    {
        Tensor w = Tensor.FromArray([3f], 1);
        w.RequiresGrad = true;
        Tensor y = w.Mul(w.Detach()).Sum(); // only one path differentiates: dy/dw = w
        y.Backward();
        Assert.AreEqual(3f, w.Grad!.Item(), 1e-6f);
    }

    [TestMethod]
    public void SecondBackward_ThroughFreedGraph_FailsClearly()
    {
        Tensor w = Tensor.Ones(2);
        w.RequiresGrad = true;
        Tensor y = w.Exp().Sum();
        y.Backward();
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => y.Backward());
        StringAssert.Contains(e.Message, "second time");
    }

    [TestMethod]
    public void Backward_OfNonScalarWithoutGradient_NamesTheShape()
    {
        Tensor w = Tensor.Ones(2, 3);
        w.RequiresGrad = true;
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => w.Mul(2f).Backward());
        StringAssert.Contains(e.Message, "[2, 3]");
    }

    [TestMethod]
    public void RequiresGrad_CannotBeClearedOnNonLeaf()
    {
        Tensor w = Tensor.Ones(2);
        w.RequiresGrad = true;
        Tensor y = w.Mul(2f);
        Assert.ThrowsExactly<InvalidOperationException>(() => y.RequiresGrad = false);
    }

    [TestMethod]
    public void Scope_ReturnsBuffersAndReusesThem_DisposedTensorsFailClearly()
    {
        Tensor w = Tensor.Ones(64);
        w.RequiresGrad = true;
        Tensor kept;
        Tensor dropped;
        using (TensorScope.Begin())
        {
            dropped = w.Mul(3f);
            kept = w.Mul(2f).MoveToOuterScope();
            dropped.Sum().Backward();
        }

        Assert.IsTrue(dropped.IsDisposed);
        Assert.IsFalse(kept.IsDisposed);
        Assert.AreEqual(2f, kept.AsSpan()[5]);
        Assert.IsFalse(w.IsDisposed, "parameters are never tracked");
        Assert.IsFalse(w.Grad!.IsDisposed, "parameter gradients outlive the scope");
        Assert.AreEqual(3f, w.Grad!.AsSpan()[0]);
        Assert.ThrowsExactly<ObjectDisposedException>(() => dropped.ToArray());
    }

    [TestMethod]
    public void Views_ShareStorage_ReshapeIsNoCopy()
    {
        Tensor x = Tensor.Arange(6);
        Tensor v = x.Reshape(2, 3);
        v[1, 2] = 42f;
        Assert.AreEqual(42f, x[5]);
        CollectionAssert.AreEqual(new[] { 3, 2 }, x.Reshape(-1, 2).Shape);
    }

    [TestMethod]
    public void FrozenParameters_GetNoGradientAndAreNotUpdated()
    {
        var net = new Microsoft.ML.Attention.Nn.Sequential(new Microsoft.ML.Attention.Nn.Linear(3, 4, random: new Random(1)), new Microsoft.ML.Attention.Nn.Linear(4, 2, random: new Random(2)));
        Tensor frozen = net.Parameters().First();
        frozen.RequiresGrad = false;
        float[] before = frozen.ToArray();
        float[] trainedBefore = net.Parameters().Last().ToArray();
        var sgd = new Microsoft.ML.Attention.Training.Sgd(net.Parameters(), 0.5f);
        net.Forward(Tensor.Ones(2, 3)).Sum().Backward();
        sgd.Step();
        Assert.IsNull(frozen.Grad);
        CollectionAssert.AreEqual(before, frozen.ToArray());
        CollectionAssert.AreNotEqual(trainedBefore, net.Parameters().Last().ToArray());
    }

    [TestMethod]
    public void Recurrent_PaddingMask_EqualsLengths_AndRejectsGaps()
    {
        var gru = new Microsoft.ML.Attention.Nn.Gru(3, 4, bidirectional: true, random: new Random(4));
        Tensor x = Tensor.Randn(new Random(5), 1f, 2, 5, 3);
        Tensor mask = Tensor.FromArray([0, 0, 0, 1, 1, 0, 0, 0, 0, 0], 2, 5); // non-zero = padding, as everywhere in the pack
        using (GradMode.NoGrad())
        {
            CollectionAssert.AreEqual(gru.Forward(x, [3, 5]).Output.ToArray(), gru.Forward(x, mask).Output.ToArray());
        }

        Tensor gap = Tensor.FromArray([0, 1, 0, 1, 1, 0, 0, 0, 0, 0], 2, 5);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => gru.Forward(x, gap)).Message, "Sequence 0");
    }

    [TestMethod]
    public void Recurrent_TimeFirstPaddingMask_EqualsBatchFirst()
    {
        // The same weights read [T, B, F] with a [T, B] mask must give the batch-first result transposed: lengths 2, 5, 4.
        float[] batchMask = [0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        var batchFirst = new Microsoft.ML.Attention.Nn.Lstm(3, 4, numLayers: 2, bidirectional: true, random: new Random(6));
        var timeFirst = new Microsoft.ML.Attention.Nn.Lstm(3, 4, numLayers: 2, bidirectional: true, batchFirst: false, random: new Random(7));
        timeFirst.LoadStateDict(batchFirst.StateDict());
        Tensor x = Tensor.Randn(new Random(8), 1f, 3, 5, 3);
        float[] timeMask = new float[15];
        for (int i = 0; i < 3; i++)
        {
            for (int s = 0; s < 5; s++)
            {
                timeMask[s * 3 + i] = batchMask[i * 5 + s];
            }
        }

        using (GradMode.NoGrad())
        {
            var expected = batchFirst.Forward(x, Tensor.FromArray(batchMask, 3, 5));
            var actual = timeFirst.Forward(x.Transpose(0, 1), Tensor.FromArray(timeMask, 5, 3));
            Check.Close(expected.Output.Transpose(0, 1), actual.Output, "time-first output");
            Check.Close(expected.Hidden, actual.Hidden, "final hidden state");
            CollectionAssert.AreEqual(batchFirst.Forward(x, [2, 5, 4]).Output.ToArray(), expected.Output.ToArray(), "the mask says lengths 2, 5, 4");
        }
    }

    [TestMethod]
    public void TopKAndArgMax()
    {
        Tensor x = Tensor.FromArray([0.1f, 0.9f, 0.5f, 3f, -1f, 2f], 2, 3);
        CollectionAssert.AreEqual(new[] { 1, 0 }, x.ArgMax(-1));
        (Tensor values, int[] idx) = x.TopK(2);
        CollectionAssert.AreEqual(new[] { 0.9f, 0.5f, 3f, 2f }, values.ToArray());
        CollectionAssert.AreEqual(new[] { 1, 2, 0, 2 }, idx);
    }

    [TestMethod]
    public void Backward_AddsIntoTheGatheredGradient_WhenOneTensorFeedsManyProducts()
    {
        // As a decoder's steps use them: encoder states (a non-leaf) in a MatMul and projected keys in AdditiveScores at
        // every step, one step of the inputs narrowed out and concatenated with the context (twice), weights shared by
        // every step's Linear; backward adds each step's contribution into the gradient gathered so far. Against finite differences, and against the same graph with each use on its own copy.
        Tensor Steps(Tensor[] x, bool copies)
        {
            Tensor states = x[0].Mul(x[0]), keys = x[1].Tanh(), w = x[2], v = x[3];
            Tensor total = Tensor.Zeros(1);
            Tensor query = x[4];
            for (int t = 0; t < 4; t++)
            {
                Tensor st = copies ? states.Mul(Tensor.Ones(1)) : states, kt = copies ? keys.Mul(Tensor.Ones(1)) : keys, wt = copies ? w.Mul(Tensor.Ones(1)) : w;
                Tensor weights = query.AdditiveScores(kt, v).Softmax(-1);       // [2, 1, 3]
                Tensor context = weights.MatMul(st).Reshape(2, 4);               // [2, 4]
                Tensor input = copies ? x[5].Mul(Tensor.Ones(1)) : x[5];
                Tensor step = Ops.Concat([input.Narrow(1, t, 1).Reshape(2, 3), context, context], 1); // [2, 11]
                query = step.Linear(wt).Tanh().Unsqueeze(1);                     // [2, 1, 4]
                total = total.Add(query.Sum());
            }

            return total;
        }

        Tensor[] inputs = [GradCheck.Rand(1, 2, 3, 4), GradCheck.Rand(2, 2, 3, 4), GradCheck.Rand(3, 4, 11), GradCheck.Rand(4, 4), GradCheck.Rand(5, 2, 1, 4), GradCheck.Rand(6, 2, 4, 3)];
        GradCheck.Verify(x => Steps(x, copies: false), inputs, "shared states, keys and weights");
        var shared = inputs.Select(t => t.Detach()).ToArray();
        var separate = inputs.Select(t => t.Detach()).ToArray();
        foreach (Tensor t in shared.Concat(separate))
        {
            t.RequiresGrad = true;
        }

        Steps(shared, copies: false).Backward();
        Steps(separate, copies: true).Backward();
        Steps(shared, copies: false).Backward(); // a second backward adds to the leaves' gradients, as the first did
        Steps(separate, copies: true).Backward();
        for (int i = 0; i < inputs.Length; i++)
        {
            Check.Close(separate[i].Grad!.ToArray(), shared[i].Grad!.ToArray(), $"input {i}", rtol: 1e-5f, atol: 1e-6f);
        }
    }

    [TestMethod]
    public void Softmax_AllMaskedRow_GivesZerosNotNaN_InForwardAndBackward()
    {
        Tensor x = Tensor.FromArray([1f, 2f, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity], 2, 3);
        x.RequiresGrad = true;
        Tensor y = x.Softmax(-1);
        CollectionAssert.AreEqual(new[] { 0f, 0f, 0f }, y.ToArray()[3..]);
        Assert.AreEqual(1f, y.ToArray()[..3].Sum(), 1e-6f);
        y.Mul(Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3)).Sum().Backward();
        Assert.IsTrue(x.Grad!.ToArray().All(float.IsFinite));
    }

    [TestMethod]
    public void Broadcasting_ComputesNumPyResults()
    {
        Tensor a = Tensor.FromArray([1f, 2f, 3f], 3, 1);
        Tensor b = Tensor.FromArray([10f, 20f], 2);
        CollectionAssert.AreEqual(new[] { 11f, 21f, 12f, 22f, 13f, 23f }, a.Add(b).ToArray());
        CollectionAssert.AreEqual(new[] { 3, 2 }, a.Mul(b).Shape);
    }
}
