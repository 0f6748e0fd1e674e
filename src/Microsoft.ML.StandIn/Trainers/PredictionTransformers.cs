using Microsoft.ML.Runtime;

namespace Microsoft.ML
{
    public interface IPredictionTransformer<out TModel> : ITransformer
        where TModel : class
    {
        TModel Model { get; }
    }

    public interface ISingleFeaturePredictionTransformer<out TModel> : IPredictionTransformer<TModel>
        where TModel : class
    {
        string FeatureColumnName { get; }
        Microsoft.ML.Data.DataViewType FeatureColumnType { get; }
    }
}

namespace Microsoft.ML.Trainers
{
    public interface ITrainerEstimator<out TTransformer, out TModel> : IEstimator<TTransformer>
        where TTransformer : IPredictionTransformer<TModel>
        where TModel : class
    {
        TrainerInfo Info { get; }
    }
}

namespace Microsoft.ML.Data
{
    /// <summary>Base of prediction transformers: a model plus the columns it scores from. Not derivable outside ML.NET.</summary>
    public abstract class PredictionTransformerBase<TModel> : IPredictionTransformer<TModel>
        where TModel : class
    {
        private protected PredictionTransformerBase(IHost host, TModel model, DataViewSchema trainSchema)
        {
            Host = host;
            Model = model;
            TrainSchema = trainSchema;
        }

        private protected IHost Host { get; }
        private protected DataViewSchema TrainSchema { get; }

        public TModel Model { get; }

        public bool IsRowToRowMapper => true;

        public abstract DataViewSchema GetOutputSchema(DataViewSchema inputSchema);
        public abstract IDataView Transform(IDataView input);
        public abstract IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema);

        void ICanSaveModel.Save(ModelSaveContext ctx) => SaveModel(ctx);

        private protected abstract void SaveModel(ModelSaveContext ctx);
    }

    /// <summary>A prediction transformer that reads one feature column.</summary>
    public abstract class SingleFeaturePredictionTransformerBase<TModel> : PredictionTransformerBase<TModel>, ISingleFeaturePredictionTransformer<TModel>
        where TModel : class
    {
        private protected SingleFeaturePredictionTransformerBase(IHost host, TModel model, DataViewSchema trainSchema, string featureColumn)
            : base(host, model, trainSchema)
        {
            FeatureColumnName = featureColumn;
            FeatureColumnType = featureColumn == null ? null : trainSchema[featureColumn].Type;
        }

        public string FeatureColumnName { get; }
        public DataViewType FeatureColumnType { get; }

        private protected abstract IRowMapper MakeMapper(DataViewSchema schema);

        public sealed override DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            return RowToRowMapperTransform.GetOutputSchema(inputSchema, MakeMapper(inputSchema));
        }

        public sealed override IDataView Transform(IDataView input)
        {
            Contracts.CheckValue(input, nameof(input));
            return new RowToRowMapperTransform(input, MakeMapper(input.Schema));
        }

        public sealed override IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            return new RowToRowMapperTransform(inputSchema, MakeMapper(inputSchema));
        }
    }

    /// <summary>Adds Score (class probabilities) and PredictedLabel (key of the most probable class).</summary>
    public sealed class MulticlassPredictionTransformer<TModel> : SingleFeaturePredictionTransformerBase<TModel>
        where TModel : class
    {
        private readonly Func<DataViewSchema, IRowMapper> _makeMapper;
        private readonly Action<ModelSaveContext> _save;

        internal MulticlassPredictionTransformer(IHost host, TModel model, DataViewSchema trainSchema, string featureColumn,
            Func<DataViewSchema, IRowMapper> makeMapper, Action<ModelSaveContext> save)
            : base(host, model, trainSchema, featureColumn)
        {
            _makeMapper = makeMapper;
            _save = save;
        }

        private protected override IRowMapper MakeMapper(DataViewSchema schema) => _makeMapper(schema);

        private protected override void SaveModel(ModelSaveContext ctx) => _save(ctx);
    }

    /// <summary>Adds Score (margin), Probability (calibrated) and PredictedLabel (Boolean).</summary>
    public sealed class BinaryPredictionTransformer<TModel> : SingleFeaturePredictionTransformerBase<TModel>
        where TModel : class
    {
        private readonly Func<DataViewSchema, IRowMapper> _makeMapper;
        private readonly Action<ModelSaveContext> _save;

        internal BinaryPredictionTransformer(IHost host, TModel model, DataViewSchema trainSchema, string featureColumn,
            Func<DataViewSchema, IRowMapper> makeMapper, Action<ModelSaveContext> save)
            : base(host, model, trainSchema, featureColumn)
        {
            _makeMapper = makeMapper;
            _save = save;
        }

        public readonly float Threshold = 0f;
        public readonly string ThresholdColumn = "Score";

        private protected override IRowMapper MakeMapper(DataViewSchema schema) => _makeMapper(schema);

        private protected override void SaveModel(ModelSaveContext ctx) => _save(ctx);
    }
}
