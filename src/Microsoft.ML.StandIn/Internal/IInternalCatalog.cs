using Microsoft.ML.Runtime;

namespace Microsoft.ML
{
    /// <summary>Internal in ML.NET as well: how a catalog exposes the environment to components created from it.</summary>
    internal interface IInternalCatalog
    {
        IHostEnvironment Environment { get; }
    }
}
