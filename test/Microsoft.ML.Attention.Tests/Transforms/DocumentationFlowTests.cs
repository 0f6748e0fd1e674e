using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tests.Support;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Transforms;

/// <summary>
/// The pack in ML.NET's documentation flow on the real package, written as a user writes it: <c>LoadFromTextFile</c> →
/// <c>MapValueToKey</c> → <c>AttentionEncode</c> (alone, or concatenated with <c>FeaturizeText</c>) → a real trainer →
/// <c>MapKeyToValue</c> → <c>Evaluate</c> → <c>SaveWithAttention</c> → <c>LoadWithAttention</c> in a fresh context →
/// a <c>PredictionEngine</c> whose outputs equal <c>Transform</c>'s.
/// </summary>
[TestClass]
public sealed class DocumentationFlowTests
{
    public sealed class Prediction
    {
        public string PredictedLabel { get; set; } = "";

        public float[] Score { get; set; } = [];
    }

    private static readonly AttentionEncodeOptions Encoder = new()
    {
        OutputColumnName = "Embedding", InputColumnName = "Text", LabelColumnName = "Label",
        ModelDimension = 16, Heads = 2, Layers = 1, FeedForwardDimension = 32, Dropout = 0f, Epochs = 10, LearningRate = 3e-3f,
        MaximumLength = 24, Seed = 1,
    };

    [TestMethod]
    [DataRow("SdcaMaximumEntropy", false)]
    [DataRow("LbfgsMaximumEntropy", false)]
    [DataRow("SdcaMaximumEntropy", true)]
    public void LoadFromTextFile_Encode_Train_Evaluate_Save_Load_Predict(string trainerName, bool withFeaturizeText)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"attention-flow-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string trainPath = Path.Combine(directory, "train.tsv"), testPath = Path.Combine(directory, "test.tsv");
            WriteTsv(trainPath, LateWordTask.Generate(1200, seed: 3));
            WriteTsv(testPath, LateWordTask.Generate(300, seed: 4));

            var mlContext = new MLContext(seed: 0);
            IDataView trainData = mlContext.Data.LoadFromTextFile<LabeledText>(trainPath, hasHeader: true, separatorChar: '\t');
            IDataView testData = mlContext.Data.LoadFromTextFile<LabeledText>(testPath, hasHeader: true, separatorChar: '\t');

            IEstimator<ITransformer> features = mlContext.Transforms.Conversion.MapValueToKey("Label")
                .Append(mlContext.Transforms.AttentionEncode(Encoder));
            string featureColumn = "Embedding";
            if (withFeaturizeText)
            {
                features = features
                    .Append(mlContext.Transforms.Text.FeaturizeText("TextFeatures", "Text"))
                    .Append(mlContext.Transforms.Concatenate("Features", "Embedding", "TextFeatures"));
                featureColumn = "Features";
            }

            IEstimator<ITransformer> trainer = trainerName == "SdcaMaximumEntropy"
                ? mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", featureColumn, maximumNumberOfIterations: 30)
                : mlContext.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", featureColumn);
            var pipeline = features
                .AppendCacheCheckpoint(mlContext)
                .Append(trainer)
                .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

            ITransformer model = pipeline.Fit(trainData);
            IDataView predictions = model.Transform(testData);
            MulticlassClassificationMetrics metrics = mlContext.MulticlassClassification.Evaluate(predictions);
            Console.WriteLine($"{trainerName}{(withFeaturizeText ? " + FeaturizeText" : "")}: macro accuracy {metrics.MacroAccuracy:F3}");
            Assert.IsGreaterThan(0.85, metrics.MacroAccuracy, $"{trainerName}{(withFeaturizeText ? " + FeaturizeText" : "")}: macro accuracy {metrics.MacroAccuracy:F3}");
            Assert.AreEqual(4, metrics.ConfusionMatrix.NumberOfClasses);

            string modelPath = Path.Combine(directory, "model.zip");
            mlContext.Model.SaveWithAttention(model, trainData.Schema, modelPath);

            var freshContext = new MLContext();
            ITransformer loaded = freshContext.Model.LoadWithAttention(modelPath, out DataViewSchema? schema);
            Assert.IsNotNull(schema);
            IDataView reloadedTest = freshContext.Data.LoadFromTextFile<LabeledText>(testPath, hasHeader: true, separatorChar: '\t');
            IDataView loadedPredictions = loaded.Transform(reloadedTest);
            float[][] scores = [.. predictions.GetColumn<float[]>("Score")];
            float[][] loadedScores = [.. loadedPredictions.GetColumn<float[]>("Score")];
            string[] labels = [.. loadedPredictions.GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(m => m.ToString())];
            Assert.AreEqual(300, loadedScores.Length);
            var engine = freshContext.Model.CreatePredictionEngine<LabeledText, Prediction>(loaded);
            LabeledText[] rows = [.. freshContext.Data.CreateEnumerable<LabeledText>(reloadedTest, reuseRowObject: false)];
            for (int i = 0; i < rows.Length; i++)
            {
                CollectionAssert.AreEqual(scores[i], loadedScores[i], $"row {i}: the loaded model scores as the fitted one");
                Prediction p = engine.Predict(rows[i]);
                // Transform scores blocks of rows, the engine one row: equal up to float rounding, and the same label.
                Check.Close(loadedScores[i], p.Score, $"row {i}: PredictionEngine equals Transform", rtol: 1e-5f, atol: 1e-6f);
                Assert.AreEqual(labels[i], p.PredictedLabel, $"row {i}");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void WriteTsv(string path, IEnumerable<LateWordTask> rows) =>
        File.WriteAllLines(path, ["Label\tText", .. rows.Select(r => $"{r.Label}\t{r.Text}")]);
}
