using Strata.Kernels;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// Adds one learned scalar to every value: y = x + b, b initialized to 0 (the scalar bias of Zhang et al.'s Fixup,
/// placed before each convolution, linear layer and activation of a residual branch in place of BatchNormalization's
/// β). dL/dx = dL/dy and dL/db = Σ dL/dy over the batch and every position. Any input shape; the output has the same.
/// </summary>
/// <param name="inputShape">Per-sample input shape, for the first layer.</param>
/// <param name="name">Layer name; by default scalar_bias, scalar_bias_1, …</param>
public sealed class ScalarBias(int[]? inputShape = null, string? name = null) : Layer(name, inputShape), IConfigurableLayer
{
    private Tensor? _y;
    private bool _trained;

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) => new ScalarBias(c.InputShape, c.Name);

    /// <summary>b, one value.</summary>
    public Weight Bias { get; private set; } = null!;

    protected override Shape OnBuild(Shape inputShape, Random random)
    {
        Bias = AddWeight("bias", new Shape(1), Initializers.Zeros, trainable: true, random);
        return inputShape;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        var y = Tensor.Ensure(ref _y, x.Shape);
        ScalarKernels.AddScalar(x.Span, Bias.Value[0], y.Span);
        _trained = training;
        return y;
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _trained ? _y : null);
        if (Trainable) Bias.Gradient[0] += (float)ScalarKernels.Sum(dy.Span);
        return NeedsInputGradient ? dy : NoGradient;
    }
}
