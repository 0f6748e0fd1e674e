using System.Diagnostics;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tests.Support;
using Microsoft.ML.Attention.Tests.Transforms;

namespace Microsoft.ML.Attention.Tests.AutoML;

/// <summary>A sweep's deadline reaches the pack's trainers: a Fit under a cancelled token stops within a batch.</summary>
[TestClass]
public sealed class TrainingCancellationTests
{
    [TestMethod]
    public void AFitUnderACancelledToken_StopsWithinABatch_AndOutsideAScopeNothingIsCancelled()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(LateWordTask.Generate(400, seed: 2)))
            .Transform(ml.Data.LoadFromEnumerable(LateWordTask.Generate(400, seed: 2)));
        var options = new AttentionEncodeOptions { MaximumLength = 24, Epochs = 1000, EarlyStoppingPatience = 1000, Seed = 1 }.With("Embedding", "Text");
        using var source = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        Assert.ThrowsExactly<OperationCanceledException>(() =>
        {
            using (TrainingCancellation.Use(source.Token))
            {
                ml.Transforms.AttentionEncode(options).Fit(data);
            }
        });
        Assert.IsLessThan(10.0, clock.Elapsed.TotalSeconds, $"stopped {clock.Elapsed.TotalSeconds:F1} s after the start (1000 epochs would take minutes)");

        options.Epochs = 1;
        Assert.IsNotNull(ml.Transforms.AttentionEncode(options).Fit(data), "the scope ended: the cancelled token no longer applies");
    }
}
