using System.Globalization;

namespace Microsoft.ML.Data
{
    /// <summary>Parses one text field to a column value; returns false on malformed input.</summary>
    internal static class TextValueParser
    {
        public delegate bool Parser<T>(ReadOnlySpan<char> text, out T value);

        public static Delegate For(PrimitiveDataViewType type, bool missingRealsAsNaNs)
        {
            float missingSingle = missingRealsAsNaNs ? float.NaN : 0f;
            double missingDouble = missingRealsAsNaNs ? double.NaN : 0d;
            if (type is KeyDataViewType key)
            {
                ulong count = key.Count;
                Parser<ulong> parseKey = (ReadOnlySpan<char> s, out ulong v) =>
                {
                    v = 0;
                    s = s.Trim();
                    if (s.IsEmpty || s.SequenceEqual("?"))
                        return true;
                    if (!ulong.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong raw))
                        return false;
                    v = raw < count ? raw + 1 : 0;   // values in files are 0-based; out of range is missing
                    return true;
                };
                if (key.RawType == typeof(uint)) return (Parser<uint>)((ReadOnlySpan<char> s, out uint v) => { bool ok = parseKey(s, out ulong u); v = (uint)u; return ok; });
                if (key.RawType == typeof(ulong)) return parseKey;
                if (key.RawType == typeof(ushort)) return (Parser<ushort>)((ReadOnlySpan<char> s, out ushort v) => { bool ok = parseKey(s, out ulong u); v = (ushort)u; return ok; });
                return (Parser<byte>)((ReadOnlySpan<char> s, out byte v) => { bool ok = parseKey(s, out ulong u); v = (byte)u; return ok; });
            }
            if (type == NumberDataViewType.Single)
            {
                return (Parser<float>)((ReadOnlySpan<char> s, out float v) =>
                {
                    s = s.Trim();
                    if (s.IsEmpty) { v = missingSingle; return true; }
                    if (s.SequenceEqual("?")) { v = float.NaN; return true; }
                    return float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v);
                });
            }
            if (type == NumberDataViewType.Double)
            {
                return (Parser<double>)((ReadOnlySpan<char> s, out double v) =>
                {
                    s = s.Trim();
                    if (s.IsEmpty) { v = missingDouble; return true; }
                    if (s.SequenceEqual("?")) { v = double.NaN; return true; }
                    return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v);
                });
            }
            if (type is TextDataViewType)
                throw new InvalidOperationException("Text needs no parser.");
            if (type is BooleanDataViewType)
            {
                return (Parser<bool>)((ReadOnlySpan<char> s, out bool v) =>
                {
                    s = s.Trim();
                    v = false;
                    if (s.IsEmpty) return true;
                    if (s.Equals("true", StringComparison.OrdinalIgnoreCase) || s.SequenceEqual("1") || s.SequenceEqual("+1") || s.Equals("yes", StringComparison.OrdinalIgnoreCase)) { v = true; return true; }
                    return s.Equals("false", StringComparison.OrdinalIgnoreCase) || s.SequenceEqual("0") || s.SequenceEqual("-1") || s.Equals("no", StringComparison.OrdinalIgnoreCase);
                });
            }
            if (type == NumberDataViewType.Int32) return Integer<int>(int.TryParse);
            if (type == NumberDataViewType.UInt32) return Integer<uint>(uint.TryParse);
            if (type == NumberDataViewType.Int64) return Integer<long>(long.TryParse);
            if (type == NumberDataViewType.UInt64) return Integer<ulong>(ulong.TryParse);
            if (type == NumberDataViewType.Int16) return Integer<short>(short.TryParse);
            if (type == NumberDataViewType.UInt16) return Integer<ushort>(ushort.TryParse);
            if (type == NumberDataViewType.SByte) return Integer<sbyte>(sbyte.TryParse);
            if (type == NumberDataViewType.Byte) return Integer<byte>(byte.TryParse);
            throw new NotSupportedException($"No text parser for {type}.");
        }

        private delegate bool IntegerTryParse<T>(ReadOnlySpan<char> s, NumberStyles style, IFormatProvider provider, out T value);

        private static Parser<T> Integer<T>(IntegerTryParse<T> parse)
            => (ReadOnlySpan<char> s, out T v) =>
            {
                s = s.Trim();
                if (s.IsEmpty) { v = default; return true; }
                return parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out v);
            };
    }
}
