using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML
{
    /// <summary>Loading, saving, splitting, caching, shuffling and filtering data views.</summary>
    public sealed class DataOperationsCatalog : IInternalCatalog
    {
        private readonly IHostEnvironment _env;

        internal DataOperationsCatalog(IHostEnvironment env)
        {
            _env = env;
        }

        IHostEnvironment IInternalCatalog.Environment => _env;

        public IDataView LoadFromEnumerable<TRow>(IEnumerable<TRow> data, SchemaDefinition schemaDefinition = null)
            where TRow : class
        {
            Contracts.CheckValue(data, nameof(data));
            return new EnumerableDataView<TRow>(data, schemaDefinition, null);
        }

        public IDataView LoadFromEnumerable<TRow>(IEnumerable<TRow> data, DataViewSchema schema)
            where TRow : class
        {
            Contracts.CheckValue(data, nameof(data));
            Contracts.CheckValue(schema, nameof(schema));
            return new EnumerableDataView<TRow>(data, null, schema);
        }

        public IEnumerable<TRow> CreateEnumerable<TRow>(IDataView data, bool reuseRowObject, bool ignoreMissingColumns = false,
            SchemaDefinition schemaDefinition = null)
            where TRow : class, new()
        {
            Contracts.CheckValue(data, nameof(data));
            var binding = new RowClassBinding(typeof(TRow), schemaDefinition, SchemaDefinition.Direction.Write);
            // Fail before enumeration starts if a member has no column or a column of the wrong type.
            binding.MakeFiller(new SchemaOnlyRow(data.Schema), ignoreMissingColumns);
            return Enumerate<TRow>(data, binding, reuseRowObject, ignoreMissingColumns);
        }

        private static IEnumerable<TRow> Enumerate<TRow>(IDataView data, RowClassBinding binding, bool reuse, bool ignoreMissing)
            where TRow : class, new()
        {
            var needed = binding.Columns.Select(c => data.Schema.GetColumnOrNull(c.Name)).Where(c => c.HasValue).Select(c => c.Value).ToArray();
            using var cursor = data.GetRowCursor(needed);
            var fill = binding.MakeFiller(cursor, ignoreMissing);
            TRow row = null;
            while (cursor.MoveNext())
            {
                if (row == null || !reuse)
                    row = new TRow();
                fill(row);
                yield return row;
            }
        }

        public TrainTestData TrainTestSplit(IDataView data, double testFraction = 0.1, string samplingKeyColumnName = null, int? seed = null)
        {
            Contracts.CheckValue(data, nameof(data));
            Contracts.CheckParam(0 < testFraction && testFraction < 1, nameof(testFraction), "Must be between 0 and 1 exclusive");
            DataViewSchema.Column? key = null;
            if (samplingKeyColumnName != null)
                key = Contracts.FindColumn(data.Schema, nameof(samplingKeyColumnName), "sampling key", samplingKeyColumnName);
            ulong salt = (ulong)(seed ?? ((IHost)_env.Register("TrainTestSplit")).Rand.Next());
            double cut = 1 - testFraction;
            var train = SplitView(data, key, salt, 0, cut);
            var test = SplitView(data, key, salt, cut, 1);
            return new TrainTestData(train, test);
        }

        private static IDataView SplitView(IDataView data, DataViewSchema.Column? key, ulong salt, double lower, double upper)
        {
            var columns = key.HasValue ? new[] { key.Value } : Array.Empty<DataViewSchema.Column>();
            return new FilteringDataView(data, columns, cursor =>
            {
                var unit = SplitHash.UnitGetter(cursor, key, salt);
                return c =>
                {
                    double u = unit();
                    return lower <= u && u < upper;
                };
            });
        }

        public IDataView Cache(IDataView input, params string[] columnsToPrefetch)
        {
            Contracts.CheckValue(input, nameof(input));
            foreach (var name in columnsToPrefetch ?? Array.Empty<string>())
                Contracts.FindColumn(input.Schema, nameof(columnsToPrefetch), "prefetch", name);
            return new CacheDataView(input);
        }

        public IDataView ShuffleRows(IDataView input, int? seed = null, int shufflePoolSize = 1000, bool shuffleSource = true)
        {
            Contracts.CheckValue(input, nameof(input));
            Contracts.CheckParam(shufflePoolSize > 0, nameof(shufflePoolSize), "Must be positive");
            int s = seed ?? ((IHost)_env.Register("ShuffleRows")).Rand.Next();
            return new ShuffledDataView(new CacheDataView(input), s);
        }

        public IDataView TakeRows(IDataView input, long count)
        {
            Contracts.CheckValue(input, nameof(input));
            Contracts.CheckParam(count > 0, nameof(count), "Must be greater than zero");
            return new FilteringDataView(input, null, null, position => position < count, allowSplit: false,
                count: () => input.GetRowCount() is long n ? Math.Min(n, count) : null);
        }

        public IDataView SkipRows(IDataView input, long count)
        {
            Contracts.CheckValue(input, nameof(input));
            Contracts.CheckParam(count > 0, nameof(count), "Must be greater than zero");
            return new FilteringDataView(input, null, _ =>
            {
                long seen = 0;
                return c => ++seen > count;
            }, allowSplit: false, count: () => input.GetRowCount() is long n ? Math.Max(0, n - count) : null);
        }

        public IDataView FilterRowsByColumn(IDataView input, string columnName, double lowerBound = double.NegativeInfinity, double upperBound = double.PositiveInfinity)
        {
            Contracts.CheckValue(input, nameof(input));
            Contracts.CheckNonEmpty(columnName, nameof(columnName));
            Contracts.CheckParam(lowerBound < upperBound, nameof(upperBound), "Must be greater than lowerBound");
            var column = Contracts.FindColumn(input.Schema, nameof(columnName), "filter", columnName);
            var type = column.Type;
            if (type != NumberDataViewType.Single && type != NumberDataViewType.Double && type is not KeyDataViewType)
                throw Contracts.ExceptSchemaMismatch(nameof(columnName), "filter", columnName, "Single, Double or Key", type.ToString());
            return new FilteringDataView(input, new[] { column }, cursor =>
            {
                Func<double> read = NumericReader.Make(cursor, column);
                return c =>
                {
                    double v = read();
                    return lowerBound <= v && v < upperBound;
                };
            });
        }

        public readonly struct TrainTestData
        {
            public readonly IDataView TrainSet;
            public readonly IDataView TestSet;

            internal TrainTestData(IDataView trainSet, IDataView testSet)
            {
                TrainSet = trainSet;
                TestSet = testSet;
            }
        }
    }
}
