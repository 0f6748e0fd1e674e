namespace Microsoft.ML.Data
{
    /// <summary>A deterministic uniform number in [0, 1) per row, from the row id or a sampling key, and a seed.</summary>
    internal static class SplitHash
    {
        public static Func<double> UnitGetter(DataViewRow row, DataViewSchema.Column? key, ulong salt)
        {
            if (key == null)
            {
                var id = row.GetIdGetter();
                return () =>
                {
                    DataViewRowId v = default;
                    id(ref v);
                    return ToUnit(Mix(v.Low ^ Mix(v.High ^ salt) ^ salt));
                };
            }
            var column = key.Value;
            if (column.Type is TextDataViewType)
            {
                var text = row.GetGetter<ReadOnlyMemory<char>>(column);
                return () =>
                {
                    ReadOnlyMemory<char> v = default;
                    text(ref v);
                    ulong h = 1469598103934665603UL ^ salt;
                    foreach (char ch in v.Span)
                        h = (h ^ ch) * 1099511628211UL;
                    return ToUnit(Mix(h));
                };
            }
            var number = NumericReader.Make(row, column);
            return () => ToUnit(Mix((ulong)BitConverter.DoubleToInt64Bits(number()) ^ salt));
        }

        private static ulong Mix(ulong z)
        {
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        private static double ToUnit(ulong h) => (h >> 11) * (1.0 / (1UL << 53));
    }
}
