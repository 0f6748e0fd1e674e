using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>The <c>settings.json</c> of an <see cref="ImageAttentionTransformer"/> in a model file.</summary>
/// <param name="Version">The settings version (<see cref="ImageAttentionFile.Version"/>).</param>
/// <param name="Options">The options the network was trained with: columns, architecture, outputs.</param>
/// <param name="Channels">Colour planes of the images.</param>
/// <param name="Height">Rows of the images.</param>
/// <param name="Width">Columns of the images.</param>
/// <param name="Classes">Classes of the head.</param>
/// <param name="LabelValues">The training label's key values, or null.</param>
/// <param name="Featurizer">A featurizer (embedding column) rather than a classifier.</param>
internal sealed record ImageAttentionFileSettings(int Version, ImageAttentionOptions Options, int Channels, int Height, int Width, int Classes, string[]? LabelValues, bool Featurizer);
