namespace Microsoft.ML.Data
{
    /// <summary>Annotation and score-column constants (internal in ML.NET as AnnotationUtils.Kinds/Const).</summary>
    internal static class AnnotationKinds
    {
        public const string SlotNames = "SlotNames";
        public const string KeyValues = "KeyValues";
        public const string ScoreColumnSetId = "ScoreColumnSetId";
        public const string ScoreColumnKind = "ScoreColumnKind";
        public const string ScoreValueKind = "ScoreValueKind";
        public const string IsNormalized = "IsNormalized";
        public const string TrainingLabelValues = "TrainingLabelValues";

        public const string MulticlassClassification = "MulticlassClassification";
        public const string BinaryClassification = "BinaryClassification";
        public const string Regression = "Regression";

        public const string Score = "Score";
        public const string PredictedLabel = "PredictedLabel";
        public const string Probability = "Probability";
    }
}
