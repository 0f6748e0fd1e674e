using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>The <c>settings.json</c> of a <see cref="SequenceToSequenceTransformer"/> in a model file.</summary>
/// <param name="Version">The settings version (<see cref="SequenceToSequenceFile.Version"/>).</param>
/// <param name="Options">The options the model was trained with: columns, tokens, architecture, decoding.</param>
/// <param name="SourceVocabularySize">Source tokens, markers included.</param>
/// <param name="TargetVocabularySize">Target tokens, markers included.</param>
internal sealed record SequenceToSequenceFileSettings(int Version, SequenceToSequenceOptions Options, int SourceVocabularySize, int TargetVocabularySize);
