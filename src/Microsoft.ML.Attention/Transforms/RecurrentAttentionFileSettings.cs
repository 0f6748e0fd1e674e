using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>The <c>settings.json</c> of a <see cref="RecurrentAttentionTransformer"/> in a model file.</summary>
/// <param name="Version">The settings version (<see cref="RecurrentAttentionFile.Version"/>).</param>
/// <param name="Options">The options the model was trained with.</param>
/// <param name="Channels">Colour planes of the images.</param>
/// <param name="Height">Rows of the images.</param>
/// <param name="Width">Columns of the images.</param>
/// <param name="Classes">Classes of the head.</param>
/// <param name="LabelValues">The training label's key values, or null.</param>
internal sealed record RecurrentAttentionFileSettings(int Version, RecurrentAttentionOptions Options, int Channels, int Height, int Width, int Classes, string[]? LabelValues);
