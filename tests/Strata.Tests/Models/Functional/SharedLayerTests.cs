using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Models.Functional;

/// <summary>One layer called twice: one set of weights, one slab entry, and a gradient that is the sum over the calls.</summary>
public class SharedLayerTests
{
    [Fact]
    public void Every_call_of_a_shared_layer_runs_on_the_same_weight_objects()
    {
        var x1 = Input.Of(3);
        var x2 = Input.Of(3);
        var shared = new Dense(2, name: "shared");
        var model = new Model([x1, x2], [new Add().Call(shared.Call(x1), shared.Call(x2))]);
        var calls = model.Nodes.Where(n => n.Origin == shared).ToArray();
        Assert.Equal(2, calls.Length);
        Assert.Same(shared, calls[0].Layer);
        Assert.NotSame(shared, calls[1].Layer);                        // its own forward cache
        Assert.Equal(shared.Weights, calls[1].Layer.Weights);           // the very same Weight objects
        Assert.Equal(1, model.Layers.Count(l => l == shared));
        Assert.Equal(2, model.Slab.Weights.Length);                     // kernel and bias, once
        Assert.Equal(8, model.CountParams());
    }

    [Fact]
    public void The_gradient_of_a_shared_weight_is_the_sum_of_its_calls_gradients()
    {
        var x1 = GradientChecker.Random(new Shape(5, 3), seed: 1);
        var x2 = GradientChecker.Random(new Shape(5, 3), seed: 2);
        var targets = GradientChecker.Random(new Shape(5, 2), seed: 3);

        var a = Input.Of(3);
        var b = Input.Of(3);
        var shared = new Dense(2, activation: "tanh");
        var sharedModel = new Model([a, b], [new Add().Call(shared.Call(a), shared.Call(b))]) { Seed = 4 };
        sharedModel.Compile(new Sgd(), Losses.MeanSquaredError);
        var sharedGradients = sharedModel.ComputeGradients([x1, x2], [targets]);

        // The same computation with two separate layers holding copies of the shared weights.
        var c = Input.Of(3);
        var d = Input.Of(3);
        var first = new Dense(2, activation: "tanh");
        var second = new Dense(2, activation: "tanh");
        var separate = new Model([c, d], [new Add().Call(first.Call(c), second.Call(d))]);
        for (int w = 0; w < 2; w++)
        {
            shared.Weights[w].Value.CopyTo(first.Weights[w].Value);
            shared.Weights[w].Value.CopyTo(second.Weights[w].Value);
        }
        separate.Compile(new Sgd(), Losses.MeanSquaredError);
        var separateGradients = separate.ComputeGradients([x1, x2], [targets]);

        Assert.Equal(sharedGradients.Loss, separateGradients.Loss);
        for (int w = 0; w < 2; w++)
        {
            var sum = first.Weights[w].Gradient.ToArray().Zip(second.Weights[w].Gradient.ToArray(), (p, q) => p + q).ToArray();
            var got = shared.Weights[w].Gradient.ToArray();
            for (int i = 0; i < sum.Length; i++) Assert.Equal(sum[i], got[i], 1e-6f);
        }
    }

    [Fact]
    public void A_step_updates_a_shared_weight_once_with_the_summed_gradient()
    {
        var a = Input.Of(3);
        var shared = new Dense(3, activation: "tanh");
        var model = new Model(a, shared.Call(shared.Call(a))) { Seed = 5 };
        model.Compile(new Sgd(0.1f), Losses.MeanSquaredError);
        var x = GradientChecker.Random(new Shape(4, 3), seed: 6);
        var y = GradientChecker.Random(new Shape(4, 3), seed: 7);
        var before = shared.Kernel.Value.ToArray();
        var gradient = model.ComputeGradients(x, y)[0].ToArray();
        model.TrainOnBatch(x, y);
        var after = shared.Kernel.Value.ToArray();
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i] - 0.1f * gradient[i], after[i], 1e-6f);
    }

    [Fact]
    public void A_skipped_step_restores_a_shared_batch_normalizations_statistics()
    {
        var a = Input.Of(2);
        var b = Input.Of(2);
        var bn = new BatchNormalization(momentum: 0.5f);
        var model = new Model([a, b], [new Concatenate().Call(bn.Call(a), bn.Call(b))]);
        model.Compile(new Sgd(), Losses.MeanSquaredError);
        var mean = bn.MovingMean.Value.ToArray();
        var variance = bn.MovingVariance.Value.ToArray();
        var x1 = GradientChecker.Random(new Shape(4, 2), seed: 8);
        var x2 = GradientChecker.Random(new Shape(4, 2), seed: 9, scale: 5f);
        var huge = new Tensor(new Shape(4, 4));
        huge.Span.Fill(1e30f); // the squared error overflows: the step is skipped
        model.TrainOnBatch([x1, x2], [huge], out bool skipped);
        Assert.True(skipped);
        Assert.Equal(mean, bn.MovingMean.Value.ToArray());
        Assert.Equal(variance, bn.MovingVariance.Value.ToArray());
        model.TrainOnBatch([x1, x2], [new Tensor(new Shape(4, 4))], out skipped);
        Assert.False(skipped);
        Assert.NotEqual(mean, bn.MovingMean.Value.ToArray()); // both calls moved them
    }

    [Fact]
    public void A_shared_layer_refuses_a_call_its_weights_do_not_fit()
    {
        var shared = new Dense(2, name: "shared");
        shared.Call(Input.Of(3));
        var e = Assert.Throws<ArgumentException>(() => shared.Call(Input.Of(4)));
        Assert.Contains("'shared' (Dense) is shared", e.Message);
        Assert.Contains("(None, 4)", e.Message);
        Assert.Contains("(None, 3)", e.Message);
        // A convolution fits any image size: it may be shared across sizes, as in Keras.
        var conv = new Conv2D(2, 3);
        Assert.Equal(new Shape(6, 6, 2), conv.Call(Input.Of(8, 8, 1)).Shape);
        Assert.Equal(new Shape(3, 3, 2), conv.Call(Input.Of(5, 5, 1)).Shape);
    }
}
