using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tests.Support;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Transforms;

/// <summary>
/// The hierarchical attention trainer in ML.NET's documentation flow on the real package: <c>LoadFromTextFile</c> →
/// <c>MapValueToKey</c> → the trainer → <c>MapKeyToValue</c> → <c>Evaluate</c> → <c>SaveWithAttention</c> →
/// <c>LoadWithAttention</c> → <c>PredictionEngine</c>, against a bag-of-words baseline trained in the same test.
/// </summary>
[TestClass]
public sealed class HierarchicalAttentionPipelineTests
{
    public sealed class Prediction
    {
        public string PredictedLabel { get; set; } = "";

        public float[] Score { get; set; } = [];

        public float[] SentenceAttention { get; set; } = [];

        public string[] Sentences { get; set; } = [];

        public float[] WordAttention { get; set; } = [];

        public string[] Words { get; set; } = [];
    }

    [TestMethod]
    public void LoadTrainEvaluateSaveLoadPredict_BeatsBagOfWords_AndAttendsToTheDecidingSentence()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"han-flow-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            List<CueSentenceTask> trainRows = CueSentenceTask.Generate(1200, seed: 1), testRows = CueSentenceTask.Generate(200, seed: 2);
            string trainPath = Path.Combine(directory, "train.tsv"), testPath = Path.Combine(directory, "test.tsv");
            File.WriteAllLines(trainPath, ["Label\tText", .. trainRows.Select(r => $"{r.Label}\t{r.Text}")]);
            File.WriteAllLines(testPath, ["Label\tText", .. testRows.Select(r => $"{r.Label}\t{r.Text}")]);

