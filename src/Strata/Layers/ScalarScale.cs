using Strata.Kernels;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// Multiplies every value by one learned scalar: y = s·x, s initialized to 1 (the scalar multiplier of Zhang et al.'s
/// Fixup at the end of each residual branch, in place of BatchNormalization's γ). dL/dx = s·dL/dy and
/// dL/ds = Σ x·dL/dy over the batch and every position. Any input shape; the output has the same.
/// </summary>
/// <param name="inputShape">Per-sample input shape, for the first layer.</param>
/// <param name="name">Layer name; by default scalar_scale, scalar_scale_1, …</param>
public sealed class ScalarScale(int[]? inputShape = null, string? name = null) : Layer(name, inputShape), IConfigurableLayer
{
    private Tensor? _x, _y, _dx;

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) => new ScalarScale(c.InputShape, c.Name);

    /// <summary>s, one value.</summary>
    public Weight Scale { get; private set; } = null!;

    protected override Shape OnBuild(Shape inputShape, Random random)
    {
        Scale = AddWeight("scale", new Shape(1), Initializers.Ones, trainable: true, random);
        return inputShape;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        var y = Tensor.Ensure(ref _y, x.Shape);
        ScalarKernels.MultiplyScalar(x.Span, Scale.Value[0], y.Span);
        _x = training ? x : null;
        return y;
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _x is null ? null : _y);
        if (Trainable) Scale.Gradient[0] += (float)ScalarKernels.Dot(_x!.Span, dy.Span);
        if (!NeedsInputGradient) return NoGradient;
        var dx = Tensor.Ensure(ref _dx, dy.Shape);
        ScalarKernels.MultiplyScalar(dy.Span, Scale.Value[0], dx.Span);
        return dx;
    }
}
