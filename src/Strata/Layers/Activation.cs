using Strata.Serialization;

namespace Strata.Layers;

/// <summary>Applies an activation on its own, e.g. after Dense → BatchNormalization.</summary>
public sealed class Activation : Layer, ILogitsOutput, IConfigurableLayer
{
    private Tensor? _x, _y, _dx;
    private bool _readyForBackward;

    /// <param name="activation">φ, an <see cref="Activations"/> member or its Keras name.</param>
    /// <param name="inputShape">Per-sample input shape, for the first layer.</param>
    /// <param name="name">Layer name; by default activation, activation_1, …</param>
    public Activation(ActivationFunction activation, int[]? inputShape = null, string? name = null) : base(name, inputShape)
    {
        ArgumentNullException.ThrowIfNull(activation);
        Function = activation;
    }

    /// <summary>φ.</summary>
    public ActivationFunction Function { get; }

    internal override void WriteConfig(LayerConfigWriter config) => config.Activation("activation", Function);

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) => new Activation(c.Activation("activation"), c.InputShape, c.Name);

    protected override Shape OnBuild(Shape inputShape, Random random)
    {
        if (Function.IsSoftmax && (inputShape.Rank == 0 || inputShape[^1] == 0))
            throw new ArgumentException($"Layer '{Name}' (softmax) needs a non-empty last axis; got {inputShape.ToBatchString()}.");
        return inputShape;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        var y = Tensor.Ensure(ref _y, x.Shape);
        int columns = Columns(x);
        Function.Forward(x.Span, y.Span, columns == 0 ? 0 : x.Length / columns, columns);
        _x = x;
        _readyForBackward = training;
        return y;
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _readyForBackward ? _y : null);
        if (!NeedsInputGradient) return NoGradient;
        var dx = Tensor.Ensure(ref _dx, dy.Shape);
        int columns = Columns(dy);
        Function.Backward(_x!.Span, _y!.Span, dy.Span, dx.Span, columns == 0 ? 0 : dy.Length / columns, columns);
        return dx;
    }

    ActivationFunction ILogitsOutput.OutputActivation => Function;

    Tensor ILogitsOutput.Logits => _x ?? throw new InvalidOperationException($"Layer '{Name}' has no logits before Forward.");

    Tensor ILogitsOutput.BackwardFromLogits(Tensor dLogits)
    {
        CheckGradient(dLogits, _readyForBackward ? _y : null);
        return dLogits;
    }

    private static int Columns(Tensor t) => t.Shape.Rank < 2 ? t.Length : t.Shape[^1];
}
