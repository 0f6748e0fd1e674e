using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Transforms;

namespace Microsoft.ML.Attention.Tests.Transforms;

/// <summary>The HAN trainer's pretrained word vectors (GloVe text format) and its HTML view of one document's attention.</summary>
[TestClass]
public sealed class HierarchicalAttentionExtrasTests
{
    private static HierarchicalAttentionOptions Small(string? glove = null) => new()
    {
        EmbeddingDimension = 4, HiddenSize = 4, AttentionDimension = 4, Epochs = 1, LearningRate = 1e-9f, MinimumWordCount = 1,
        ValidationFraction = 0f, Dropout = 0f, Seed = 1, PretrainedEmbeddingsPath = glove,
    };

    private static IDataView Keyed(MLContext ml) => ml.Transforms.Conversion.MapValueToKey("Label").Fit(Data(ml)).Transform(Data(ml));

    private static IDataView Data(MLContext ml) => ml.Data.LoadFromEnumerable(CueSentenceTask.Generate(40, seed: 1));

    [TestMethod]
    public void PretrainedVectors_StartTheEmbedding_AndBadFilesAreNamedByLine()
    {
        string path = Path.Combine(Path.GetTempPath(), $"glove-{Guid.NewGuid():N}.txt");
        try
        {
            File.WriteAllLines(path, ["excellent 0.5 -0.25 1 2", "unseenword 9 9 9 9", "", "plot 1e-1 0.2 0.3 0.4"]);
            var ml = new MLContext(seed: 2);
            var model = ml.MulticlassClassification.Trainers.HierarchicalAttention(Small(path)).Fit(Keyed(ml));
            Vocabulary vocabulary = model.Vocabulary;
            float[] table = model.Model.Embedding.Weight.ToArray();
            int excellent = vocabulary.Encode(["excellent"])[0], plot = vocabulary.Encode(["plot"])[0];
            float[] Row(int id) => table[(id * 4)..(id * 4 + 4)];
            CollectionAssert.AreEqual(new[] { 0.5f, -0.25f, 1f, 2f }, Row(excellent).Select(v => MathF.Round(v, 4)).ToArray(), "the pretrained vector, trained at a learning rate of 1e-9");
            CollectionAssert.AreEqual(new[] { 0.1f, 0.2f, 0.3f, 0.4f }, Row(plot).Select(v => MathF.Round(v, 4)).ToArray());
            CollectionAssert.AreEqual(new float[4], Row(Vocabulary.Padding), "padding stays zero");

            File.WriteAllLines(path, ["excellent 0.5 -0.25 1 2", "plot 1 2 3"]);
            var width = Assert.ThrowsExactly<InvalidDataException>(() => ml.MulticlassClassification.Trainers.HierarchicalAttention(Small(path)).Fit(Keyed(ml)));
            StringAssert.Contains(width.Message, $"'{path}', line 2: 3 values after the word; the embedding has 4 (EmbeddingDimension)");
            File.WriteAllLines(path, ["plot 1 2 x 4"]);
            StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => EmbeddingFile.Read(path, vocabulary, 4)).Message, "line 1: value 3 ('x') is not a finite number");
            File.Delete(path);
            Assert.ThrowsExactly<FileNotFoundException>(() => ml.MulticlassClassification.Trainers.HierarchicalAttention(Small(path)).Fit(Keyed(ml)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ExplainAsHtml_ShadesEverySentenceAndWord_AndNamesThePrediction()
    {
        var ml = new MLContext(seed: 3);
        var model = ml.MulticlassClassification.Trainers.HierarchicalAttention(Small()).Fit(Keyed(ml));
        string html = model.ExplainAsHtml("Overall the plot was excellent. Then it rained & rained.");
        StringAssert.Contains(html, "Predicted: <b>");
        StringAssert.Contains(html, ">excellent</span>");
        StringAssert.Contains(html, ">rained</span>");
        Assert.AreEqual(2, html.Split("sentence weight ").Length - 1, "one shaded line per sentence");
        Assert.AreEqual(9, html.Split("<span title=").Length - 1, "one shaded span per word");
        Assert.ThrowsExactly<InvalidOperationException>(() => model.ExplainAsHtml(" ... "));
    }
}
