using Strata.Kernels;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// Multiplies its inputs, all of one shape, element by element, as Keras's <c>Multiply</c>: y = Πᵢ xᵢ, so
/// dL/dxᵢ = dL/dy ⊙ Π_(j≠i) xⱼ (a gate: <c>new Multiply().Call(features, sigmoidGate)</c>).
/// </summary>
public sealed class Multiply : Merge, IConfigurableLayer
{
    /// <param name="name">Layer name; by default multiply, multiply_1, …</param>
    public Multiply(string? name = null) : base(name) { }

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) => new Multiply(c.Name);

    private protected override Shape MergedShape(IReadOnlyList<Shape> inputs) => CommonShape(inputs);

    private protected override Shape BatchShape(IReadOnlyList<Tensor> inputs) => inputs[0].Shape;

    private protected override void Merged(IReadOnlyList<Tensor> inputs, Tensor y)
    {
        if (inputs.Count == 1) inputs[0].Span.CopyTo(y.Span);
        else MergeKernels.Product(inputs[0].Span, inputs[1].Span, y.Span);
        for (int i = 2; i < inputs.Count; i++) MergeKernels.MultiplyInPlace(inputs[i].Span, y.Span);
    }

    private protected override void Gradients(Tensor dy, IReadOnlyList<Tensor> inputs, Tensor[] dInputs)
    {
        for (int i = 0; i < inputs.Count; i++)
        {
            var dx = Buffer(dInputs, i, dy.Shape);
            dy.Span.CopyTo(dx.Span);
            for (int j = 0; j < inputs.Count; j++)
                if (j != i) MergeKernels.MultiplyInPlace(inputs[j].Span, dx.Span);
        }
    }
}
