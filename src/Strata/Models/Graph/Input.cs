using Strata.Layers;

namespace Strata;

/// <summary>
/// Model inputs for the functional API, as Keras's <c>keras.Input</c>:
/// <code>
/// var x = Input.Of(28, 28, 1);
/// var h = new Conv2D(16, 3, activation: "relu").Call(x);
/// var y = new Dense(10, activation: "softmax").Call(new Flatten().Call(h));
/// var model = new Model(x, y);
/// </code>
/// </summary>
public static class Input
{
    /// <summary>A symbolic input of the given per-sample shape (no batch axis), named input_layer, input_layer_1, …</summary>
    public static SymbolicTensor Of(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Of(new Shape(shape));
    }

    /// <summary>A symbolic input of the given per-sample shape, with its <see cref="InputLayer"/>'s name.</summary>
    public static SymbolicTensor Of(Shape shape, string? name = null) => new InputLayer(shape, name).Output;
}
