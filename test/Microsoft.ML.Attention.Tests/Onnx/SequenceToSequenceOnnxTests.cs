using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tests.Sequences;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// The sequence-to-sequence encoder exported to ONNX (GRU and LSTM cells), run by ONNX Runtime 1.31 on a padded batch of
/// sources of different lengths, gives the pack's encoder states and the decoder's initial state within 1e-4.
/// </summary>
[TestClass]
public sealed class SequenceToSequenceOnnxTests
{
    [TestMethod]
    [DataRow(RecurrentCell.Gru)]
    [DataRow(RecurrentCell.Lstm)]
    public void Encoder_OnnxRuntime_MatchesThePacksEncoder(RecurrentCell cell)
    {
        var ml = new MLContext(seed: 1);
        var pairs = SequenceToSequencePipelineTests.Phrases(60, seed: 5);
        SequenceToSequenceTransformer model = ml.Transforms.SequenceToSequence(new SequenceToSequenceOptions
        {
            SourceColumnName = "Source", TargetColumnName = "Target", Unit = TextUnit.Word, Cell = cell, EmbeddingDimension = 6, HiddenSize = 5,
            AttentionDimension = 4, Epochs = 1, Seed = 3,
        }).Fit(ml.Data.LoadFromEnumerable(pairs.Select(p => new SequenceToSequencePipelineTests.Pair { Source = p.Source, Target = p.Target })));

        string[] sources = ["red cat runs", "the big old tree sees a bird", "dog", "unknownword small house"];
        int[][] ids = [.. sources.Select(model.SourceTokenIds)];
        CollectionAssert.AreEqual(new[] { 1 }, ids[3].Take(1).ToArray(), "an unknown word reads as id 1");
        int steps = ids.Max(r => r.Length), d = 10;
        long[] padded = new long[ids.Length * steps];
        for (int i = 0; i < ids.Length; i++)
        {
            for (int t = 0; t < ids[i].Length; t++)
            {
                padded[i * steps + t] = ids[i][t];
            }
        }

        float[] states, initial;
        using (GradMode.NoGrad())
        {
            EncodedSource encoded = model.Model.Encode(SourceBatch.From(ids));
            states = encoded.States.ToArray();
            initial = model.Model.InitialState(encoded).Hidden.ToArray();
        }

        using var onnx = new MemoryStream();
        model.ExportEncoderToOnnx(onnx);
        using var session = new InferenceSession(onnx.ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(SequenceToSequenceTransformer.OnnxSourceIdsInputName, new DenseTensor<long>(padded, [ids.Length, steps]))]);
        float[] onnxStates = [.. results.First(r => r.Name == SequenceToSequenceTransformer.OnnxEncoderStatesOutputName).AsTensor<float>()];
        float[] onnxInitial = [.. results.First(r => r.Name == SequenceToSequenceTransformer.OnnxDecoderInitialStateOutputName).AsTensor<float>()];
        Assert.HasCount(ids.Length * steps * d, onnxStates);
        for (int i = 0; i < ids.Length; i++)
        {
            // The states past a source's end are padding (the pack's values there are not read by the attention).
            Support.Check.Close(states.AsSpan(i * steps * d, ids[i].Length * d).ToArray(), onnxStates.AsSpan(i * steps * d, ids[i].Length * d).ToArray(), $"{cell} states of source {i}", rtol: 0f, atol: 1e-4f);
        }

        Support.Check.Close(initial, onnxInitial, $"{cell} decoder initial state", rtol: 0f, atol: 1e-4f);
        Assert.IsGreaterThan(0.05f, initial.Select(MathF.Abs).Max(), "the state is not all zeros");
    }
}
