using System.Diagnostics;
using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Attention.PerformanceTests.Suites;

/// <summary>
/// Inference of the exported <c>AttentionEncode</c> encoder (default architecture, one epoch on generated texts) at 32
/// and 256 words, rows/s side by side: the pack's engine and ONNX Runtime 1.31 (two intra-op threads) on the same batches
/// of 64 token ids (<c>encoder_w*.ours</c> / <c>.onnxruntime</c>), and what an ML.NET app sees, <c>Transform</c> + a full
/// scan of 4,000 texts: the pack's transformer against the ML.NET-native chain of <c>ToOnnxChain</c>
/// (<c>ApplyOnnxModel</c> scores one row at a time). Then the image attention classifier (plain, SE, CBAM; 1×28×28,
/// batches of 256), the HAN, the seq2seq encoder, the time-step, co-attention and glimpse classifiers, the engine against
/// ONNX Runtime. The ONNX outputs must equal the
/// pack's within 1e-4, or the suite fails.
/// </summary>
internal static class OnnxSuite
{
    private const int Batch = 64;

    private const int MlnetRows = 4_000;

    internal static int Run()
    {
        int status = 0;
        foreach (int words in new[] { 32, 256 })
        {
            status |= RunAt(words);
        }

        foreach (ImageAttentionKind kind in new[] { ImageAttentionKind.None, ImageAttentionKind.SqueezeExcite, ImageAttentionKind.Cbam })
        {
            status |= RunImages(kind);
        }

        status |= RunHan();
        status |= RunSequenceEncoder();
        status |= RunTimeSteps();
        status |= RunCoAttention();
        status |= RunGlimpses();
        return status;
    }