            var mlContext = new MLContext(seed: 0);
            IDataView train = mlContext.Data.LoadFromTextFile<LabeledText>(trainPath, hasHeader: true, separatorChar: '\t');
            IDataView test = mlContext.Data.LoadFromTextFile<LabeledText>(testPath, hasHeader: true, separatorChar: '\t');
            var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
                .Append(mlContext.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionOptions
                {
                    EmbeddingDimension = 24, HiddenSize = 24, AttentionDimension = 24, Dropout = 0.1f, Epochs = 12, BatchSize = 32, LearningRate = 5e-3f,
                    MinimumWordCount = 2, EarlyStoppingPatience = 3, Seed = 3,
                    SentenceAttentionColumnName = "SentenceAttention", SentencesColumnName = "Sentences",
                    WordAttentionColumnName = "WordAttention", WordsColumnName = "Words",
                }))
                .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
            ITransformer model = pipeline.Fit(train);
            IDataView scored = model.Transform(test);
            MulticlassClassificationMetrics metrics = mlContext.MulticlassClassification.Evaluate(scored);

            var bagOfWords = mlContext.Transforms.Conversion.MapValueToKey("Label")
                .Append(mlContext.Transforms.Text.FeaturizeText("Features", "Text"))
                .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy());
            double baseline = mlContext.MulticlassClassification.Evaluate(bagOfWords.Fit(train).Transform(test)).MacroAccuracy;
            Console.WriteLine($"HAN macro accuracy {metrics.MacroAccuracy:F3}; FeaturizeText + SDCA {baseline:F3}");
            Assert.IsGreaterThan(0.9, metrics.MacroAccuracy, $"HAN macro accuracy {metrics.MacroAccuracy:F3}");
            Assert.IsLessThan(0.85, baseline, $"bag-of-words accuracy {baseline:F3}: right only where the two verdicts agree");
            Assert.IsGreaterThan(baseline + 0.1, metrics.MacroAccuracy);

            // The sentence attention column: its largest weight on the deciding sentence in most documents.
            Prediction[] predictions = [.. mlContext.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false)];
            int attended = predictions.Zip(testRows).Count(p => Array.IndexOf(p.First.SentenceAttention, p.First.SentenceAttention.Max()) == p.Second.KeySentence);
            Console.WriteLine($"largest sentence weight on the deciding sentence in {attended}/200");
            Assert.IsGreaterThan(0.8, attended / 200.0, $"largest sentence weight on the deciding sentence in {attended}/200 documents");
            Prediction first = predictions[0];
            Assert.HasCount(first.Sentences.Length, first.SentenceAttention);
            Assert.HasCount(first.Words.Length, first.WordAttention);
            Assert.AreEqual(1f, first.SentenceAttention.Sum(), 1e-4f);
            Assert.AreEqual(first.Sentences.Length, first.WordAttention.Sum(), 1e-3f, "each sentence's word weights sum to 1");

            string path = Path.Combine(directory, "han.zip");
            mlContext.Model.SaveWithAttention(model, train.Schema, path);
            var fresh = new MLContext();
            ITransformer loaded = fresh.Model.LoadWithAttention(path, out _);
            IDataView reloaded = loaded.Transform(fresh.Data.LoadFromTextFile<LabeledText>(testPath, hasHeader: true, separatorChar: '\t'));
            float[][] before = [.. scored.GetColumn<float[]>("Score")], after = [.. reloaded.GetColumn<float[]>("Score")];
            var engine = fresh.Model.CreatePredictionEngine<LabeledText, Prediction>(loaded);
            for (int i = 0; i < testRows.Count; i++)
            {
                CollectionAssert.AreEqual(before[i], after[i], $"row {i}: the loaded model scores as the fitted one");
                Prediction p = engine.Predict(new LabeledText { Text = testRows[i].Text });
                // Transform scores blocks of documents, the engine one: equal up to float rounding.
                Check.Close(after[i], p.Score, $"row {i}: PredictionEngine equals Transform", rtol: 1e-5f, atol: 1e-6f);
                Assert.AreEqual(predictions[i].PredictedLabel, p.PredictedLabel);
                Check.Close(predictions[i].SentenceAttention, p.SentenceAttention, $"row {i}: sentence attention", rtol: 1e-5f, atol: 1e-6f);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    public sealed class BinaryReview
    {
        [LoadColumn(0)]
        public bool Label { get; set; }

        [LoadColumn(1)]
        public string Text { get; set; } = "";
    }

    public sealed class BinaryPrediction
    {
        public bool PredictedLabel { get; set; }

        public float Score { get; set; }

        public float Probability { get; set; }
    }

    [TestMethod]
    public void BinaryTrainer_EvaluatesWithMLNetsBinaryMetrics_AndRoundTrips()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"han-binary-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string trainPath = Path.Combine(directory, "train.tsv"), testPath = Path.Combine(directory, "test.tsv");
            File.WriteAllLines(trainPath, ["Label\tText", .. CueSentenceTask.Generate(900, seed: 5).Select(r => $"{r.Label == "positive"}\t{r.Text}")]);
            File.WriteAllLines(testPath, ["Label\tText", .. CueSentenceTask.Generate(150, seed: 6).Select(r => $"{r.Label == "positive"}\t{r.Text}")]);
            var mlContext = new MLContext(seed: 0);
            IDataView train = mlContext.Data.LoadFromTextFile<BinaryReview>(trainPath, hasHeader: true, separatorChar: '\t');
            IDataView test = mlContext.Data.LoadFromTextFile<BinaryReview>(testPath, hasHeader: true, separatorChar: '\t');
            var trainer = mlContext.BinaryClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionOptions
            {
                EmbeddingDimension = 24, HiddenSize = 24, AttentionDimension = 24, Dropout = 0.1f, Epochs = 12, BatchSize = 32, LearningRate = 5e-3f,
                MinimumWordCount = 2, EarlyStoppingPatience = 3, Seed = 3,
            });
            Assert.IsTrue(trainer.Binary);
            ITransformer model = trainer.Fit(train);
            IDataView scored = model.Transform(test);
            CalibratedBinaryClassificationMetrics metrics = mlContext.BinaryClassification.Evaluate(scored);
            Console.WriteLine($"binary HAN accuracy {metrics.Accuracy:F3}, AUC {metrics.AreaUnderRocCurve:F3}, log-loss {metrics.LogLoss:F3}");
            Assert.IsGreaterThan(0.9, metrics.Accuracy, $"accuracy {metrics.Accuracy:F3}");
            Assert.IsGreaterThan(0.95, metrics.AreaUnderRocCurve);

            string path = Path.Combine(directory, "han-binary.zip");
            mlContext.Model.SaveWithAttention(model, train.Schema, path);
            var fresh = new MLContext();
            ITransformer loaded = fresh.Model.LoadWithAttention(path, out _);
            var engine = fresh.Model.CreatePredictionEngine<BinaryReview, BinaryPrediction>(loaded);
            BinaryReview[] rows = [.. fresh.Data.CreateEnumerable<BinaryReview>(test, reuseRowObject: false)];
            float[] scores = [.. scored.GetColumn<float>("Score")], probabilities = [.. scored.GetColumn<float>("Probability")];
            bool[] predicted = [.. scored.GetColumn<bool>("PredictedLabel")];
            for (int i = 0; i < rows.Length; i++)
            {
                BinaryPrediction p = engine.Predict(rows[i]);
                Assert.AreEqual(scores[i], p.Score, 1e-5f * (1 + Math.Abs(scores[i])), $"row {i} (blocks against one document: float rounding)");
                Assert.AreEqual(probabilities[i], p.Probability, 1e-6f, $"row {i}");
                Assert.AreEqual(predicted[i], p.PredictedLabel, $"row {i}");
                Assert.AreEqual(p.Score > 0, p.PredictedLabel, $"row {i}: the prediction follows the logit's sign");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void BadInput_IsNamed_ByColumnAndRow()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new LabeledText { Label = "a", Text = "Fine film. Really." }, new LabeledText { Label = "b", Text = " <br /> ... " } });
        IDataView keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var empty = Assert.ThrowsExactly<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.HierarchicalAttention(epochs: 1).Fit(keyed));
        StringAssert.Contains(empty.Message, "row 1 of column 'Text' has no sentence with a word");
        var label = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.HierarchicalAttention(epochs: 1).Fit(data));
        StringAssert.Contains(label.Message, "label column 'Label' has type String; expected a key (use MapValueToKey for classes)");
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.HierarchicalAttention(textColumnName: "Body").Fit(keyed));
        StringAssert.Contains(missing.Message, "text column 'Body' not found. Columns: Label, Text");
        var binaryLabel = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.HierarchicalAttention(epochs: 1).Fit(keyed));
        StringAssert.Contains(binaryLabel.Message, "expected Boolean (binary classification)");
        var option = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Attention().HierarchicalAttention(new HierarchicalAttentionOptions { MaximumWords = 0 }));
        StringAssert.Contains(option.Message, "HierarchicalAttentionOptions.MaximumWords");
        var clash = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.HierarchicalAttention(sentenceAttentionColumnName: "Probability"));
        StringAssert.Contains(clash.Message, "must have different, non-empty names");
    }
}
