using Microsoft.ML.Attention.AutoML;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.SearchSpace;

namespace Microsoft.ML.Attention.Tests.AutoML;

/// <summary>Search spaces read from ML.NET's search-space attributes, and the three tuners over them.</summary>
[TestClass]
public sealed class SweepSpaceTests
{
    [TestMethod]
    public void Attributes_GiveDimensions_WithTheirInitialValues_Ends_LogScale_AndGrid()
    {
        SweepSpace space = SweepSpace.Of<Knobs>();
        CollectionAssert.AreEqual(new[] { "Cell", "Layers", "LearningRate", "Shuffle", "Width" }, space.Parameters.Select(p => p.Name).ToArray(), "attributed properties only, by name");
        IReadOnlyDictionary<string, object> initial = space.ValuesAt(space.InitialPoint());
        Assert.AreEqual(RecurrentCell.Lstm, initial["Cell"]);
        Assert.AreEqual(2, initial["Layers"]);
        Assert.AreEqual(1e-3f, (float)initial["LearningRate"], 1e-9f);
        Assert.AreEqual(true, initial["Shuffle"]);
        Assert.AreEqual(64, initial["Width"]);

        SweepParameter rate = space.Parameters[2], layers = space.Parameters[1], width = space.Parameters[4];
        Assert.IsTrue(rate.IsLogScale);
        Assert.AreEqual(1e-4f, (float)rate.At(0), 1e-9f);
        Assert.AreEqual(1e-2f, (float)rate.At(1), 1e-8f);
        Assert.AreEqual(1e-3f, (float)rate.At(0.5), 1e-8f, "the middle of a log range is the geometric mean");
        Assert.AreEqual(1, layers.At(0));
        Assert.AreEqual(5, layers.At(1));
        Assert.AreEqual(3, layers.At(0.5), "linear, rounded to whole numbers");
        Assert.AreEqual(32, width.At(0.0));
        Assert.AreEqual(64, width.At(0.5));
        Assert.AreEqual(128, width.At(0.99));
        Assert.AreEqual(128, width.At(7), "coordinates are clamped");
        CollectionAssert.AreEqual(new object[] { 2, 1, 3, 5 }, layers.Grid(3).ToArray(), "initial value first, then evenly spaced, no repeats");

        var knobs = (Knobs)space.Create(space.ValuesAt([0.9, 0.0, 1.0, 0.1, 0.1]));
        Assert.AreEqual(RecurrentCell.Lstm, knobs.Cell);
        Assert.AreEqual(1, knobs.Layers);
        Assert.AreEqual(false, knobs.Shuffle);
        Assert.AreEqual(32, knobs.Width);
        Assert.AreEqual("kept", knobs.Column, "unattributed properties keep the class's value");
    }

    [TestMethod]
    public void AttributesThatDoNotFit_AreRefused_NamingTheProperty()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => SweepSpace.Of<LogFromZero>());
        StringAssert.Contains(e.Message, "LogFromZero.Rate: a log-scale range must be positive");
        e = Assert.ThrowsExactly<ArgumentException>(() => SweepSpace.Of<RangeOnText>());
        StringAssert.Contains(e.Message, "RangeOnText.Name: a Range needs an int, float or double property");
        e = Assert.ThrowsExactly<ArgumentException>(() => SweepSpace.Of<InitOutside>());
        StringAssert.Contains(e.Message, "InitOutside.Layers: the initial value 9 is outside [1, 5]");
    }

    [TestMethod]
    public void RandomTuner_StartsAtTheInitialPoint_AndDrawsLogRangesOnTheirScale()
    {
        SweepSpace space = SweepSpace.Of<Knobs>();
        var tuner = new RandomSearchTuner(space, new Random(3));
        CollectionAssert.AreEqual(space.InitialPoint(), tuner.Propose());
        float[] rates = [.. Enumerable.Range(0, 400).Select(_ => (float)space.ValuesAt(tuner.Propose()!)["LearningRate"])];
        Assert.IsTrue(rates.All(r => r >= 1e-4f && r <= 1e-2f));
        float median = rates.Order().ElementAt(200);
        Assert.IsTrue(median > 5e-4f && median < 2e-3f, $"median {median}: half the draws below the geometric mean 1e-3");
    }

    [TestMethod]
    public void GridTuner_VisitsEveryPointOnce_InitialFirst_ThenStops()
    {
        SweepSpace space = SweepSpace.Of<Knobs>();
        var tuner = new GridSearchTuner(space, 3, new Random(1));
        Assert.AreEqual(2L * 4 * 4 * 2 * 3, tuner.Size, "Cell 2 × Layers {2,1,3,5} × LearningRate 4 × Shuffle 2 × Width 3");
        var seen = new HashSet<string>();
        double[]? point = tuner.Propose();
        CollectionAssert.AreEqual(space.InitialPoint(), point);
        while (point is not null)
        {
            Assert.IsTrue(seen.Add(string.Join(",", space.ValuesAt(point).Values)), "no point twice");
            point = tuner.Propose();
        }

        Assert.AreEqual(tuner.Size, seen.Count);
    }

    [TestMethod]
    public void CostFrugalTuner_StartsCheap_AndWalksDownhill()
    {
        SweepSpace space = SweepSpace.Of<Knobs>();
        var tuner = new CostFrugalTuner(space, new Random(2));
        double[] start = tuner.Propose()!;
        CollectionAssert.AreEqual(space.InitialPoint(), start, "the first trial is the cheap initial point");
        static double Loss(double[] x) => x.Sum(v => (v - 0.85) * (v - 0.85));
        double first = Loss(start), best = first;
        tuner.Report(start, first);
        for (int i = 0; i < 120; i++)
        {
            double[] x = tuner.Propose()!;
            double loss = Loss(x);
            best = Math.Min(best, loss);
            tuner.Report(x, loss);
        }

        Assert.IsLessThan(first / 10, best, $"from {first:F3} to {best:F4}");
    }

    private sealed class Knobs
    {
        public string Column { get; set; } = "kept";

        [Range(1, 5, 2, false)]
        public int Layers { get; set; }

        [Range(1e-4f, 1e-2f, 1e-3f, true)]
        public float LearningRate { get; set; }

        [Choice(new object[] { 32, 64, 128 }, 64)]
        public int Width { get; set; }

        [BooleanChoice(true)]
        public bool Shuffle { get; set; }

        [Choice(new object[] { "Gru", "Lstm" }, "Lstm")]
        public RecurrentCell Cell { get; set; }
    }

    private sealed class LogFromZero
    {
        [Range(0f, 1f, 0.5f, true)]
        public float Rate { get; set; }
    }

    private sealed class RangeOnText
    {
        [Range(1, 5, 2, false)]
        public string Name { get; set; } = "";
    }

    private sealed class InitOutside
    {
        [Range(1, 5, 9, false)]
        public int Layers { get; set; }
    }
}
