namespace Microsoft.ML.Attention.Models;

/// <summary>The recurrent cell of a model's encoders.</summary>
public enum RecurrentCell
{
    /// <summary>Gated recurrent unit (PyTorch <c>nn.GRU</c>).</summary>
    Gru,

    /// <summary>Long short-term memory (PyTorch <c>nn.LSTM</c>).</summary>
    Lstm,
}
