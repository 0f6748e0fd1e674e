using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Tests.Onnx;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Models;

/// <summary>
/// Whole-model weight interchange with PyTorch for the image attention network (build/pytorch/image_attention.py holds
/// it as an nn.Module: input standardization, spatial transformer, conv-BN-ReLU stages with timm's SE / ECA / CBAM,
/// pooling, head): a CBAM network with a spatial transformer trained in PyTorch loads into the pack's classifier and
/// featurizer and scores as PyTorch did (probabilities, embeddings, CBAM's spatial map), and the pack's SaveWeights file
/// of an SE network with flattened pooling is one PyTorch's load_state_dict(strict=True) takes (the script's check-pack).
/// build/pytorch-fixtures.sh regenerates both.
/// </summary>
[TestClass]
public sealed class ImageAttentionInterchangeTests
{
    private static readonly ImageShape Shape = new(3, 12, 12);

    private static string Folder => InterchangeFixtures.Folder;

    /// <summary>The architecture of the PyTorch fixture (torch-image-cases.json's metadata).</summary>
    private static ImageAttentionOptions TorchOptions => new()
    {
        Attention = ImageAttentionKind.Cbam, SpatialTransformer = true, StageChannels = [8, 16], ConvolutionsPerStage = 1, EmbeddingDimension = 16,
        AttentionMapColumnName = "Map",
    };

    /// <summary>The pack's own fixture: another block, flattened pooling, two convolutions a stage.</summary>
    private static ImageAttentionOptions PackOptions => new()
    {
        Attention = ImageAttentionKind.SqueezeExcite, SpatialTransformer = true, Pooling = ImagePooling.Flatten, StageChannels = [8, 16], ConvolutionsPerStage = 2,
        EmbeddingDimension = 16, AttentionMapColumnName = "Map", Epochs = 8, Seed = 3, RandomShift = 0,
    };

    [TestMethod]
    public void WeightsTrainedInPyTorch_LoadIntoClassifierAndFeaturizer_AndScoreAsPyTorch()
    {
        Cases cases = Cases.Load(Path.Combine(Folder, "torch-image-cases.json"));
        string path = Path.Combine(Folder, "torch-image.safetensors");
        var classifier = ImageAttentionTransformer.FromWeights(TorchOptions, Shape, path, labelValues: cases.LabelValues);
        AssertScores(classifier, cases, "PyTorch's weights in the pack's classifier");
        var featurizer = ImageAttentionTransformer.FromWeights(TorchOptions, Shape, path, featurizer: true);
        float[][] embedding = [.. featurizer.Transform(Data(cases)).GetColumn<float[]>(ImageAttentionOptions.Defaults.EmbeddingColumnName)];
        for (int r = 0; r < embedding.Length; r++)
        {
            Support.Check.Close(cases.Embedding[r], embedding[r], $"PyTorch's weights in the pack's featurizer: embedding of image {r}", rtol: 0f, atol: 1e-4f);
        }

        VBuffer<ReadOnlyMemory<char>> keys = default;
        classifier.GetOutputSchema(Data(cases).Schema)["PredictedLabel"].GetKeyValues(ref keys);
        CollectionAssert.AreEqual(cases.LabelValues, keys.DenseValues().Select(v => v.ToString()).ToArray());
    }

    [TestMethod]
    public void PackWeightsCommittedForPyTorch_StillScoreAsTheirCases()
    {
        if (InterchangeFixtures.WriteFolder() is { } write)
        {
            Write(write);
        }

        Cases cases = Cases.Load(Path.Combine(Folder, "pack-image-cases.json"));
        string path = Path.Combine(Folder, "pack-image.safetensors");
        AssertScores(ImageAttentionTransformer.FromWeights(PackOptions, Shape, path), cases, "the committed pack weights");
        Dictionary<string, Tensors.Tensor> state = SafeTensors.Load(path, out Dictionary<string, string> metadata);
        Assert.AreEqual(ImageAttentionTransformer.WeightsArchitecture, metadata["architecture"]);
        Assert.AreEqual("se", metadata["attention"]);
        Assert.AreEqual("flatten", metadata["pooling"]);
        Assert.AreEqual("8,16", metadata["stage_channels"]);
        CollectionAssert.IsSubsetOf(
            new[] { "input_mean", "stn.localization.0.bn.num_batches_tracked", "stn.fc_loc.bias", "stages.1.convs.1.bn.running_var", "stages.1.convs.1.bn.num_batches_tracked", "stages.0.attention.fc2.bias", "classifier.weight" },
            state.Keys.ToArray());
    }

