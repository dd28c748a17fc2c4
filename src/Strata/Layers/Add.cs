using Strata.Kernels;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// Adds its inputs, all of one shape, as Keras's <c>Add</c>: y = Σᵢ xᵢ, so dL/dxᵢ = dL/dy for every input (the
/// residual shortcut of a ResNet block: <c>new Add().Call(shortcut, branch)</c>).
/// </summary>
public sealed class Add : Merge, IConfigurableLayer
{
    /// <param name="name">Layer name; by default add, add_1, …</param>
    public Add(string? name = null) : base(name) { }

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) => new Add(c.Name);

    private protected override Shape MergedShape(IReadOnlyList<Shape> inputs) => CommonShape(inputs);

    private protected override Shape BatchShape(IReadOnlyList<Tensor> inputs) => inputs[0].Shape;

    private protected override void Merged(IReadOnlyList<Tensor> inputs, Tensor y)
    {
        if (inputs.Count == 1) inputs[0].Span.CopyTo(y.Span);
        else MergeKernels.Sum(inputs[0].Span, inputs[1].Span, y.Span);
        for (int i = 2; i < inputs.Count; i++) MergeKernels.Accumulate(inputs[i].Span, y.Span);
    }

    private protected override void Gradients(Tensor dy, IReadOnlyList<Tensor> inputs, Tensor[] dInputs)
    {
        for (int i = 0; i < dInputs.Length; i++) dInputs[i] = dy;
    }
}
