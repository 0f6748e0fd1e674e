using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;

namespace Microsoft.ML.Attention.Tests;

/// <summary>Ops that split large tensors over the cores give what the same op gives row by row on small (serial) tensors.</summary>
[TestClass]
public sealed class ParallelOpsTests
{
    [TestMethod]
    [DoNotParallelize] // another test holding the workers would make the last check see the caller alone
    public void OnCallingThreadOnly_RunsLoopsOnTheCaller_UntilDisposed_AndNests()
    {
        if (EngineThreads.Count < 2)
        {
            Assert.Inconclusive("one core: every loop runs on the caller anyway");
        }

        int caller = Environment.CurrentManagedThreadId;
        int[] Threads()
        {
            var seen = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
            CpuParallel.For(64, _ =>
            {
                seen[Environment.CurrentManagedThreadId] = true;
                Thread.SpinWait(20_000);
            });
            return [.. seen.Keys];
        }

        using (EngineThreads.OnCallingThreadOnly())
        {
            Assert.AreEqual(1, CpuParallel.Degree);
            using (EngineThreads.OnCallingThreadOnly())
            {
                CollectionAssert.AreEqual(new[] { caller }, Threads(), "nested scope");
            }

            CollectionAssert.AreEqual(new[] { caller }, Threads(), "the outer scope still holds after the inner one ends");
            Tensor a = Tensor.Randn(new Random(1), 1f, 256, 256);
            Tensor serial = a.MatMul(a);
            Check.Close(serial, Tensor.FromArray(a.AsSpan(), 256, 256).MatMul(a), "a product inside the scope");
        }

        Assert.AreEqual(EngineThreads.Count, CpuParallel.Degree);
        bool helped = Enumerable.Range(0, 20).Any(_ => Threads().Length > 1);
        Assert.IsTrue(helped, "after the scope the workers take part again");
    }

    [TestMethod]
    public void LayerNorm_OnALargeTensor_MatchesRowByRow_ForwardAndGradients()
    {
        const int rows = 300, n = 256;
        var random = new Random(5);
        Tensor x = Tensor.Randn(random, 2f, rows, n), upstream = Tensor.Randn(random, 1f, rows, n);
        Tensor w = Tensor.Randn(random, 1f, n), b = Tensor.Randn(random, 1f, n);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        Tensor y = x.LayerNorm(w, b);
        y.Mul(upstream).Sum().Backward();

        var gw = new double[n];
        var gb = new double[n];
        for (int r = 0; r < rows; r++)
        {
            Tensor xr = Tensor.FromArray(x.AsSpan().Slice(r * n, n), 1, n), wr = w.Detach().Clone(), br = b.Detach().Clone();
            xr.RequiresGrad = wr.RequiresGrad = br.RequiresGrad = true;
            Tensor yr = xr.LayerNorm(wr, br);
            Check.Close(yr.AsSpan(), y.AsSpan().Slice(r * n, n), $"forward row {r}");
            yr.Mul(Tensor.FromArray(upstream.AsSpan().Slice(r * n, n), 1, n)).Sum().Backward();
            Check.Close(xr.Grad!.AsSpan(), x.Grad!.AsSpan().Slice(r * n, n), $"input gradient row {r}");
            for (int j = 0; j < n; j++)
            {
                gw[j] += wr.Grad!.AsSpan()[j];
                gb[j] += br.Grad!.AsSpan()[j];
            }
        }

        Check.Close([.. gw.Select(v => (float)v)], w.Grad!.AsSpan(), "weight gradient", rtol: 1e-3f, atol: 1e-3f);
        Check.Close([.. gb.Select(v => (float)v)], b.Grad!.AsSpan(), "bias gradient", rtol: 1e-3f, atol: 1e-3f);
    }

    [TestMethod]
    public void Elementwise_OnALargeTensor_MatchesTheSerialResult()
    {
        Tensor x = Tensor.Randn(new Random(7), 3f, 70_001);
        float[] gelu = x.Gelu().ToArray(), relu = x.Relu().ToArray();
        for (int i = 0; i < x.Length; i += 997)
        {
            Tensor one = Tensor.FromArray(x.AsSpan().Slice(i, 1), 1);
            Assert.AreEqual(one.Gelu().AsSpan()[0], gelu[i], $"gelu element {i}");
            Assert.AreEqual(one.Relu().AsSpan()[0], relu[i], $"relu element {i}");
        }

        Assert.AreEqual(MathF.Max(0f, x.AsSpan()[^1]), relu[^1], "the last element (the tail piece)");
    }
}
