using Strata.Kernels;

namespace Strata;

/// <summary>
/// An activation φ applied element-wise (softmax: per row of the last axis). Forward computes y = φ(x);
/// Backward computes dX = φ'(x)·dY using whichever of x and y makes it cheapest.
/// </summary>
public abstract class ActivationFunction
{
    /// <summary>Keras's name (<c>elu</c>, <c>softmax</c>).</summary>
    public abstract string Name { get; }

    /// <summary>True for the identity, so layers can skip the copy and the derivative.</summary>
    public virtual bool IsLinear => false;

    /// <summary>True for softmax, which a cross-entropy loss fuses with (see <see cref="Loss"/>).</summary>
    public virtual bool IsSoftmax => false;

    /// <summary>y = φ(x). x, y: [rows, columns] (columns matters only for softmax).</summary>
    public abstract void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int columns);

    /// <summary>dX = φ'(x)·dY given the cached input x and output y. dX may alias dY.</summary>
    public abstract void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX, int rows, int columns);

    /// <summary>Looks an activation up by its Keras name.</summary>
    public static implicit operator ActivationFunction(string name) => Activations.Get(name);

    public override string ToString() => Name;
}

internal sealed class LinearActivation : ActivationFunction
{
    public override string Name => "linear";
    public override bool IsLinear => true;
    public override void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int columns) => x.CopyTo(y);
    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX, int rows, int columns) => dY.CopyTo(dX);
}

internal sealed class LeakyReluActivation(string name, float alpha) : ActivationFunction
{
    public override string Name => name;
    public float Alpha => alpha;
    public override void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int columns)
    {
        if (alpha == 0f) ActivationKernels.ReluForward(x, y);
        else ActivationKernels.LeakyReluForward(x, alpha, y);
    }
    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX, int rows, int columns)
        => ActivationKernels.LeakyReluBackward(x, dY, alpha, dX);
}

internal sealed class EluActivation(string name, float alpha, float scale) : ActivationFunction
{
    public override string Name => name;
    public float Alpha => alpha;
    public float Scale => scale;
    public override void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int columns)
        => ActivationKernels.EluForward(x, alpha, scale, y);
    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX, int rows, int columns)
        => ActivationKernels.EluBackward(x, y, dY, alpha, scale, dX);
}

internal sealed class SigmoidActivation : ActivationFunction
{
    public override string Name => "sigmoid";
    public override void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int columns)
    {
        if (x.Length > 0) System.Numerics.Tensors.TensorPrimitives.Sigmoid(x, y); // it throws on empty spans
    }
    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX, int rows, int columns)
        => ActivationKernels.SigmoidBackward(y, dY, dX);
}

internal sealed class TanhActivation : ActivationFunction
{
    public override string Name => "tanh";
    public override void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int columns)
        => System.Numerics.Tensors.TensorPrimitives.Tanh(x, y);
    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX, int rows, int columns)
        => ActivationKernels.TanhBackward(y, dY, dX);
}

internal sealed class SoftmaxActivation : ActivationFunction
{
    public override string Name => "softmax";
    public override bool IsSoftmax => true;
    public override void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int columns)
        => ActivationKernels.SoftmaxForward(x, rows, columns, y);
    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX, int rows, int columns)
        => ActivationKernels.SoftmaxBackward(y, dY, rows, columns, dX);
}
