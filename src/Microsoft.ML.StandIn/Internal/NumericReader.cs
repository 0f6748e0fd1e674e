namespace Microsoft.ML.Data
{
    /// <summary>Reads a numeric or key column of the current row as a double (keys as their 1-based value, 0 = missing).</summary>
    internal static class NumericReader
    {
        public static Func<double> Make(DataViewRow row, DataViewSchema.Column column)
        {
            var raw = column.Type.RawType;
            if (raw == typeof(float)) { var g = row.GetGetter<float>(column); return () => { float v = 0; g(ref v); return v; }; }
            if (raw == typeof(double)) { var g = row.GetGetter<double>(column); return () => { double v = 0; g(ref v); return v; }; }
            if (raw == typeof(uint)) { var g = row.GetGetter<uint>(column); return () => { uint v = 0; g(ref v); return v; }; }
            if (raw == typeof(ulong)) { var g = row.GetGetter<ulong>(column); return () => { ulong v = 0; g(ref v); return v; }; }
            if (raw == typeof(ushort)) { var g = row.GetGetter<ushort>(column); return () => { ushort v = 0; g(ref v); return v; }; }
            if (raw == typeof(byte)) { var g = row.GetGetter<byte>(column); return () => { byte v = 0; g(ref v); return v; }; }
            if (raw == typeof(int)) { var g = row.GetGetter<int>(column); return () => { int v = 0; g(ref v); return v; }; }
            if (raw == typeof(long)) { var g = row.GetGetter<long>(column); return () => { long v = 0; g(ref v); return v; }; }
            if (raw == typeof(bool)) { var g = row.GetGetter<bool>(column); return () => { bool v = false; g(ref v); return v ? 1 : 0; }; }
            throw new InvalidOperationException($"Column '{column.Name}' of type {column.Type} is not numeric.");
        }
    }
}
