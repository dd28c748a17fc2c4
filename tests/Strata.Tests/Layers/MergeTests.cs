using Strata.Layers;

namespace Strata.Tests.Layers;

/// <summary>Add, Multiply and Concatenate on their own: values, input gradients and refusals that name the layer and the shapes.</summary>
public class MergeTests
{
    private static Tensor T(Shape shape, params float[] values) => Tensor.FromArray(shape, values);

    [Fact]
    public void Add_sums_its_inputs_and_hands_each_the_output_gradient()
    {
        var add = new Add();
        Assert.Equal(new Shape(2), add.Build([new Shape(2), new Shape(2), new Shape(2)]));
        var y = add.Forward([T(new(1, 2), 1, 2), T(new(1, 2), 10, 20), T(new(1, 2), 100, 200)], training: true);
        Assert.Equal([111f, 222f], y.Span.ToArray());
        var dy = T(new(1, 2), 0.5f, -1f);
        Assert.All(add.InputGradients(dy), dx => Assert.Equal([0.5f, -1f], dx.Span.ToArray()));
    }

    [Fact]
    public void Multiply_gives_each_input_the_product_of_the_others()
    {
        var multiply = new Multiply();
        multiply.Build([new Shape(2), new Shape(2), new Shape(2)]);
        var y = multiply.Forward([T(new(1, 2), 2, 3), T(new(1, 2), 5, 7), T(new(1, 2), -1, 0.5f)], training: true);
        Assert.Equal([-10f, 10.5f], y.Span.ToArray());
        var dx = multiply.InputGradients(T(new(1, 2), 1, 2));
        Assert.Equal([-5f, 7f], dx[0].Span.ToArray());   // dy·x₁·x₂
        Assert.Equal([-2f, 3f], dx[1].Span.ToArray());   // dy·x₀·x₂
        Assert.Equal([10f, 42f], dx[2].Span.ToArray());  // dy·x₀·x₁
    }

    [Fact]
    public void Concatenate_joins_along_an_inner_axis_and_splits_the_gradient_back()
    {
        var concatenate = new Concatenate(axis: 1);
        Assert.Equal(new Shape(3, 2), concatenate.Build([new Shape(1, 2), new Shape(2, 2)]));
        var a = T(new(2, 1, 2), 1, 2, 3, 4);
        var b = T(new(2, 2, 2), 10, 11, 12, 13, 20, 21, 22, 23);
        var y = concatenate.Forward([a, b], training: true);
        Assert.Equal(new Shape(2, 3, 2), y.Shape);
        Assert.Equal([1f, 2, 10, 11, 12, 13, 3, 4, 20, 21, 22, 23], y.Span.ToArray());
        var dx = concatenate.InputGradients(y);
        Assert.Equal(a.Span.ToArray(), dx[0].Span.ToArray());
        Assert.Equal(b.Span.ToArray(), dx[1].Span.ToArray());
    }

    [Fact]
    public void Concatenate_along_the_last_axis_interleaves_rows()
    {
        var concatenate = new Concatenate();
        concatenate.Build([new Shape(1), new Shape(2)]);
        var y = concatenate.Forward([T(new(2, 1), 1, 2), T(new(2, 2), 10, 11, 20, 21)], training: false);
        Assert.Equal([1f, 10, 11, 2, 20, 21], y.Span.ToArray());
    }

    [Fact]
    public void Shapes_that_do_not_merge_are_refused_naming_the_layer_and_every_shape()
    {
        var e = Assert.Throws<ArgumentException>(() => new Add(name: "sum").Call(Input.Of(3), Input.Of(4)));
        Assert.Contains("'sum' (Add)", e.Message);
        Assert.Contains("(None, 3), (None, 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Multiply(name: "gate").Build([new Shape(2, 3), new Shape(3, 2)]));
        Assert.Contains("'gate' (Multiply)", e.Message);
        Assert.Contains("(None, 2, 3), (None, 3, 2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Concatenate(axis: -1, name: "join").Call(Input.Of(4, 3), Input.Of(5, 2)));
        Assert.Contains("'join' (Concatenate)", e.Message);
        Assert.Contains("(None, 4, 3), (None, 5, 2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Concatenate(axis: 3, name: "far").Call(Input.Of(4, 3), Input.Of(4, 3)));
        Assert.Contains("axis 3", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Concatenate(axis: 0));
    }

    [Fact]
    public void A_batch_of_other_shapes_is_refused_naming_the_layer_and_the_shapes()
    {
        var add = new Add(name: "sum");
        add.Build([new Shape(2), new Shape(2)]);
        var e = Assert.Throws<ArgumentException>(() => add.Forward([new Tensor(new Shape(3, 2)), new Tensor(new Shape(3, 5))], training: false));
        Assert.Contains("sum", e.Message);
        Assert.Contains("(None, 2), (None, 2)", e.Message);
        Assert.Contains("(3, 5)", e.Message);
        Assert.Throws<ArgumentException>(() => add.Forward([new Tensor(new Shape(3, 2)), new Tensor(new Shape(4, 2))], training: false));
        Assert.Throws<ArgumentException>(() => add.Forward([new Tensor(new Shape(3, 2))], training: false));
        Assert.Throws<InvalidOperationException>(() => add.InputGradients(new Tensor(new Shape(3, 2))));
    }

    [Fact]
    public void A_merge_layer_takes_several_inputs_not_one()
    {
        var add = new Add(name: "sum");
        Assert.Contains("merges several inputs", Assert.Throws<InvalidOperationException>(() => add.Build(new Shape(2))).Message);
        add.Build([new Shape(2), new Shape(2)]);
        Assert.Throws<InvalidOperationException>(() => add.Forward(new Tensor(new Shape(1, 2)), training: false));
        Assert.Throws<InvalidOperationException>(() => add.Backward(new Tensor(new Shape(1, 2))));
        var model = new Sequential(new Dense(2, inputShape: [2]), new Add());
        Assert.Throws<InvalidOperationException>(() => model.Build(new Shape(2)));
    }
}
