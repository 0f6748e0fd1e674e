using Microsoft.ML.Runtime;

namespace Microsoft.ML.Data
{
    /// <summary>
    /// Loads delimited text lazily: nothing is read until a cursor moves, only the requested columns are parsed, and a
    /// cursor set splits a single file into byte ranges scanned in parallel. A value that cannot be parsed, or an
    /// unterminated quote, stops the scan with a <see cref="FormatException"/> naming file, line and column.
    /// </summary>
    public sealed class TextLoader : IDataLoader<IMultiStreamSource>
    {
        private readonly Options _options;
        private readonly DataViewSchema _schema;
        private readonly TextColumnPlan[] _plan;

        internal TextLoader(Options options, IMultiStreamSource headerSource = null)
        {
            Contracts.CheckValue(options, nameof(options));
            if (options.Columns == null || options.Columns.Length == 0)
                throw new ArgumentOutOfRangeException(nameof(options), "TextLoader needs at least one column.");
            if (options.Separators == null || options.Separators.Length == 0)
                throw new ArgumentOutOfRangeException(nameof(options), "TextLoader needs at least one separator.");
            if (options.AllowSparse)
                throw new NotSupportedException("Sparse text input (allowSparse) is not supported by this build of the text loader.");
            if (options.DecimalMarker != '.')
                throw new NotSupportedException($"Decimal marker '{options.DecimalMarker}' is not supported; only '.' is.");
            _options = options;
            _plan = options.Columns.Select(TextColumnPlan.Create).ToArray();
            string[] header = options.HasHeader && headerSource != null && headerSource.Count > 0 ? TextFileReader.ReadHeader(headerSource, options) : null;
            var builder = new DataViewSchema.Builder();
            foreach (var plan in _plan)
                builder.AddColumn(plan.Name, plan.Type, plan.SlotNames(header));
            _schema = builder.ToSchema();
        }

        public IDataView Load(IMultiStreamSource source)
        {
            Contracts.CheckValue(source, nameof(source));
            return new TextDataView(source, _options, _plan, _schema);
        }

        public DataViewSchema GetOutputSchema() => _schema;

        void ICanSaveModel.Save(ModelSaveContext ctx)
            => throw new NotSupportedException("Saving a text loader inside a model is not supported by the stand-in; save the transformer with its input schema instead.");

        public sealed class Column
        {
            public Column()
            {
            }

            public Column(string name, DataKind dataKind, int index)
                : this(name, dataKind, new[] { new Range(index) })
            {
            }

            public Column(string name, DataKind dataKind, int minIndex, int maxIndex)
                : this(name, dataKind, new[] { new Range(minIndex, maxIndex) })
            {
            }

            public Column(string name, DataKind dataKind, Range[] source, KeyCount keyCount = null)
            {
                Contracts.CheckNonEmpty(name, nameof(name));
                Name = name;
                DataKind = dataKind;
                Source = Contracts.CheckValue(source, nameof(source));
                KeyCount = keyCount;
            }

            public string Name;
            public DataKind DataKind;
            public Range[] Source;
            public KeyCount KeyCount;
        }

        public sealed class Range
        {
            public Range()
            {
            }

            public Range(int index)
            {
                Contracts.CheckParam(index >= 0, nameof(index), "Must be non-negative");
                Min = index;
                Max = index;
            }

            public Range(int min, int? max)
            {
                Contracts.CheckParam(min >= 0, nameof(min), "Must be non-negative");
                Contracts.CheckParam(!(max < min), nameof(max), "If specified, must be greater than or equal to " + nameof(min));
                Min = min;
                Max = max;
                VariableEnd = max == null;
            }

            public int Min;
            public int? Max;
            public bool AutoEnd;
            public bool VariableEnd;
            public bool AllOther;
            public bool ForceVector;
        }

        public sealed class KeyCount
        {
            public KeyCount()
            {
            }

            public KeyCount(ulong count)
            {
                Count = count;
            }

            public ulong? Count;
        }

        public class Options
        {
            public bool AllowQuoting;
            public bool AllowSparse;
            public int? InputSize;
            public char[] Separators = new[] { '\t' };
            public char DecimalMarker = '.';
            public Column[] Columns;
            public bool TrimWhitespace;
            public bool HasHeader;
            public bool UseThreads = true;
            public bool ReadMultilines;
            public string HeaderFile;
            public long? MaxRows;
            public char EscapeChar = '"';
            public bool MissingRealsAsNaNs;
        }
    }
}
