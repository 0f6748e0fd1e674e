namespace Microsoft.ML
{
    /// <summary>What a trainer wants from its input (normalized features, cached data).</summary>
    public sealed class TrainerInfo
    {
        internal TrainerInfo(bool normalization = true, bool caching = true)
        {
            NeedNormalization = normalization;
            WantCaching = caching;
        }

        public bool NeedNormalization { get; }
        public bool WantCaching { get; }
    }
}
