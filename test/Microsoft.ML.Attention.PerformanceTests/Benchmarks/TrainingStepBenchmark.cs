using BenchmarkDotNet.Attributes;
using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.PerformanceTests.Benchmarks;

/// <summary>
/// One training step of a small MLP (64 → 128 → 10, batch 32, Adam) inside a <see cref="TensorScope"/>, with
/// allocations per step; and the same forward pass for scoring under no-grad (no tape).
/// </summary>
[MemoryDiagnoser]
public class TrainingStepBenchmark
{
    private Sequential _model = null!;
    private Adam _optimizer = null!;
    private CrossEntropyLoss _loss = null!;
    private Tensor _x = null!;
    private int[] _y = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _model = new Sequential(new Linear(64, 128, random: random), new Activation(ActivationKind.Relu), new Linear(128, 10, random: random));
        _optimizer = new Adam(_model.Parameters(), 1e-3f);
        _loss = new CrossEntropyLoss();
        _x = Tensor.Randn(random, 1f, 32, 64);
        _y = [.. Enumerable.Range(0, 32).Select(i => i % 10)];
    }

    [Benchmark]
    public float TrainStep()
    {
        using TensorScope scope = TensorScope.Begin();
        _optimizer.ZeroGrad();
        Tensor loss = _loss.Forward(_model.Forward(_x), _y);
        loss.Backward();
        _optimizer.Step();
        return loss.Item();
    }

    [Benchmark]
    public float Score()
    {
        using TensorScope scope = TensorScope.Begin();
        using (GradMode.NoGrad())
        {
            return _model.Forward(_x).AsSpan()[0];
        }
    }
}
