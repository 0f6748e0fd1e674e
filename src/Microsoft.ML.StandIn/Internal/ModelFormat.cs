namespace Microsoft.ML
{
    /// <summary>Constants of the stand-in's model zip format.</summary>
    internal static class ModelFormat
    {
        public const uint ComponentMagic = 0x4D4C4E43;   // "MLNC"
        public const string VersionEntry = "Version.txt";
        public const string SchemaEntry = "Schema/Schema.bin";
        public const string ModelDirectory = "Model";
        public const string FormatLine = "Microsoft.ML.StandIn model format 1";
        public const int FormatVersion = 1;
    }
}
