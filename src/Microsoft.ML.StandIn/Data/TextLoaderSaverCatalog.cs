using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML
{
    /// <summary>Text file loading on <see cref="DataOperationsCatalog"/>.</summary>
    public static class TextLoaderSaverCatalog
    {
        public static IDataView LoadFromTextFile<TInput>(this DataOperationsCatalog catalog, string path, char separatorChar = '\t',
            bool hasHeader = false, bool allowQuoting = false, bool trimWhitespace = false, bool allowSparse = false)
        {
            var options = new TextLoader.Options
            {
                Separators = new[] { separatorChar },
                HasHeader = hasHeader,
                AllowQuoting = allowQuoting,
                TrimWhitespace = trimWhitespace,
                AllowSparse = allowSparse,
            };
            return LoadFromTextFile<TInput>(catalog, path, options);
        }

        public static IDataView LoadFromTextFile<TInput>(this DataOperationsCatalog catalog, string path, TextLoader.Options options)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            CheckPath(path);
            var copy = Copy(options ?? new TextLoader.Options());
            copy.Columns = ColumnsFromType(typeof(TInput));
            var source = new MultiFileSource(path);
            return new TextLoader(copy, source).Load(source);
        }

        public static IDataView LoadFromTextFile(this DataOperationsCatalog catalog, string path, TextLoader.Column[] columns, char separatorChar = '\t',
            bool hasHeader = false, bool allowQuoting = false, bool trimWhitespace = false, bool allowSparse = false)
        {
            var options = new TextLoader.Options
            {
                Columns = columns,
                Separators = new[] { separatorChar },
                HasHeader = hasHeader,
                AllowQuoting = allowQuoting,
                TrimWhitespace = trimWhitespace,
                AllowSparse = allowSparse,
            };
            return LoadFromTextFile(catalog, path, options);
        }

        public static IDataView LoadFromTextFile(this DataOperationsCatalog catalog, string path, TextLoader.Options options = null)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            CheckPath(path);
            if (options?.Columns == null || options.Columns.Length == 0)
                throw new ArgumentOutOfRangeException(nameof(options), "The text loader options must list the columns to load.");
            var source = new MultiFileSource(path);
            return new TextLoader(options, source).Load(source);
        }

        public static TextLoader CreateTextLoader<TInput>(this DataOperationsCatalog catalog, char separatorChar = '\t', bool hasHeader = false,
            IMultiStreamSource dataSample = null, bool allowQuoting = false, bool trimWhitespace = false, bool allowSparse = false)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            var options = new TextLoader.Options
            {
                Columns = ColumnsFromType(typeof(TInput)),
                Separators = new[] { separatorChar },
                HasHeader = hasHeader,
                AllowQuoting = allowQuoting,
                TrimWhitespace = trimWhitespace,
                AllowSparse = allowSparse,
            };
            return new TextLoader(options, dataSample);
        }

        public static TextLoader CreateTextLoader(this DataOperationsCatalog catalog, TextLoader.Column[] columns, char separatorChar = '\t',
            bool hasHeader = false, IMultiStreamSource dataSample = null, bool allowQuoting = false, bool trimWhitespace = false, bool allowSparse = false)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            var options = new TextLoader.Options
            {
                Columns = columns,
                Separators = new[] { separatorChar },
                HasHeader = hasHeader,
                AllowQuoting = allowQuoting,
                TrimWhitespace = trimWhitespace,
                AllowSparse = allowSparse,
            };
            return new TextLoader(options, dataSample);
        }

        private static void CheckPath(string path)
        {
            Contracts.CheckNonEmpty(path, nameof(path));
            if (!File.Exists(path))
                throw new ArgumentOutOfRangeException(nameof(path), $"File does not exist at path: {path}");
        }

        private static TextLoader.Options Copy(TextLoader.Options o) => new TextLoader.Options
        {
            AllowQuoting = o.AllowQuoting,
            AllowSparse = o.AllowSparse,
            InputSize = o.InputSize,
            Separators = o.Separators,
            DecimalMarker = o.DecimalMarker,
            Columns = o.Columns,
            TrimWhitespace = o.TrimWhitespace,
            HasHeader = o.HasHeader,
            UseThreads = o.UseThreads,
            ReadMultilines = o.ReadMultilines,
            HeaderFile = o.HeaderFile,
            MaxRows = o.MaxRows,
            EscapeChar = o.EscapeChar,
            MissingRealsAsNaNs = o.MissingRealsAsNaNs,
        };

        private static TextLoader.Column[] ColumnsFromType(Type type)
        {
            var columns = new List<TextLoader.Column>();
            foreach (var member in MemberAccess.ColumnMembers(type, SchemaDefinition.Direction.Read))
            {
                if (member.GetCustomAttribute<NoColumnAttribute>() != null)
                    continue;
                var load = member.GetCustomAttribute<LoadColumnAttribute>()
                    ?? throw new InvalidOperationException($"Field or property {member.Name} of {type.Name} is missing the {nameof(LoadColumnAttribute)} attribute.");
                var memberType = MemberAccess.TypeOf(member);
                var itemType = memberType.IsArray ? memberType.GetElementType() : memberType;
                var kind = KindOf(itemType) ?? throw new InvalidOperationException($"Field or property {member.Name} of {type.Name} has type {memberType.Name}, which the text loader cannot produce.");
                var ranges = load.Sources.Select(s => new TextLoader.Range(s.Min, s.Max) { ForceVector = memberType.IsArray }).ToArray();
                var key = member.GetCustomAttribute<KeyTypeAttribute>();
                var name = member.GetCustomAttribute<ColumnNameAttribute>()?.Name ?? member.Name;
                columns.Add(new TextLoader.Column(name, kind, ranges, key != null ? new TextLoader.KeyCount(key.Count == 0 ? uint.MaxValue : key.Count) : null));
            }
            if (columns.Count == 0)
                throw new InvalidOperationException($"Type {type.Name} has no fields or properties with {nameof(LoadColumnAttribute)}.");
            return columns.ToArray();
        }

        private static DataKind? KindOf(Type t)
        {
            if (t == typeof(float)) return DataKind.Single;
            if (t == typeof(double)) return DataKind.Double;
            if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>)) return DataKind.String;
            if (t == typeof(bool)) return DataKind.Boolean;
            if (t == typeof(int)) return DataKind.Int32;
            if (t == typeof(uint)) return DataKind.UInt32;
            if (t == typeof(long)) return DataKind.Int64;
            if (t == typeof(ulong)) return DataKind.UInt64;
            if (t == typeof(short)) return DataKind.Int16;
            if (t == typeof(ushort)) return DataKind.UInt16;
            if (t == typeof(sbyte)) return DataKind.SByte;
            if (t == typeof(byte)) return DataKind.Byte;
            return null;
        }
    }
}
