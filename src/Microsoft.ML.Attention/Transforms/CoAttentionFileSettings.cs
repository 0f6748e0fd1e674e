using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>The <c>settings.json</c> of a <see cref="CoAttentionTransformer"/> in a model file.</summary>
/// <param name="Version">The settings version (<see cref="CoAttentionFile.Version"/>).</param>
/// <param name="Options">The options the model was trained with.</param>
/// <param name="VocabularySize">Words in the vocabulary, markers included.</param>
internal sealed record CoAttentionFileSettings(int Version, CoAttentionOptions Options, int VocabularySize);
