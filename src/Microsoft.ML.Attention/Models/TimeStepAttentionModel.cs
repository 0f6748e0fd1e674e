using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Attention over the time steps of a recurrent layer: GRU/LSTM states h_t, weights softmax(uᵀ tanh(W h_t + b) + p_t)
/// with a learned context vector u and, with <see cref="TimeStepAttentionOptions.StepBias"/>, a learned score p_t per
/// step; the weighted sum of the states, dropout and a linear head (class scores, or one value).
/// Parameter names: <c>recurrent</c>, <c>attention</c> (<c>attention.position_bias</c> the step scores), <c>head</c>.
/// </summary>
public sealed class TimeStepAttentionModel : Module
{
    private readonly TimeStepAttentionOptions _options;

    /// <summary>Builds the model <paramref name="options"/> describe, initialized from <paramref name="random"/>.</summary>
    /// <param name="options">The options, validated; the model keeps a copy.</param>
    /// <param name="steps">Steps per row: the model reads sequences of exactly this many.</param>
    /// <param name="outputs">Classes of the head (2 or more), or 1 for regression.</param>
    /// <param name="random">The generator of every initial weight and dropout mask.</param>
    public TimeStepAttentionModel(TimeStepAttentionOptions options, int steps, int outputs, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        _options = options.Clone();
        _options.CheckpointDirectory = null; // where one run was checkpointed is not part of the model
        _options.ResumeFromCheckpoint = false;
        Steps = steps;
        Outputs = outputs;
        int h = options.HiddenSize, d = options.Bidirectional ? 2 * h : h;
        Recurrent = RegisterModule<RecurrentLayer>("recurrent", options.Cell == RecurrentCell.Lstm
            ? new Lstm(options.StepSize, h, bidirectional: options.Bidirectional, random: random)
            : new Gru(options.StepSize, h, bidirectional: options.Bidirectional, random: random));
        Attention = RegisterModule("attention", new AttentionPooling(d, options.AttentionDimension, random, options.StepBias ? steps : 0));
        Dropout = RegisterModule("dropout", new Dropout(options.Dropout, random));
        Head = RegisterModule("head", new Linear(d, outputs, random: random));
    }

    /// <summary>The options the model was built from (a fresh copy on every read).</summary>
    public TimeStepAttentionOptions Options => _options.Clone();

    /// <summary>Steps per row.</summary>
    public int Steps { get; }

    /// <summary>Classes of the head, or 1 for regression.</summary>
    public int Outputs { get; }

    /// <summary>The recurrent layer over the steps.</summary>
    public RecurrentLayer Recurrent { get; }

    /// <summary>Attention pooling over the states.</summary>
    public AttentionPooling Attention { get; }

    /// <summary>Dropout on the pooled vector (training only).</summary>
    public Dropout Dropout { get; }

    /// <summary>The head.</summary>
    public Linear Head { get; }

    /// <summary>Scores [B, outputs] and step weights [B, T] for steps [B, T, StepSize], T = <see cref="Steps"/>.</summary>
    public AttentionResult Forward(Tensor steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Rank != 3 || steps.Shape[1] != Steps || steps.Shape[2] != _options.StepSize)
        {
            throw new ArgumentException($"TimeStepAttentionModel: steps of shape [{string.Join(", ", steps.Shape)}]; expected [batch, {Steps}, {_options.StepSize}].", nameof(steps));
        }

        AttentionResult pooled = Attention.Forward(Recurrent.Forward(steps).Output);
        return new AttentionResult(Head.Forward(Dropout.Forward(pooled.Output)), pooled.Weights);
    }
}
