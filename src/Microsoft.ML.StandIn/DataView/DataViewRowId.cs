namespace Microsoft.ML.Data
{
    /// <summary>A 128-bit row identifier, unique within a data view.</summary>
    public readonly struct DataViewRowId : IComparable<DataViewRowId>, IEquatable<DataViewRowId>
    {
        public readonly ulong Low;
        public readonly ulong High;

        public DataViewRowId(ulong low, ulong high)
        {
            Low = low;
            High = high;
        }

        public override string ToString() => $"0x{High:x16}{Low:x16}";
        public int CompareTo(DataViewRowId other) => High != other.High ? High.CompareTo(other.High) : Low.CompareTo(other.Low);
        public bool Equals(DataViewRowId other) => Low == other.Low && High == other.High;
        public override bool Equals(object obj) => obj is DataViewRowId other && Equals(other);
        public override int GetHashCode() => HashCode.Combine(Low, High);

        public DataViewRowId Fork()
        {
            // Mixes both halves so that forked ids of neighbouring rows do not collide with each other.
            ulong h = Mix(High ^ 0x9E3779B97F4A7C15UL) ^ Low;
            ulong l = Mix(Low + 0xD1B54A32D192ED03UL) ^ High;
            return new DataViewRowId(l, h);
        }

        public DataViewRowId Next() => Combine(new DataViewRowId(1, 0));

        public DataViewRowId Combine(DataViewRowId other)
        {
            ulong h = Mix(High ^ Mix(other.High + 0x632BE59BD9B4E019UL));
            ulong l = Mix(Low ^ Mix(other.Low + 0x85157AF5UL)) ^ h;
            return new DataViewRowId(l, h);
        }

        private static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
