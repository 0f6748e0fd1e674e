using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>The feature column of the time-step trainer and its rows as dense arrays, refusing bad ones by column and row.</summary>
internal static class TimeStepReader
{
    /// <summary>The feature column: a fixed-size vector of Single holding a whole number of steps.</summary>
    internal static DataViewSchema.Column FeatureColumn(DataViewSchema schema, TimeStepAttentionOptions options)
    {
        string owner = TimeStepAttentionEstimator.Owner;
        DataViewSchema.Column column = schema.GetColumnOrNull(options.FeatureColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"{owner}: feature column '{options.FeatureColumnName}' not found. Columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType, IsKnownSize: true } vector || vector.ItemType != NumberDataViewType.Single)
        {
            throw new ArgumentOutOfRangeException(nameof(schema), $"{owner}: feature column '{column.Name}' has type {column.Type}; expected a fixed-size vector of Single.");
        }

        if (vector.Size % options.StepSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(schema), $"{owner}: feature column '{column.Name}' has {vector.Size} values, not a whole number of steps of StepSize = {options.StepSize}.");
        }

        return column;
    }

    /// <summary>Reads the current row's vector as a dense array, refusing NaN or infinite values by row, slot and step.</summary>
    internal static Func<float[]> Getter(DataViewRow row, DataViewSchema.Column column, TimeStepAttentionOptions options)
    {
        ValueGetter<VBuffer<float>> getter = row.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        return () =>
        {
            getter(ref buffer);
            return Checked(buffer, row.Position, column, options);
        };
    }

    /// <summary>A dense copy of one row's steps, every value checked to be finite (the row named by <paramref name="position"/>).</summary>
    internal static float[] Checked(in VBuffer<float> buffer, long position, DataViewSchema.Column column, TimeStepAttentionOptions options)
    {
        float[] dense = [.. buffer.DenseValues()];
        for (int i = 0; i < dense.Length; i++)
        {
            if (!float.IsFinite(dense[i]))
            {
                throw new InvalidOperationException(
                    $"{TimeStepAttentionEstimator.Owner}: row {position} of column '{column.Name}' holds {dense[i]} at slot {i} (step {i / options.StepSize}); every value must be finite.");
            }
        }

        return dense;
    }
}
