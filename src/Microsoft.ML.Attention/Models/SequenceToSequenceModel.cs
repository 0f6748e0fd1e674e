using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// An encoder–decoder with attention: source embeddings, a bidirectional GRU/LSTM encoder (states 2H wide), a bridge
/// from its final states to the decoder's first (tanh), a GRU/LSTM decoder of width D = 2H over target embeddings, an
/// attention over the encoder states, the attentional state h̃ = tanh(W_c [context; decoder state]) and a linear
/// output over the target vocabulary. With a Luong score the decoder state at step t attends (Luong et al. 2015; with
/// input feeding h̃ of step t−1 enters the cell); with the additive score the previous decoder state attends and the
/// context enters the cell (Bahdanau et al. 2015). Ids: 0 padding, 1 unknown, <see cref="Start"/>, <see cref="End"/>.
/// Parameter names: <c>source_embedding</c>, <c>target_embedding</c>, <c>encoder</c>, <c>bridge</c>, <c>decoder</c>,
/// <c>attention</c>, <c>combine</c>, <c>output</c>.
/// </summary>
public sealed class SequenceToSequenceModel : Module
{
    /// <summary>The start-of-sequence id (the decoder's first input).</summary>
    public const int Start = 2;

    /// <summary>The end-of-sequence id (the decoder's last output).</summary>
    public const int End = 3;

    /// <summary>The first id of a real token.</summary>
    public const int FirstToken = 4;

    private readonly SequenceToSequenceOptions _options;
    private readonly IDecoderAttention _attention;

    /// <summary>Builds the model <paramref name="options"/> describe, initialized from <paramref name="random"/>.</summary>
    /// <param name="options">The options, validated; the model keeps a copy.</param>
    /// <param name="sourceVocabularySize">Source ids (markers included).</param>
    /// <param name="targetVocabularySize">Target ids (markers included).</param>
    /// <param name="random">The generator of every initial weight and dropout mask.</param>
    public SequenceToSequenceModel(SequenceToSequenceOptions options, int sourceVocabularySize, int targetVocabularySize, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        if (sourceVocabularySize <= FirstToken || targetVocabularySize <= FirstToken)
        {
            throw new ArgumentOutOfRangeException(nameof(sourceVocabularySize),
                $"Both vocabularies need a token beyond the {FirstToken} markers; got {sourceVocabularySize} source and {targetVocabularySize} target ids.");
        }

        _options = options.Clone();
        _options.CheckpointDirectory = null; // where one run was checkpointed is not part of the model
        _options.ResumeFromCheckpoint = false;
        SourceVocabularySize = sourceVocabularySize;
        TargetVocabularySize = targetVocabularySize;
        int e = options.EmbeddingDimension, h = options.HiddenSize, d = 2 * h;
        SourceEmbedding = RegisterModule("source_embedding", new Embedding(sourceVocabularySize, e, paddingIndex: Vocabulary.Padding, random: random));
        TargetEmbedding = RegisterModule("target_embedding", new Embedding(targetVocabularySize, e, paddingIndex: Vocabulary.Padding, random: random));
        Encoder = RegisterModule("encoder", Recurrent(options.Cell, e, h, bidirectional: true, random));
        Bridge = RegisterModule("bridge", new Linear(2 * h, d, random: random));
        int feed = options.Attention == DecoderAttentionKind.Additive ? 2 * h : options.InputFeeding ? d : 0;
        Decoder = RegisterModule("decoder", Recurrent(options.Cell, e + feed, d, bidirectional: false, random));
        Module attention = options.Attention switch
        {
            DecoderAttentionKind.Additive => new AdditiveAttention(d, 2 * h, options.AttentionDimension, random),
            DecoderAttentionKind.Dot => new MultiplicativeAttention(LuongScore.Dot, d, 2 * h, random: random),
            DecoderAttentionKind.General => new MultiplicativeAttention(LuongScore.General, d, 2 * h, random: random),
            _ => new MultiplicativeAttention(LuongScore.Concat, d, 2 * h, options.AttentionDimension, random),
        };
        RegisterModule("attention", attention);
        _attention = (IDecoderAttention)attention;
        Combine = RegisterModule("combine", new Linear(2 * h + d, d, bias: false, random: random));
        Output = RegisterModule("output", new Linear(d, targetVocabularySize, random: random));
        Dropout = RegisterModule("dropout", new Dropout(options.Dropout, random));
    }

