using Microsoft.ML.Data;

namespace Microsoft.ML
{
    /// <summary>Learns a transformer from data.</summary>
    public interface IEstimator<out TTransformer>
        where TTransformer : ITransformer
    {
        TTransformer Fit(IDataView input);
        SchemaShape GetOutputSchema(SchemaShape inputSchema);
    }

    /// <summary>Maps data views to data views; knows its output schema without reading data.</summary>
    public interface ITransformer : ICanSaveModel
    {
        bool IsRowToRowMapper { get; }
        DataViewSchema GetOutputSchema(DataViewSchema inputSchema);
        IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema);
        IDataView Transform(IDataView input);
    }

    public interface ICanSaveModel
    {
        void Save(ModelSaveContext ctx);
    }

    public interface IDataLoader<in TSource> : ICanSaveModel
    {
        IDataView Load(TSource input);
        DataViewSchema GetOutputSchema();
    }

    public interface IDataLoaderEstimator<in TSource, out TLoader>
        where TLoader : IDataLoader<TSource>
    {
        TLoader Fit(TSource input);
        SchemaShape GetOutputSchema();
    }
}

namespace Microsoft.ML.Data
{
    /// <summary>Maps one input row to one output row; used by prediction engines.</summary>
    public interface IRowToRowMapper
    {
        DataViewSchema InputSchema { get; }
        DataViewSchema OutputSchema { get; }
        IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns);
        DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns);
    }

    public enum DataKind : byte
    {
        SByte = 1,
        Byte = 2,
        Int16 = 3,
        UInt16 = 4,
        Int32 = 5,
        UInt32 = 6,
        Int64 = 7,
        UInt64 = 8,
        Single = 9,
        Double = 10,
        String = 11,
        Boolean = 12,
        TimeSpan = 13,
        DateTime = 14,
        DateTimeOffset = 15,
    }
}
