using Strata.Layers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Models.Functional;

/// <summary>
/// Finite-difference checks of whole functional models: every input element and trainable weight, through merges,
/// fan-out, shared layers and several outputs.
/// </summary>
public class FunctionalGradientTests
{
    private static Tensor Batch(int seed, params int[] shape) => GradientChecker.Random(new Shape(shape), seed);

    [Fact]
    public void Gradients_flow_through_add()
    {
        var x = Input.Of(5);
        var a = new Dense(4, activation: "tanh").Call(x);
        var b = new Dense(4, activation: "sigmoid").Call(x);
        var y = new Dense(3).Call(new Add().Call(a, b));
        ModelGradientChecker.Check(new Model(x, y) { Seed = 1 }, [Batch(2, 3, 5)]);
    }

    [Fact]
    public void Gradients_flow_through_multiply()
    {
        var x = Input.Of(5);
        var gate = new Dense(4, activation: "sigmoid").Call(x);
        var features = new Dense(4).Call(x);
        var y = new Dense(2).Call(new Multiply().Call(features, gate, features));
        ModelGradientChecker.Check(new Model(x, y) { Seed = 2 }, [Batch(3, 3, 5)]);
    }

    [Fact]
    public void Gradients_flow_through_concatenate_along_the_last_and_an_inner_axis()
    {
        var x1 = Input.Of(2, 3);
        var x2 = Input.Of(4, 3);
        var inner = new Concatenate(axis: 1).Call(new Dense(3, activation: "tanh").Call(x1), x2); // (None, 6, 3)
        var last = new Concatenate().Call(inner, new Dense(2).Call(inner));                      // (None, 6, 5)
        var y = new Dense(2).Call(new Flatten().Call(last));
        Assert.Equal(new Shape(6, 5), last.Shape);
        ModelGradientChecker.Check(new Model([x1, x2], [y]) { Seed = 3 }, [Batch(4, 3, 2, 3), Batch(5, 3, 4, 3)]);
    }

    [Fact]
    public void A_tensor_read_by_several_layers_gets_the_sum_of_their_gradients()
    {
        var x = Input.Of(4);
        var h = new Dense(5, activation: "tanh").Call(x);
        var a = new Dense(3).Call(h);
        var b = new Dense(3, activation: "sigmoid").Call(h);
        var twice = new Add().Call(h, h);                          // the same tensor twice in one call
        var y = new Concatenate().Call(a, b, new Dense(2).Call(twice), new Dense(2).Call(x));
        ModelGradientChecker.Check(new Model(x, y) { Seed = 4 }, [Batch(6, 3, 4)]);
    }

    [Fact]
    public void Gradients_of_a_shared_layer_sum_over_its_calls()
    {
        var x1 = Input.Of(4);
        var x2 = Input.Of(4);
        var shared = new Dense(4, activation: "tanh");
        var again = new Dense(4, activation: "tanh");
        var a = shared.Call(x1);
        var b = shared.Call(x2);
        var c = again.Call(again.Call(a));                         // a layer called on its own output
        var y = new Dense(2).Call(new Concatenate().Call(new Add().Call(b, c), shared.Call(c)));
        ModelGradientChecker.Check(new Model([x1, x2], [y]) { Seed = 5 }, [Batch(7, 3, 4), Batch(8, 3, 4)]);
    }

    [Fact]
    public void Several_outputs_add_their_losses_and_an_output_may_feed_another()
    {
        var x = Input.Of(4);
        var h = new Dense(3, activation: "tanh").Call(x);
        var y = new Dense(2).Call(h);
        ModelGradientChecker.Check(new Model([x], [h, y]) { Seed = 6 }, [Batch(9, 3, 4)]);
    }

    [Fact]
    public void Gradients_flow_through_a_residual_block_with_batch_normalization()
    {
        var x = Input.Of(4, 4, 2);
        var h = new Conv2D(2, 3, padding: "same").Call(x);
        h = new BatchNormalization().Call(h);
        h = new Activation("relu").Call(h);
        h = new Conv2D(2, 3, padding: "same").Call(h);
        h = new BatchNormalization().Call(h);
        var block = new Activation("relu").Call(new Add().Call(x, h));
        var y = new Dense(2).Call(new GlobalAveragePooling2D().Call(block));
        ModelGradientChecker.Check(new Model(x, y) { Seed = 7 }, [Batch(10, 3, 4, 4, 2)]);
    }

    [Fact]
    public void A_shared_batch_normalization_normalizes_each_call_with_its_own_batch()
    {
        var x1 = Input.Of(3);
        var x2 = Input.Of(3);
        var bn = new BatchNormalization();
        var y = new Dense(2).Call(new Concatenate().Call(bn.Call(x1), bn.Call(new Dense(3).Call(x2))));
        ModelGradientChecker.Check(new Model([x1, x2], [y]) { Seed = 8 }, [Batch(11, 4, 3), Batch(12, 4, 3)]);
    }
}
