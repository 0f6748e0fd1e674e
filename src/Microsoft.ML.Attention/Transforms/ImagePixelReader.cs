using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Finds the image layout of a pixel column and reads its rows as planar float arrays, refusing what the network cannot
/// take: a column that is not a float vector, a vector without image dimensions (unless the options give a shape), an
/// interleaved (height, width, colour) vector, a size that differs from the shape, and NaN or infinite pixels, each
/// named by column, row or shape.
/// </summary>
internal static class ImagePixelReader
{
    /// <summary>The layout of <paramref name="column"/>'s images: from its [C, H, W] dimensions, or from <paramref name="declared"/>.</summary>
    internal static ImageShape ShapeOf(string column, DataViewType type, ImageShape? declared, string owner = "ImageAttention")
    {
        if (type is not VectorDataViewType { ItemType: NumberDataViewType } vector || vector.ItemType != NumberDataViewType.Single)
        {
            throw new ArgumentOutOfRangeException(nameof(type), $"{owner}: pixel column '{column}' has type {type}; expected a vector of Single (ExtractPixels writes one).");
        }

        return ShapeOf(column, [.. vector.Dimensions], declared, owner);
    }

    /// <summary>As <see cref="ShapeOf(string, DataViewType, ImageShape?, string)"/> from the column's dimensions (a 1-D size of 0 means variable).</summary>
    internal static ImageShape ShapeOf(string column, int[] dims, ImageShape? declared, string owner = "ImageAttention")
    {
        string layout = $"[{string.Join(", ", dims)}]";
        if (dims.Length == 3)
        {
            bool colourFirst = dims[0] is 1 or 3 or 4, colourLast = dims[2] is 1 or 3 or 4;
            if (colourLast && !colourFirst)
            {
                throw new ArgumentOutOfRangeException(nameof(dims), $"{owner}: pixel column '{column}' is {layout}, interleaved (height, width, colour); the network reads planar (colour, height, width) pixels: use ExtractPixels(..., interleavePixelColors: false), its default.");
            }

            var shape = new ImageShape(dims[0], dims[1], dims[2]);
            if (declared is { } d && d != shape)
            {
                throw new ArgumentOutOfRangeException(nameof(dims), $"{owner}: pixel column '{column}' is {layout} (channels × height × width) but {owner}Options.Shape says {d}.");
            }

            return shape;
        }

        int size = dims.Length == 0 ? 0 : dims.Aggregate(1, (a, b) => a * b);
        if (declared is not { } given)
        {
            throw new ArgumentOutOfRangeException(nameof(dims), $"{owner}: pixel column '{column}' is a vector of shape {layout} without image dimensions; set {owner}Options.Shape (channels, height, width) or produce it with ExtractPixels, which writes [C, H, W].");
        }

        if (size != 0 && size != given.Size)
        {
            throw new ArgumentOutOfRangeException(nameof(dims), $"{owner}: pixel column '{column}' has {size} values per row but {owner}Options.Shape {given} needs {given.Size}.");
        }

        return given;
    }

    /// <summary>Refuses, by name, a pixel column of <paramref name="schema"/> that is missing or not a vector of Single.</summary>
    internal static void CheckSchema(SchemaShape schema, string name, string owner)
    {
        SchemaShape.Column pixels = schema.FirstOrDefault(c => c.Name == name);
        if (pixels.Name is null)
        {
            throw new ArgumentOutOfRangeException(nameof(schema), $"{owner}: pixel column '{name}' not found. Columns: {string.Join(", ", schema.Select(c => c.Name))}.");
        }

        if (pixels.Kind == SchemaShape.Column.VectorKind.Scalar || pixels.ItemType != NumberDataViewType.Single)
        {
            throw new ArgumentOutOfRangeException(nameof(schema), $"{owner}: pixel column '{name}' is {pixels.ItemType}{(pixels.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : " vector")}; expected a vector of Single (ExtractPixels writes one).");
        }
    }

