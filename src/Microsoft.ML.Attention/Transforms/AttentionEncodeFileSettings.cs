using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>The <c>settings.json</c> of an <see cref="AttentionEncodeTransformer"/> in a model file.</summary>
/// <param name="Version">The settings version (<see cref="AttentionEncodeFile.Version"/>).</param>
/// <param name="Options">The options the model was trained with: columns, architecture, lengths, outputs.</param>
/// <param name="VocabularySize">Words in the vocabulary (text input), or 0.</param>
/// <param name="Outputs">Outputs of the training head: classes, or 1 for regression.</param>
internal sealed record AttentionEncodeFileSettings(int Version, AttentionEncodeOptions Options, int VocabularySize, int Outputs);
