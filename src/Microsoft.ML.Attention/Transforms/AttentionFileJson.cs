using System.Text.Json.Serialization;
using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// System.Text.Json contracts of the pack's model-file entries, generated at compile time: fixed types only (nothing is
/// instantiated from a name in a file), unknown members and missing constructor parameters refused, numbers strict.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    NumberHandling = JsonNumberHandling.Strict,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(AttentionEncodeFileSettings))]
[JsonSerializable(typeof(AttentionEncodeOptions))]
[JsonSerializable(typeof(HierarchicalAttentionFileSettings))]
[JsonSerializable(typeof(ImageAttentionFileSettings))]
[JsonSerializable(typeof(RecurrentAttentionFileSettings))]
[JsonSerializable(typeof(SequenceToSequenceFileSettings))]
[JsonSerializable(typeof(TimeStepAttentionFileSettings))]
[JsonSerializable(typeof(CoAttentionFileSettings))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class AttentionFileJson : JsonSerializerContext
{
}
