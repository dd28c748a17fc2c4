using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Models.Functional;

// Steady-step allocation is measured here: with another test class sharing the worker pool at the same moment a
// step can take a different (inline) path, so these classes run alone.
[Collection(nameof(Strata.Tests.Kernels.WorkerPoolSettings))]
public class FunctionalAllocationTests
{
    [Fact]
    public void A_steady_graph_training_step_allocates_nothing()
    {
        // Two inputs, a shared layer, fan-out, every merge, batch normalization and two softmax outputs (the fused loss).
        var a = Input.Of(6);
        var b = Input.Of(6);
        var shared = new Dense(8, activation: "relu");
        var sa = shared.Call(a);
        var sb = shared.Call(b);
        var gated = new Multiply().Call(sa, new Dense(8, activation: "sigmoid").Call(sb));
        var h = new BatchNormalization().Call(new Add().Call(sa, gated));
        var joined = new Concatenate().Call(h, sb);
        var first = new Dense(3, activation: "softmax").Call(joined);
        var second = new Dense(3, activation: "softmax").Call(h);
        var model = new Model([a, b], [first, second]) { Seed = 1 };
        model.Compile(new Adam(), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        Tensor[] x = [GradientChecker.Random(new Shape(16, 6), seed: 2), GradientChecker.Random(new Shape(16, 6), seed: 3)];
        var labels = new Tensor(new Shape(16));
        for (int i = 0; i < 16; i++) labels[i] = i % 3;
        Tensor[] y = [labels, labels];
        for (int i = 0; i < 3; i++) model.TrainOnBatch(x, y);
        Assert.Equal(0, SteadyAllocations.Of(() => model.TrainOnBatch(x, y)));
    }

    [Fact]
    public void A_steady_residual_step_through_the_single_tensor_overload_allocates_nothing()
    {
        var input = Input.Of(6, 6, 2);
        var h = new Conv2D(2, 3, padding: "same").Call(input);
        h = new BatchNormalization().Call(h);
        h = new Activation("relu").Call(h);
        var block = new Activation("relu").Call(new Add().Call(input, h));
        var model = new Model(input, new Dense(3, activation: "softmax").Call(new GlobalAveragePooling2D().Call(block))) { Seed = 2 };
        model.Compile(new Sgd(0.01f, momentum: 0.9f), Losses.SparseCategoricalCrossentropy);
        var x = GradientChecker.Random(new Shape(8, 6, 6, 2), seed: 4);
        var y = new Tensor(new Shape(8));
        for (int i = 0; i < 8; i++) y[i] = i % 3;
        for (int i = 0; i < 3; i++) model.TrainOnBatch(x, y);
        Assert.Equal(0, SteadyAllocations.Of(() => model.TrainOnBatch(x, y)));
    }
}