    private static int RunAt(int words)
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(ScoringSuite.Texts(2_000, words, seed: 1));
        ITransformer pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.AttentionEncode(new AttentionEncodeOptions { MaximumLength = words, Epochs = 1, Seed = 1 })).Fit(train);
        var encoder = (AttentionEncodeTransformer)((IEnumerable<ITransformer>)pipeline).Last();
        List<ScoringSuite.Document> texts = ScoringSuite.Texts(MlnetRows, words, seed: 2);

        // The engine and ONNX Runtime on the same batches of ids.
        var vocabulary = new Vocabulary([.. encoder.VocabularyWords!]);
        int[][] ids = [.. texts.Take(Batch * 8).Select(t => vocabulary.Encode(Vocabulary.Tokenize(t.Text)))];
        using var onnx = new MemoryStream();
        encoder.ExportToOnnx(onnx, train.Schema);
        using InferenceSession session = Session(onnx.ToArray());
        var batches = Enumerable.Range(0, ids.Length / Batch).Select(b => ids.Skip(b * Batch).Take(Batch).ToArray()).ToArray();
        float[] ours = EngineForward(encoder, batches[0]);
        float[] theirs = OrtForward(session, batches[0]);
        float worst = ours.Zip(theirs).Max(p => MathF.Abs(p.First - p.Second));
        if (worst > 1e-4f)
        {
            Console.Error.WriteLine($"onnx: ONNX Runtime differs from the pack by {worst} at {words} words");
            return 1;
        }

        double engine = Timing.BestSeconds(() => { foreach (int[][] b in batches) EngineForward(encoder, b); }, rounds: 3);
        double ort = Timing.BestSeconds(() => { foreach (int[][] b in batches) OrtForward(session, b); }, rounds: 3);
        Timing.Result($"onnx.encoder_w{words}.ours", ids.Length / engine, "rows/s");
        Timing.Result($"onnx.encoder_w{words}.onnxruntime", ids.Length / ort, "rows/s");

        // What an ML.NET app sees: Transform + scan, the pack's chain against the ML.NET-native chain.
        IDataView data = ml.Data.LoadFromEnumerable(texts);
        ITransformer native = ml.ToOnnxChain(pipeline, train.Schema);
        Scan(pipeline.Transform(ml.Data.TakeRows(data, 100)));
        Scan(native.Transform(ml.Data.TakeRows(data, 100)));
        double pack = Rate(() => Scan(pipeline.Transform(data)));
        double chain = Rate(() => Scan(native.Transform(data)));
        Timing.Result($"onnx.mlnet_w{words}.ours", pack, "rows/s");
        Timing.Result($"onnx.mlnet_w{words}.onnxruntime", chain, "rows/s");
        return 0;
    }

    /// <summary>The image attention classifier (default stages, one epoch) on 1×28×28 images, batches of 256: the engine against ONNX Runtime.</summary>
    private static int RunImages(ImageAttentionKind kind)
    {
        const int batch = 256;
        var ml = new MLContext(seed: 1);
        var random = new Random(1);
        var rows = Enumerable.Range(0, 512).Select(i => new Picture
        {
            Label = (i % 10).ToString(System.Globalization.CultureInfo.InvariantCulture),
            Features = [.. Enumerable.Range(0, 28 * 28).Select(_ => (float)random.NextDouble() * 255)],
        }).ToList();
        IDataView train = ml.Data.LoadFromEnumerable(rows);
        var model = (ImageAttentionTransformer)((IEnumerable<ITransformer>)ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.ImageAttention(new ImageAttentionOptions { Attention = kind, Epochs = 1, Seed = 1 })).Fit(train)).Last();
        float[][] images = [.. rows.Take(batch).Select(r => r.Features)];
        using var onnx = new MemoryStream();
        model.ExportToOnnx(onnx, train.Schema);
        using InferenceSession session = Session(onnx.ToArray());
        var input = new DenseTensor<float>(images.SelectMany(i => i).ToArray(), [batch, 28 * 28]);
        float[] Ort()
        {
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", input)]);
            return [.. results[0].AsEnumerable<float>()];
        }

        float[] ours = [.. model.Score(images, wantMap: false).SelectMany(s => s.Probabilities)];
        float worst = ours.Zip(Ort()).Max(p => MathF.Abs(p.First - p.Second));
        if (worst > 1e-4f)
        {
            Console.Error.WriteLine($"onnx: ONNX Runtime differs from the pack by {worst} on {kind} images");
            return 1;
        }

        double engine = Timing.BestSeconds(() => model.Score(images, wantMap: false), rounds: 3);
        double ort = Timing.BestSeconds(() => Ort(), rounds: 3);
        string name = kind.ToString().ToLowerInvariant();
        Timing.Result($"onnx.image_{name}.ours", batch / engine, "images/s");
        Timing.Result($"onnx.image_{name}.onnxruntime", batch / ort, "images/s");
        return 0;
    }

    /// <summary>The HAN suite's network (15 sentences × 20 words, vocabulary 30k, embedding 100, BiGRU 50, attention 100), batch 64, inference.</summary>
    private static int RunHan()
    {
        var random = new Random(1);
        int[][][] documents = [.. Enumerable.Range(0, Batch).Select(_ => Enumerable.Range(0, 15).Select(_ => Enumerable.Range(0, 20).Select(_ => random.Next(2, 30000)).ToArray()).ToArray())];
        DocumentBatch batch = DocumentBatch.From(documents);
        var options = new HierarchicalAttentionOptions { EmbeddingDimension = 100, HiddenSize = 50, AttentionDimension = 100, Dropout = 0f };
        var model = new HierarchicalAttentionModel(options, 30000, 2, new Random(2));
        model.Eval();
        byte[] onnx = Microsoft.ML.Attention.Onnx.HierarchicalAttentionOnnx.Export(model, "TokenIds", "Logits", "Probabilities", "SentenceWeights", "WordWeights");
        using InferenceSession session = Session(onnx);
        var tokens = new DenseTensor<long>(batch.Tokens.Select(t => (long)t).ToArray(), [Batch, 15, 20]);
        float[] Ort()
        {
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("TokenIds", tokens)], ["Probabilities"]);
            return [.. results[0].AsEnumerable<float>()];
        }

        float[] Ours()
        {
            using TensorScope scope = TensorScope.Begin();
            using (GradMode.NoGrad())
            {
                return model.Forward(batch).Logits.Softmax(-1).ToArray();
            }
        }

        return SideBySide("han_b64", "the HAN", Ours, Ort, "documents/s");
    }

    /// <summary>The seq2seq encoder of the fra-eng eval (embedding 128, BiGRU 128, bridge; source vocabulary 8,000), batches of 64 sources of 20 tokens.</summary>
    private static int RunSequenceEncoder()
    {
        const int steps = 20;
        var random = new Random(3);
        int[][] sources = [.. Enumerable.Range(0, Batch).Select(_ => Enumerable.Range(0, steps).Select(_ => random.Next(4, 8000)).ToArray())];
        SourceBatch batch = SourceBatch.From(sources);
        var options = new SequenceToSequenceOptions { EmbeddingDimension = 128, HiddenSize = 128, AttentionDimension = 128, Dropout = 0f };
        var model = new SequenceToSequenceModel(options, 8000, 8000, new Random(4));
        model.Eval();
        byte[] onnx = Microsoft.ML.Attention.Onnx.SequenceToSequenceOnnx.ExportEncoder(model, "SourceIds", "EncoderStates", "DecoderInitialState");
        using InferenceSession session = Session(onnx);
        var tokens = new DenseTensor<long>(sources.SelectMany(r => r).Select(t => (long)t).ToArray(), [Batch, steps]);
        float[] Ort()
        {
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("SourceIds", tokens)], ["EncoderStates", "DecoderInitialState"]);
            return [.. results[0].AsEnumerable<float>(), .. results[1].AsEnumerable<float>()];
        }

        float[] Ours()
        {
            using TensorScope scope = TensorScope.Begin();
            using (GradMode.NoGrad())
            {
                EncodedSource encoded = model.Encode(batch);
                return [.. encoded.States.ToArray(), .. model.InitialState(encoded).Hidden.ToArray()];
            }
        }

        return SideBySide("seq2seq_encoder_b64", "the seq2seq encoder", Ours, Ort, "sources/s");
    }

    /// <summary>The time-step attention classifier at its defaults (LSTM) over 100 steps of 8 values, batches of 64 rows.</summary>
    private static int RunTimeSteps()
    {
        const int steps = 100, size = 8;
        var random = new Random(5);
        float[] values = [.. Enumerable.Range(0, Batch * steps * size).Select(_ => (float)random.NextDouble())];
        var options = new TimeStepAttentionOptions { StepSize = size, Dropout = 0f };
        var model = new TimeStepAttentionModel(options, steps, 4, new Random(6));
        model.Eval();
        byte[] onnx = Microsoft.ML.Attention.Onnx.TimeStepAttentionOnnx.Export(model, steps, "Features", "Score", "StepWeights");
        using InferenceSession session = Session(onnx);
        var features = new DenseTensor<float>(values, [Batch, steps * size]);
        float[] Ort()
        {
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", features)], ["Score", "StepWeights"]);
            return [.. results[0].AsEnumerable<float>(), .. results[1].AsEnumerable<float>()];
        }

        float[] Ours()
        {
            using TensorScope scope = TensorScope.Begin();
            using (GradMode.NoGrad())
            {
                AttentionResult r = model.Forward(Microsoft.ML.Attention.Tensors.Tensor.FromArray(values, Batch, steps, size));
                return [.. r.Output.Softmax(-1).ToArray(), .. r.Weights!.ToArray()];
            }
        }

        return SideBySide("time_steps_b64", "the time-step classifier", Ours, Ort, "rows/s");
    }

    /// <summary>The co-attention pair classifier at its defaults, vocabulary 5,000, batches of 64 pairs of 20 and 24 words.</summary>
    private static int RunCoAttention()
    {
        var random = new Random(7);
        int[][] first = [.. Enumerable.Range(0, Batch).Select(_ => Enumerable.Range(0, 20).Select(_ => random.Next(2, 5000)).ToArray())];
        int[][] second = [.. Enumerable.Range(0, Batch).Select(_ => Enumerable.Range(0, 24).Select(_ => random.Next(2, 5000)).ToArray())];
        var model = new CoAttentionPairModel(new CoAttentionOptions { Dropout = 0f }, 5000, new Random(8));
        model.Eval();
        byte[] onnx = Microsoft.ML.Attention.Onnx.CoAttentionOnnx.Export(model, "FirstIds", "SecondIds", "Score", "Probability", "FirstToSecond", "SecondToFirst");
        using InferenceSession session = Session(onnx);
        var a = new DenseTensor<long>(first.SelectMany(r => r).Select(t => (long)t).ToArray(), [Batch, 20]);
        var b = new DenseTensor<long>(second.SelectMany(r => r).Select(t => (long)t).ToArray(), [Batch, 24]);
        float[] Ort()
        {
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("FirstIds", a), NamedOnnxValue.CreateFromTensor("SecondIds", b)], ["Score", "FirstToSecond"]);
            return [.. results[0].AsEnumerable<float>(), .. results[1].AsEnumerable<float>()];
        }

        float[] Ours()
        {
            using TensorScope scope = TensorScope.Begin();
            using (GradMode.NoGrad())
            {
                Nn.CoAttentionResult co = model.Forward(SourceBatch.From(first), SourceBatch.From(second), out Tensors.Tensor logits);
                return [.. logits.ToArray(), .. co.FirstToSecondWeights.ToArray()];
            }
        }

        return SideBySide("co_attention_b64", "the co-attention classifier", Ours, Ort, "pairs/s");
    }

    /// <summary>The glimpse classifier at its defaults (6 glimpses of 8×8, 3 scales) on 1×28×28 images, batches of 64.</summary>
    private static int RunGlimpses()
    {
        var random = new Random(9);
        float[] pixels = [.. Enumerable.Range(0, Batch * 784).Select(_ => (float)(random.NextDouble() * 255))];
        var network = new RecurrentAttentionNetwork(new RecurrentAttentionOptions(), new ImageShape(1, 28, 28), 10, new Random(10));
        network.Eval();
        byte[] onnx = Microsoft.ML.Attention.Onnx.RecurrentAttentionOnnx.Export(network, "Features", "Score", "Locations");
        using InferenceSession session = Session(onnx);
        var features = new DenseTensor<float>(pixels, [Batch, 784]);
        float[] Ort()
        {
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", features)], ["Score", "Locations"]);
            return [.. results[0].AsEnumerable<float>(), .. results[1].AsEnumerable<float>()];
        }

        float[] Ours()
        {
            using TensorScope scope = TensorScope.Begin();
            using (GradMode.NoGrad())
            {
                RecurrentAttentionResult r = network.Forward(Tensors.Tensor.FromArray(pixels, Batch, 1, 28, 28), sample: false);
                return [.. r.Logits.Softmax(-1).ToArray(), .. r.Locations];
            }
        }

        return SideBySide("glimpses_b64", "the glimpse classifier", Ours, Ort, "images/s");
    }

    /// <summary>ONNX Runtime as the peer runs: two intra-op threads, one inter-op, every graph optimization.</summary>
    private static InferenceSession Session(byte[] onnx)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        return new InferenceSession(onnx, options);
    }

    /// <summary>Checks the two agree within 1e-4, then prints both rates (rows of <see cref="Batch"/> per call).</summary>
    private static int SideBySide(string name, string what, Func<float[]> ours, Func<float[]> ort, string unit)
    {
        float worst = ours().Zip(ort()).Max(p => MathF.Abs(p.First - p.Second));
        if (worst > 1e-4f)
        {
            Console.Error.WriteLine($"onnx: ONNX Runtime differs from the pack by {worst} on {what}");
            return 1;
        }

        double engine = Timing.BestSeconds(() => ours(), rounds: 3);
        double runtime = Timing.BestSeconds(() => ort(), rounds: 3);
        Timing.Result($"onnx.{name}.ours", Batch / engine, unit);
        Timing.Result($"onnx.{name}.onnxruntime", Batch / runtime, unit);
        return 0;
    }

    private sealed class Picture
    {
        public string Label { get; set; } = "";

        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];
    }

    private static float[] EngineForward(AttentionEncodeTransformer encoder, int[][] batch)
    {
        using TensorScope scope = TensorScope.Begin();
        using (GradMode.NoGrad())
        {
            return encoder.Model.Encode(EncoderBatch.FromTokens(batch)).Output.AsSpan().ToArray();
        }
    }

    private static float[] OrtForward(InferenceSession session, int[][] batch)
    {
        int length = batch.Max(b => b.Length);
        var tokens = new DenseTensor<long>([batch.Length, length]);
        for (int r = 0; r < batch.Length; r++)
        {
            for (int t = 0; t < batch[r].Length; t++)
            {
                tokens[r, t] = batch[r][t];
            }
        }

        using var results = session.Run([NamedOnnxValue.CreateFromTensor(AttentionEncodeTransformer.OnnxTokenIdsInputName, tokens)], ["Embedding"]);
        return [.. results[0].AsEnumerable<float>()];
    }

    private static double Rate(Action scan)
    {
        var sw = Stopwatch.StartNew();
        scan();
        return MlnetRows / sw.Elapsed.TotalSeconds;
    }

    private static void Scan(IDataView view) => _ = view.GetColumn<float[]>("Embedding").Count();
}
