using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>The <c>settings.json</c> of a <see cref="HierarchicalAttentionTransformer"/> in a model file.</summary>
/// <param name="Version">The settings version (<see cref="HierarchicalAttentionFile.Version"/>).</param>
/// <param name="Options">The options the network was trained with: columns, architecture, text limits, outputs.</param>
/// <param name="VocabularySize">Words in the vocabulary, markers included.</param>
/// <param name="Classes">Classes of the predicted label.</param>
/// <param name="LabelValues">The training label's key values, or null.</param>
/// <param name="Binary">A binary classifier (Boolean label) rather than a multiclass one.</param>
internal sealed record HierarchicalAttentionFileSettings(int Version, HierarchicalAttentionOptions Options, int VocabularySize, int Classes, string[]? LabelValues, bool Binary);
