namespace Microsoft.ML.Data
{
    /// <summary>A seeded full shuffle of a cached source: every cursor without its own Random sees the same order.</summary>
    internal sealed class ShuffledDataView : IDataView
    {
        private readonly CacheDataView _cache;
        private readonly int _seed;

        public ShuffledDataView(CacheDataView cache, int seed)
        {
            _cache = cache;
            _seed = seed;
        }

        public bool CanShuffle => true;
        public DataViewSchema Schema => _cache.Schema;
        public long? GetRowCount() => _cache.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null)
            => _cache.GetRowCursor(columnsNeeded, rand ?? new Random(_seed));

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null)
            => new[] { GetRowCursor(columnsNeeded, rand) };
    }
}
