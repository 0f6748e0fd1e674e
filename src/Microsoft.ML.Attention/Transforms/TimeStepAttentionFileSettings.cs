using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>The <c>settings.json</c> of a <see cref="TimeStepAttentionTransformer"/> in a model file.</summary>
/// <param name="Version">The settings version (<see cref="TimeStepAttentionFile.Version"/>).</param>
/// <param name="Options">The options the model was trained with.</param>
/// <param name="Steps">Steps per row.</param>
/// <param name="Outputs">Classes of the head, or 1 for regression.</param>
/// <param name="LabelValues">The training label's key values, or null.</param>
internal sealed record TimeStepAttentionFileSettings(int Version, TimeStepAttentionOptions Options, int Steps, int Outputs, string[]? LabelValues);
