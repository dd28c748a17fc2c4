namespace Strata.Layers;

/// <summary>
/// The layer behind a model input (<see cref="Input.Of(int[])"/>), as Keras's <c>InputLayer</c>: it has no weights and
/// is never computed; a functional model's summary shows it as the row its first layers are connected to.
/// </summary>
public sealed class InputLayer : Layer
{
    internal InputLayer(Shape shape, string? name) : base(name, null)
    {
        Build(shape);
        Output = AddNode(new Node(this, this, 0, [], shape));
    }

    /// <summary>The symbolic tensor the model is fed through.</summary>
    internal SymbolicTensor Output { get; }

    protected override Shape OnBuild(Shape inputShape, Random random) => inputShape;

    /// <summary>The identity: a model input is passed on as it is.</summary>
    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        return x;
    }

    public override Tensor Backward(Tensor dy) => dy;
}
