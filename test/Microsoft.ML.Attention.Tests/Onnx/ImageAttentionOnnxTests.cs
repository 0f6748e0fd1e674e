using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Onnx;
using Microsoft.ML.Attention.Tensors;
using Tensor = Microsoft.ML.Attention.Tensors.Tensor;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// The image attention networks exported to ONNX — plain, squeeze-and-excitation, ECA and CBAM stages, average or
/// flattened pooling — run by ONNX Runtime 1.31 give the transformer's scores, embeddings and attention maps within
/// 1e-4; the featurizer's ML.NET-native chain round-trips through plain Model.Save / Load.
/// </summary>
[TestClass]
public sealed class ImageAttentionOnnxTests
{
    private const int Size = 3 * 12 * 12;

    [TestMethod]
    [DataRow(ImageAttentionKind.None, ImagePooling.GlobalAverage)]
    [DataRow(ImageAttentionKind.SqueezeExcite, ImagePooling.GlobalAverage)]
    [DataRow(ImageAttentionKind.EfficientChannel, ImagePooling.Flatten)]
    [DataRow(ImageAttentionKind.Cbam, ImagePooling.GlobalAverage)]
    public void Classifier_OnnxRuntime_MatchesTransform(ImageAttentionKind kind, ImagePooling pooling)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = Images(ml, 48, seed: 2);
        ImageAttentionTransformer model = ml.MulticlassClassification.Trainers.ImageAttention(Options(kind, pooling)).Fit(data);
        IDataView scored = model.Transform(data);
        float[][] scores = [.. scored.GetColumn<float[]>("Score")], maps = [.. scored.GetColumn<float[]>("Map")];
        Assert.IsGreaterThan(scores.Length / 2, scores.Select(r => r[0]).Distinct().Count(), $"{kind}: the scores differ from image to image (or the comparison shows little)");
        using var onnx = new MemoryStream();
        model.ExportToOnnx(onnx, data.Schema);
        using var session = new InferenceSession(onnx.ToArray());
        float[] pixels = [.. data.GetColumn<float[]>("Features").SelectMany(p => p)];
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(pixels, [scores.Length, Size]))]);
        AssertClose(scores, results.First(r => r.Name == "Score").AsTensor<float>(), $"{kind} Score");
        AssertClose(maps, results.First(r => r.Name == "Map").AsTensor<float>(), $"{kind} Map");
    }

    [TestMethod]
    public void ClassifierWithSpatialTransformer_OnnxRuntime_MatchesTransform()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = Images(ml, 40, seed: 5);
        ImageAttentionOptions options = Options(ImageAttentionKind.Cbam, ImagePooling.GlobalAverage);
        options.SpatialTransformer = true;
        ImageAttentionTransformer model = ml.MulticlassClassification.Trainers.ImageAttention(options).Fit(data);

        // One epoch leaves the transform near the identity; a rotated, scaled and shifted one that depends on the image
        // reads between pixels and off the edge, where the grid and the sampling have to agree.
        Linear head = model.Model.Transformer!.Head;
        Fill(new Random(9), head.Weight, 0.2f);
        float[] theta = [0.85f, 0.3f, 0.12f, -0.25f, 0.9f, -0.2f];
        theta.CopyTo(head.Bias!.AsSpan());
        IDataView scored = model.Transform(data);
        float[][] scores = [.. scored.GetColumn<float[]>("Score")], maps = [.. scored.GetColumn<float[]>("Map")];
        using var onnx = new MemoryStream();
        model.ExportToOnnx(onnx, data.Schema);
        using var session = new InferenceSession(onnx.ToArray());
        float[] pixels = [.. data.GetColumn<float[]>("Features").SelectMany(p => p)];
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(pixels, [scores.Length, Size]))]);
        AssertClose(scores, results.First(r => r.Name == "Score").AsTensor<float>(), "STN + CBAM Score");
        AssertClose(maps, results.First(r => r.Name == "Map").AsTensor<float>(), "STN + CBAM Map");
    }

    [TestMethod]
    [DataRow(GridPaddingMode.Zeros, false)]
    [DataRow(GridPaddingMode.Border, true)]
    [DataRow(GridPaddingMode.Border, false)]
    public void SpatialTransformer_Onnx_MatchesTheModule(GridPaddingMode padding, bool alignCorners)
    {
        // Uneven adaptive pooling (5×5 → 4×4 windows overlap) and a non-square output as well.
        var random = new Random(4);
        var localization = new Sequential(new ConvBatchNorm(2, 3, 3, random, activation: ActivationKind.Relu), new AdaptiveAvgPool2d(4, 4), new Flatten(), new Linear(48, 8, random: random), new Activation(ActivationKind.Relu));
        var stn = new SpatialTransformer(localization, 8, 6, 7, random, padding, alignCorners);
        Fill(random, stn.Head.Weight, 0.6f);
        stn.Eval();
        Tensor x = Fill(random, Tensor.Zeros(3, 2, 5, 5), 2f);
        float[] expected;
        using (GradMode.NoGrad())
        {
            expected = stn.Forward(x).ToArray();
        }

        var g = new OnnxGraphBuilder("stn");
        string input = g.Input("x", OnnxDataType.Float, ["batch", 2, 5, 5], "images");
        g.Output(SpatialTransformerOnnx.Export(g, "stn", stn, input, 2, 5, 5), "y", OnnxDataType.Float, ["batch", 2, 6, 7], "resampled");
        using var session = new InferenceSession(g.ToModel("0", "stn test"));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x.ToArray(), [3, 2, 5, 5]))]);
        float[] actual = [.. results.First().AsTensor<float>()];
        Support.Check.Close(expected, actual, $"STN {padding}, align_corners {alignCorners}", rtol: 0f, atol: 1e-4f);
        Assert.IsGreaterThan(0.05f, expected.Zip(x.ToArray().Take(expected.Length)).Max(p => MathF.Abs(p.First - p.Second)), "the transform is not the identity");
    }

    [TestMethod]
    public void Featurizer_OnnxChain_PlainSaveAndLoad_PredictsAsThePack()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = Images(ml, 60, seed: 3);
        ImageAttentionOptions options = Options(ImageAttentionKind.Cbam, ImagePooling.GlobalAverage);
        var pipeline = ml.Transforms.ImageAttentionFeaturize(options)
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", ImageAttentionOptions.Defaults.EmbeddingColumnName, maximumNumberOfIterations: 10))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        ITransformer model = pipeline.Fit(data);
        TransformerChain<ITransformer> native = ml.ToOnnxChain(model, data.Schema);
        using var saved = new MemoryStream();
        ml.Model.Save(native, data.Schema, saved);
        saved.Position = 0;
        ITransformer loaded = new MLContext(seed: 5).Model.Load(saved, out _);
        IDataView expected = model.Transform(data), actual = loaded.Transform(data);
        foreach (string column in new[] { ImageAttentionOptions.Defaults.EmbeddingColumnName, "Map", "Score" })
        {
            float[][] e = [.. expected.GetColumn<float[]>(column)], a = [.. actual.GetColumn<float[]>(column)];
            for (int r = 0; r < e.Length; r++)
            {
                Support.Check.Close(e[r], a[r], $"{column} row {r}", rtol: 0f, atol: 1e-4f);
            }
        }

        CollectionAssert.AreEqual(expected.GetColumn<string>("PredictedLabel").ToArray(), actual.GetColumn<string>("PredictedLabel").ToArray());
    }

    [TestMethod]
    public void Classifier_InAnOnnxChain_IsRefused_NamingTheFeaturizerRoute()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = Images(ml, 24, seed: 4);
        ImageAttentionTransformer model = ml.MulticlassClassification.Trainers.ImageAttention(Options(ImageAttentionKind.None, ImagePooling.GlobalAverage)).Fit(data);
        var e = Assert.ThrowsExactly<NotSupportedException>(() => ml.ToOnnxChain(model, data.Schema));
        StringAssert.Contains(e.Message, "ImageAttentionFeaturize");
    }

    /// <summary>Fills <paramref name="t"/> with uniform values in [−scale/2, scale/2).</summary>
    private static Tensor Fill(Random random, Tensor t, float scale)
    {
        Span<float> v = t.AsSpan();
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = (float)(random.NextDouble() - 0.5) * scale;
        }

        return t;
    }

    internal static ImageAttentionOptions Options(ImageAttentionKind kind, ImagePooling pooling) => new()
    {
        Attention = kind, Pooling = pooling, StageChannels = [8, 16], EmbeddingDimension = 16, Epochs = 1, Seed = 3, AttentionMapColumnName = "Map", RandomShift = 0,
    };

    /// <summary>Planar 3×12×12 images with dimensions on the column (as ExtractPixels writes them), three classes, keyed labels.</summary>
    private static IDataView Images(MLContext ml, int count, int seed)
    {
        IDataView data = ml.Data.LoadFromEnumerable(Pictures(count, seed));
        return ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
    }

    /// <summary>The images' rows, labels as text ("0", "1", "2"): the class is the brighter colour channel.</summary>
    internal static List<Picture> Pictures(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new Picture
        {
            Label = (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture),
            Features = [.. Enumerable.Range(0, Size).Select(j => (float)(random.NextDouble() * 255 * (j / (Size / 3) == i % 3 ? 1 : 0.3)))],
        })];
    }

    private static void AssertClose(float[][] expected, Microsoft.ML.OnnxRuntime.Tensors.Tensor<float> actual, string what)
    {
        float worst = 0f;
        for (int r = 0; r < expected.Length; r++)
        {
            for (int c = 0; c < expected[r].Length; c++)
            {
                worst = MathF.Max(worst, MathF.Abs(expected[r][c] - actual[r, c]));
            }
        }

        Assert.AreEqual(expected.Length, actual.Dimensions[0], what);
        Assert.AreEqual(expected[0].Length, actual.Dimensions[1], what);
        Assert.IsTrue(worst <= 1e-4f, $"{what}: ONNX Runtime differs from the pack by up to {worst}");
    }

    internal sealed class Picture
    {
        public string Label { get; set; } = "";

        [VectorType(3, 12, 12)]
        public float[] Features { get; set; } = [];
    }
}