    /// <summary>The options the model was built from (a fresh copy on every read).</summary>
    public SequenceToSequenceOptions Options => _options.Clone();

    /// <summary>Source ids the source embedding knows.</summary>
    public int SourceVocabularySize { get; }

    /// <summary>Target ids the output layer scores.</summary>
    public int TargetVocabularySize { get; }

    /// <summary>Source token embeddings (row 0, padding, stays zero).</summary>
    public Embedding SourceEmbedding { get; }

    /// <summary>Target token embeddings (row 0, padding, stays zero).</summary>
    public Embedding TargetEmbedding { get; }

    /// <summary>The bidirectional encoder.</summary>
    public RecurrentLayer Encoder { get; }

    /// <summary>Final encoder states [fwd; bwd] → the decoder's first state.</summary>
    public Linear Bridge { get; }

    /// <summary>The decoder cell.</summary>
    public RecurrentLayer Decoder { get; }

    /// <summary>The decoder's attention over the encoder states.</summary>
    public IDecoderAttention Attention => _attention;

    /// <summary>W_c of the attentional state.</summary>
    public Linear Combine { get; }

    /// <summary>The output layer over the target vocabulary.</summary>
    public Linear Output { get; }

    /// <summary>Dropout (training only) on the embeddings and the attentional states.</summary>
    public Dropout Dropout { get; }

    /// <summary>Whether teacher forcing can run the decoder over all steps at once (a Luong score without input feeding).</summary>
    public bool DecodesInParallel => _options.Attention != DecoderAttentionKind.Additive && !_options.InputFeeding && !StepByStep;

    /// <summary>Runs teacher forcing one step at a time even when it could run in parallel (the reference tests compare against).</summary>
    internal bool StepByStep { get; set; }

    /// <summary>Runs the encoder over <paramref name="batch"/> and projects the keys once.</summary>
    public EncodedSource Encode(SourceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int b = batch.Batch, s = batch.Steps;
        Tensor x = Dropout.Forward(SourceEmbedding.Forward((batch.Tokens, [b, s])));
        RecurrentOutput encoded = Encoder.Forward(x, batch.Lengths);
        Tensor states = encoded.Output;
        int h = _options.HiddenSize;
        Tensor final = Ops.Concat([encoded.Hidden.Narrow(0, 0, 1).Reshape(b, h), encoded.Hidden.Narrow(0, 1, 1).Reshape(b, h)], 1);
        return new EncodedSource(states, _attention.ProjectKeys(states), batch.Padding(), final, batch.Lengths);
    }

    /// <summary>The decoder's state before its first step: tanh(bridge([final forward; final backward])).</summary>
    public DecoderState InitialState(EncodedSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        int b = source.Batch, d = 2 * _options.HiddenSize;
        Tensor hidden = Bridge.Forward(source.Final).Tanh();
        Tensor? cell = _options.Cell == RecurrentCell.Lstm ? Tensor.Zeros(b, d) : null;
        Tensor? feed = _options.Attention != DecoderAttentionKind.Additive && _options.InputFeeding ? Tensor.Zeros(b, d) : null;
        return new DecoderState(hidden, cell, feed);
    }

    /// <summary>One decoder step from the previous tokens <paramref name="previous"/> (one per row).</summary>
    public DecoderStep Step(EncodedSource source, ReadOnlySpan<int> previous, DecoderState state)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(state);
        int b = source.Batch;
        if (previous.Length != b)
        {
            throw new ArgumentException($"{previous.Length} previous tokens for {b} rows.", nameof(previous));
        }

