using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tests.Support;
using Microsoft.ML.Attention.Tests.Vision;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Transforms;

/// <summary>
/// The image attention classifier on <c>mlContext.MulticlassClassification.Trainers</c> over in-memory pixel vectors, and
/// the input checks of both estimators: each bad input fails with a message naming the column, row or shape.
/// </summary>
[TestClass]
public sealed class ImageAttentionBehaviourTests
{
    public sealed class PixelRow
    {
        public string Label { get; set; } = "";

        [VectorType(3, 32, 32)]
        public float[] Features { get; set; } = [];
    }

    public sealed class FlatRow
    {
        public string Label { get; set; } = "";

        [VectorType(3 * 32 * 32)]
        public float[] Features { get; set; } = [];
    }

    public sealed class InterleavedRow
    {
        public string Label { get; set; } = "";

        [VectorType(32, 32, 3)]
        public float[] Features { get; set; } = [];
    }

    public sealed class Scored
    {
        public uint PredictedLabel { get; set; }

        public float[] Score { get; set; } = [];

        public float[] Map { get; set; } = [];
    }

    private static readonly ImageAttentionOptions Small = new()
    {
        Attention = ImageAttentionKind.SqueezeExcite, StageChannels = [8, 16], ConvolutionsPerStage = 1, EmbeddingDimension = 32, Epochs = 2, BatchSize = 32, Seed = 1,
        AttentionMapColumnName = "Map",
    };

    [TestMethod]
    public void Transform_ScoresBlocksOfImages_AsOneByOneDoes_AndNamesABadRowInABlock()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView keyed = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(mlContext.Data.LoadFromEnumerable(Rows(60, 3)))
            .Transform(mlContext.Data.LoadFromEnumerable(Rows(100, 4)));
        ImageAttentionTransformer model = mlContext.MulticlassClassification.Trainers.ImageAttention(Clone(Small, o => o.Epochs = 1)).Fit(keyed);
        Assert.AreEqual(64, model.ScoringBatchSize);
        IDataView batched = model.Transform(keyed), single = model.WithScoringBatchSize(1).Transform(keyed);
        foreach (string column in new[] { "Score", "Map" })
        {
            float[][] a = [.. single.GetColumn<float[]>(column)], b = [.. batched.GetColumn<float[]>(column)];
            Assert.AreEqual(100, b.Length, "100 rows: a block of 64 and one of 36");
            for (int i = 0; i < a.Length; i++)
            {
                Check.Close(a[i], b[i], $"{column}, image {i}", rtol: 1e-4f, atol: 1e-5f);
            }
        }

        CollectionAssert.AreEqual(single.GetColumn<uint>("PredictedLabel").ToArray(), batched.GetColumn<uint>("PredictedLabel").ToArray());