    /// <summary>The pixel column of a schema a trained model scores, refused unless it holds images of <paramref name="trained"/>.</summary>
    internal static DataViewSchema.Column TrainedColumn(DataViewSchema schema, string name, ImageShape? declared, ImageShape trained, string owner)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"{owner}: pixel column '{name}' not found. Columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        ImageShape found = ShapeOf(column.Name, column.Type, declared ?? trained, owner);
        return found == trained
            ? column
            : throw new ArgumentOutOfRangeException(nameof(schema), $"{owner}: pixel column '{column.Name}' holds images of {found}; the model was trained on {trained} (channels × height × width).");
    }

    /// <summary>Where the first non-finite pixel is ("the value NaN at channel 1, y 5, x 9"), or null when all are finite.</summary>
    internal static string? NonFinite(ReadOnlySpan<float> pixels, ImageShape shape)
    {
        int bad = pixels.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
        if (bad < 0)
        {
            return null;
        }

        int plane = shape.Height * shape.Width;
        return $"the value {pixels[bad]} at channel {bad / plane}, y {bad % plane / shape.Width}, x {bad % shape.Width}";
    }

    /// <summary>A getter of <paramref name="column"/> on <paramref name="row"/> that fills planar arrays of <paramref name="shape"/>.</summary>
    internal static Func<float[]> Getter(DataViewRow row, DataViewSchema.Column column, ImageShape shape, string owner = "ImageAttention")
    {
        ValueGetter<VBuffer<float>> getter = row.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        return () =>
        {
            getter(ref buffer);
            return Checked(buffer, row.Position, column, shape, owner);
        };
    }

    /// <summary>A dense copy of one row's pixels, checked for size and finite values (the row named by <paramref name="position"/>).</summary>
    internal static float[] Checked(in VBuffer<float> buffer, long position, DataViewSchema.Column column, ImageShape shape, string owner = "ImageAttention")
    {
        if (buffer.Length != shape.Size)
        {
            throw new InvalidOperationException($"{owner}: row {position} of pixel column '{column.Name}' has {buffer.Length} values; images of {shape} (channels × height × width) have {shape.Size}.");
        }

        float[] pixels = new float[shape.Size];
        buffer.CopyTo(pixels);
        if (NonFinite(pixels, shape) is { } where)
        {
            throw new InvalidOperationException($"{owner}: row {position} of pixel column '{column.Name}' has {where}; pixels must be finite.");
        }

        return pixels;
    }

    /// <summary>
    /// The training images and labels of <paramref name="input"/>: the pixel column's layout (from its dimensions or
    /// <paramref name="declared"/>), every row's pixels checked, the key label's classes and values.
    /// </summary>
    internal static (ImageDataset Data, int Classes, string[]? LabelValues) ReadTraining(IDataView input, string pixelColumn, string labelColumn, ImageShape? declared, string owner)
    {
        string columns = string.Join(", ", input.Schema.Where(c => !c.IsHidden).Select(c => c.Name));
        DataViewSchema.Column pixels = input.Schema.GetColumnOrNull(pixelColumn)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"{owner}: pixel column '{pixelColumn}' not found. Columns: {columns}.");
        ImageShape shape = ShapeOf(pixels.Name, pixels.Type, declared, owner);
        DataViewSchema.Column label = input.Schema.GetColumnOrNull(labelColumn)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"{owner}: label column '{labelColumn}' not found. Columns: {columns}.");
        (int classes, Func<DataViewRow, long, int> readLabel) = KeyLabel.Reader(label, owner);
        var images = new List<float[]>();
        var labels = new List<int>();
        using (DataViewRowCursor cursor = input.GetRowCursor([pixels, label]))
        {
            Func<float[]> read = Getter(cursor, pixels, shape, owner);
            while (cursor.MoveNext())
            {
                labels.Add(readLabel(cursor, cursor.Position));
                images.Add(read());
            }
        }

        return labels.Count == 0
            ? throw new InvalidOperationException($"{owner}: the training data has no rows.")
            : (new ImageDataset(shape, [.. images], [.. labels]), classes, KeyLabel.Values(label));
    }
}
