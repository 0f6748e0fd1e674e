namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// The recorded operation that produced a tensor, as seen from the tensor: its name and inputs. The autograd engine
/// (namespace <c>Microsoft.ML.Attention.Autograd</c>) supplies the implementations; the tensor only points at them,
/// as PyTorch's core tensor points at an autograd interface it does not implement.
/// </summary>
public abstract class GradFunction
{
    /// <summary>The name of the operation, for error messages and graph inspection (e.g. <c>MatMul</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The tensors this operation read that may need gradients.</summary>
    public abstract IReadOnlyList<Tensor> Inputs { get; }

    /// <summary>Frees what the operation saved for backward; a second backward through it then fails clearly.</summary>
    internal abstract void Release();
}