        PixelRow[] rows = Rows(100, 4);
        rows[70].Features[5] = float.NaN;
        IDataView bad = model.Transform(mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(mlContext.Data.LoadFromEnumerable(Rows(60, 3))).Transform(mlContext.Data.LoadFromEnumerable(rows)));
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => bad.GetColumn<float[]>("Score").ToArray());
        StringAssert.Contains(e.Message, "row 70 of pixel column 'Features'");
    }

    [TestMethod]
    public void Classifier_OnTheMulticlassCatalog_EvaluatesAndWritesAMapOfTheLastStage()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Data.LoadFromEnumerable(Rows(900, 21));
        IDataView test = mlContext.Data.LoadFromEnumerable(Rows(200, 22));
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.MulticlassClassification.Trainers.ImageAttention(Clone(Small, o => { o.StageChannels = [16, 32]; o.ConvolutionsPerStage = 2; o.Epochs = 8; })));
        ITransformer model = pipeline.Fit(train);
        IDataView scored = model.Transform(test);
        MulticlassClassificationMetrics metrics = mlContext.MulticlassClassification.Evaluate(scored);
        Console.WriteLine($"SE classifier, 8 epochs on 900 images: macro accuracy {metrics.MacroAccuracy:F3}");
        Assert.IsGreaterThan(0.6, metrics.MacroAccuracy, "well above the 1/3 of chance");
        CollectionAssert.AreEqual(new[] { 16, 16 }, ((VectorDataViewType)scored.Schema["Map"].Type).Dimensions.ToArray());
        Scored first = mlContext.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false).First();
        Assert.AreEqual(1f, first.Score.Sum(), 1e-4f);
        Assert.HasCount(256, first.Map);
        Assert.AreEqual(1f, first.Map.Max(), 1e-5f, "without CBAM the map is the channel-mean activation scaled to a peak of 1");
    }

    [TestMethod]
    public void PlainVector_NeedsADeclaredShape_OfTheRightSize()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView flat = mlContext.Data.LoadFromEnumerable(Rows(40, 3).Select(r => new FlatRow { Label = r.Label, Features = r.Features }));
        var keyed = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(flat).Transform(flat);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Attention().ImageAttention(Small).Fit(keyed));
        StringAssert.Contains(e.Message, "'Features'");
        StringAssert.Contains(e.Message, "ImageAttentionOptions.Shape");

        ImageAttentionOptions wrong = Clone(Small, o => o.Shape = new ImageShape(1, 32, 32));
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Attention().ImageAttention(wrong).Fit(keyed));
        StringAssert.Contains(e.Message, "3072 values");
        StringAssert.Contains(e.Message, "1×32×32");

        ImageAttentionOptions right = Clone(Small, o => { o.Shape = new ImageShape(3, 32, 32); o.Epochs = 1; });
        ImageAttentionTransformer model = mlContext.Attention().ImageAttention(right).Fit(keyed);
        Assert.AreEqual(new ImageShape(3, 32, 32), model.Shape);
    }

    [TestMethod]
    public void InterleavedPixels_AreRefusedWithTheFix()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView data = mlContext.Data.LoadFromEnumerable(Rows(10, 3).Select(r => new InterleavedRow { Label = r.Label, Features = r.Features }));
        var keyed = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Attention().ImageAttention(Small).Fit(keyed));
        StringAssert.Contains(e.Message, "[32, 32, 3]");
        StringAssert.Contains(e.Message, "interleavePixelColors: false");
    }

    [TestMethod]
    public void NaNPixel_IsNamedByRowAndPlace_AtFitAndAtScoring()
    {
        var mlContext = new MLContext(seed: 1);
        PixelRow[] rows = Rows(40, 3);
        rows[7].Features[1 * 1024 + 5 * 32 + 9] = float.NaN;
        IDataView data = mlContext.Data.LoadFromEnumerable(rows);
        var keyed = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => mlContext.Attention().ImageAttention(Small).Fit(keyed));
        StringAssert.Contains(e.Message, "row 7");
        StringAssert.Contains(e.Message, "channel 1, y 5, x 9");

        rows[7].Features[1 * 1024 + 5 * 32 + 9] = 0f;
        ImageAttentionTransformer model = mlContext.Attention().ImageAttention(Clone(Small, o => o.Epochs = 1)).Fit(keyed);
        rows[3].Features[0] = float.PositiveInfinity;
        IDataView scoredBad = model.Transform(mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(mlContext.Data.LoadFromEnumerable(rows)));
        e = Assert.ThrowsExactly<InvalidOperationException>(() => scoredBad.GetColumn<float[]>("Score").ToArray());
        StringAssert.Contains(e.Message, "row 3");
    }

    [TestMethod]
    public void SchemaChecks_NameTheColumn()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView data = mlContext.Data.LoadFromEnumerable(Rows(10, 3));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Attention().ImageAttention(Small).GetOutputSchema(Microsoft.ML.Attention.Transforms.MLNetInternals.ShapeOf(data.Schema)));
        StringAssert.Contains(e.Message, "label column 'Label'");
        StringAssert.Contains(e.Message, "MapValueToKey");
        var missing = Clone(Small, o => o.FeatureColumnName = "Pixels");
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Attention().ImageAttention(missing).Fit(data));
        StringAssert.Contains(e.Message, "pixel column 'Pixels' not found");
        var tooSmall = Clone(Small, o => o.StageChannels = [4, 4, 4, 4, 4, 4]);
        var keyed = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Attention().ImageAttention(tooSmall).Fit(keyed));
        StringAssert.Contains(e.Message, "64 pixels");
        var badOption = Clone(Small, o => o.Dropout = 1f);
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Attention().ImageAttention(badOption));
        StringAssert.Contains(e.Message, "ImageAttentionOptions.Dropout");
    }

    private static PixelRow[] Rows(int count, int seed) =>
        [.. ShapesOnClutterTask.Generate(count, seed).Select(r =>
        {
            using (r.Image)
            {
                return new PixelRow { Label = ShapesOnClutterTask.ClassNames[r.Label], Features = ShapesOnClutterTask.Planar(r.Image) };
            }
        })];

    private static ImageAttentionOptions Clone(ImageAttentionOptions o, Action<ImageAttentionOptions> change)
    {
        var copy = new ImageAttentionOptions
        {
            Attention = o.Attention, StageChannels = [.. o.StageChannels], ConvolutionsPerStage = o.ConvolutionsPerStage, EmbeddingDimension = o.EmbeddingDimension,
            Epochs = o.Epochs, BatchSize = o.BatchSize, Seed = o.Seed, AttentionMapColumnName = o.AttentionMapColumnName,
        };
        change(copy);
        return copy;
    }
}