    [TestMethod]
    public void FromWeights_RefusesAnotherArchitectureOrLabelsThatDoNotFit_NamingWhat()
    {
        string path = Path.Combine(Folder, "torch-image.safetensors");
        ImageAttentionOptions se = TorchOptions;
        se.Attention = ImageAttentionKind.SqueezeExcite;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ImageAttentionTransformer.FromWeights(se, Shape, path));
        StringAssert.Contains(e.Message, "stages.0.attention");
        StringAssert.Contains(e.Message, "torch-image.safetensors");
        e = Assert.ThrowsExactly<InvalidDataException>(() => ImageAttentionTransformer.FromWeights(TorchOptions, new ImageShape(1, 12, 12), path));
        StringAssert.Contains(e.Message, "1×12×12");
        var a = Assert.ThrowsExactly<ArgumentException>(() => ImageAttentionTransformer.FromWeights(TorchOptions, Shape, path, labelValues: ["a", "b"]));
        StringAssert.Contains(a.Message, "2 label values for the 3 classes");
        Assert.ThrowsExactly<ArgumentException>(() => ImageAttentionTransformer.FromWeights(TorchOptions, Shape, path, featurizer: true, labelValues: ["a", "b", "c"]));
        Assert.ThrowsExactly<FileNotFoundException>(() => ImageAttentionTransformer.FromWeights(TorchOptions, Shape, Path.Combine(Folder, "missing.safetensors")));
    }

    private static IDataView Data(Cases cases) =>
        new MLContext(seed: 1).Data.LoadFromEnumerable(cases.Pixels.Select(p => new ImageAttentionOnnxTests.Picture { Features = p }));

    private static void AssertScores(ImageAttentionTransformer model, Cases cases, string what)
    {
        IDataView scored = model.Transform(Data(cases));
        float[][] scores = [.. scored.GetColumn<float[]>("Score")], maps = [.. scored.GetColumn<float[]>("Map")];
        for (int r = 0; r < scores.Length; r++)
        {
            Support.Check.Close(cases.Probabilities[r], scores[r], $"{what}: Score of image {r}", rtol: 0f, atol: 1e-4f);
            Support.Check.Close(cases.Maps[r], maps[r], $"{what}: Map of image {r}", rtol: 0f, atol: 1e-4f);
        }

        Assert.IsGreaterThan(scores.Length / 2, scores.Select(s => s[0]).Distinct().Count(), $"{what}: the scores vary by image");
    }

    /// <summary>Trains the pack's classifier (seeded) on brighter-channel images and writes its weights and its outputs on the PyTorch cases' pixels.</summary>
    private static void Write(string folder)
    {
        Cases torch = Cases.Load(Path.Combine(Folder, "torch-image-cases.json"));
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(ImageAttentionOnnxTests.Pictures(120, seed: 6));
        train = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train);
        ImageAttentionTransformer model = ml.MulticlassClassification.Trainers.ImageAttention(PackOptions).Fit(train);
        string path = Path.Combine(folder, "pack-image.safetensors");
        model.SaveWeights(path);
        IDataView scored = model.Transform(Data(torch));
        var cases = new Cases
        {
            Pixels = torch.Pixels, Probabilities = [.. scored.GetColumn<float[]>("Score")], Maps = [.. scored.GetColumn<float[]>("Map")],
            Embedding = [.. ImageAttentionTransformer.FromWeights(PackOptions, Shape, path, featurizer: true).Transform(Data(torch)).GetColumn<float[]>(ImageAttentionOptions.Defaults.EmbeddingColumnName)],
        };
        InterchangeFixtures.Save(Path.Combine(folder, "pack-image-cases.json"), cases);
    }

    private sealed class Cases
    {
        public string[]? LabelValues { get; set; }

        public float[][] Pixels { get; set; } = [];

        public float[][] Probabilities { get; set; } = [];

        public float[][] Embedding { get; set; } = [];

        public float[][] Maps { get; set; } = [];

        public static Cases Load(string path) => InterchangeFixtures.Load<Cases>(path);
    }
}