        return Step(source, Dropout.Forward(TargetEmbedding.Forward(previous.ToArray())), state);
    }

    /// <summary>Teacher forcing: scores of every target step given the true previous tokens, and the attention weights.</summary>
    public SequenceToSequenceResult Forward(SequencePairBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        EncodedSource source = Encode(batch.Source);
        DecoderState state = InitialState(source);
        int b = batch.Batch, t = batch.TargetSteps, e = _options.EmbeddingDimension, d = 2 * _options.HiddenSize;
        Tensor inputs = Dropout.Forward(TargetEmbedding.Forward((batch.TargetInput, [b, t])));
        if (DecodesInParallel)
        {
            RecurrentOutput run = Decoder.Forward(inputs, batch.TargetLengths, state.Hidden.Reshape(1, b, d), state.Cell?.Reshape(1, b, d));
            AttentionResult attended = _attention.Attend(run.Output, source.Keys, source.States, source.Padding);
            Tensor attentional = Combine.Forward(Ops.Concat([attended.Output, run.Output], 2)).Tanh();
            return new SequenceToSequenceResult(Output.Forward(Dropout.Forward(attentional)), attended.Weights!);
        }

        // Step by step; the output layer (and, without input feeding, the attentional layer) then runs once over all steps.
        bool feeds = state.Feed is not null;
        var attentionals = new Tensor[t];
        var contexts = new Tensor[t];
        var hiddens = new Tensor[t];
        var weights = new Tensor[t];
        for (int i = 0; i < t; i++)
        {
            (Tensor context, Tensor hidden, Tensor w, Tensor? cell) = Advance(source, inputs.Narrow(1, i, 1).Reshape(b, e), state);
            weights[i] = w;
            Tensor? attentional = feeds ? Attentional(context, hidden, 1) : null;
            if (feeds)
            {
                attentionals[i] = attentional!;
            }
            else
            {
                contexts[i] = context;
                hiddens[i] = hidden;
            }

            state = new DecoderState(hidden, cell, attentional);
        }

        Tensor all = feeds ? Ops.Stack(attentionals, 1) : Attentional(Ops.Stack(contexts, 1), Ops.Stack(hiddens, 1), 2);
        return new SequenceToSequenceResult(Output.Forward(Dropout.Forward(all)), Ops.Stack(weights, 1));
    }

    private DecoderStep Step(EncodedSource source, Tensor embedded, DecoderState state)
    {
        (Tensor context, Tensor hidden, Tensor weights, Tensor? cell) = Advance(source, embedded, state);
        Tensor attentional = Attentional(context, hidden, 1);
        Tensor logits = Output.Forward(Dropout.Forward(attentional));
        return new DecoderStep(logits, weights, new DecoderState(hidden, cell, state.Feed is null ? null : attentional));
    }

    /// <summary>h̃ = tanh(W_c [context; decoder state]), concatenated along <paramref name="dim"/>.</summary>
    private Tensor Attentional(Tensor context, Tensor hidden, int dim) => Combine.Forward(Ops.Concat([context, hidden], dim)).Tanh();

    /// <summary>One decoder step up to the attention: the context, the new state (and cell) and the weights.</summary>
    private (Tensor Context, Tensor Hidden, Tensor Weights, Tensor? Cell) Advance(EncodedSource source, Tensor embedded, DecoderState state)
    {
        int b = source.Batch, d = 2 * _options.HiddenSize;
        Tensor Run(Tensor input, out RecurrentOutput run)
        {
            run = Decoder.Forward(input.Reshape(b, 1, input.Size(1)), lengths: null, state.Hidden.Reshape(1, b, d), state.Cell?.Reshape(1, b, d));
            return run.Output.Reshape(b, d);
        }

        RecurrentOutput run;
        Tensor hidden;
        AttentionResult attended;
        if (_options.Attention == DecoderAttentionKind.Additive)
        {
            attended = _attention.Attend(state.Hidden, source.Keys, source.States, source.Padding);
            hidden = Run(Ops.Concat([embedded, attended.Output], 1), out run);
        }
        else
        {
            hidden = Run(state.Feed is { } feed ? Ops.Concat([embedded, feed], 1) : embedded, out run);
            attended = _attention.Attend(hidden, source.Keys, source.States, source.Padding);
        }

        return (attended.Output, hidden, attended.Weights!, run.Cell?.Reshape(b, d));
    }

    private static RecurrentLayer Recurrent(RecurrentCell cell, int input, int hidden, bool bidirectional, Random random) => cell == RecurrentCell.Lstm
        ? new Lstm(input, hidden, bidirectional: bidirectional, random: random)
        : new Gru(input, hidden, bidirectional: bidirectional, random: random);
}
