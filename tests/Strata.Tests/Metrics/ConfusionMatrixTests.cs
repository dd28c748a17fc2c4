using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests;

/// <summary>Evaluate's confusion matrix, on models whose predictions are set by hand: rows true class, columns predicted.</summary>
public class ConfusionMatrixTests
{
    /// <summary>Dense(3, softmax) with W = I, b = 0: the predicted class is argmax x.</summary>
    private static Sequential ArgmaxModel(Loss loss)
    {
        var model = new Sequential(new Dense(3, activation: "softmax", inputShape: [3])) { Seed = 1 };
        model.Compile(new Sgd(), loss, [Metrics.Accuracy]);
        var dense = (Dense)model.Layers[0];
        dense.Kernel.Value.Clear();
        for (int i = 0; i < 3; i++) dense.Kernel.Value[i * 3 + i] = 1f;
        return model;
    }

    private static Tensor Inputs(params int[] predicted)
    {
        var x = new Tensor(new Shape(predicted.Length, 3));
        for (int i = 0; i < predicted.Length; i++) x[i, predicted[i]] = 2f;
        return x;
    }

    [Fact]
    public void Sparse_and_one_hot_targets_count_true_against_predicted()
    {
        int[] truth = [0, 0, 1, 1, 1, 2, 2, 0];
        int[] predicted = [0, 1, 1, 1, 2, 2, 0, 0];
        int[,] expected = { { 2, 1, 0 }, { 0, 2, 1 }, { 1, 0, 1 } };
        var x = Inputs(predicted);
        var labels = Tensor.FromArray(new Shape(truth.Length), truth.Select(t => (float)t).ToArray());
        var result = ArgmaxModel(Losses.SparseCategoricalCrossentropy).Evaluate(x, labels, batchSize: 3); // across batches
        Assert.Equal(expected, result.ConfusionMatrix);
        Assert.Equal(5.0 / 8, result["accuracy"], 6);

        var oneHot = new Tensor(new Shape(truth.Length, 3));
        for (int i = 0; i < truth.Length; i++) oneHot[i, truth[i]] = 1f;
        Assert.Equal(expected, ArgmaxModel(Losses.CategoricalCrossentropy).Evaluate(x, oneHot).ConfusionMatrix);
    }

    [Fact]
    public void A_single_sigmoid_or_logit_output_is_two_classes()
    {
        var x = Tensor.FromArray(new Shape(5, 1), -2f, -0.5f, 0.5f, 1f, 3f);
        var y = Tensor.FromArray(new Shape(5), 0, 1, 0, 1, 1);
        int[,] expected = { { 1, 1 }, { 1, 2 } }; // predicted 1 when x > 0
        foreach (var (activation, loss) in new (string, Loss)[] { ("sigmoid", Losses.BinaryCrossentropy()), ("linear", Losses.BinaryCrossentropy(fromLogits: true)) })
        {
            var model = new Sequential(new Dense(1, activation: activation, inputShape: [1])) { Seed = 1 };
            model.Compile(new Sgd(), loss);
            ((Dense)model.Layers[0]).Kernel.Value[0] = 1f;
            Assert.Equal(expected, model.Evaluate(x, y).ConfusionMatrix);
        }
    }

    [Fact]
    public void Regression_and_several_binary_outputs_have_none()
    {
        var x = new Tensor(new Shape(4, 3));
        var regression = new Sequential(new Dense(1, activation: "sigmoid", inputShape: [3])) { Seed = 1 };
        regression.Compile(new Sgd(), Losses.MeanSquaredError);
        Assert.Null(regression.Evaluate(x, new Tensor(new Shape(4))).ConfusionMatrix);
        var multiLabel = new Sequential(new Dense(3, activation: "sigmoid", inputShape: [3])) { Seed = 1 };
        multiLabel.Compile(new Sgd(), Losses.BinaryCrossentropy());
        Assert.Null(multiLabel.Evaluate(x, new Tensor(new Shape(4, 3))).ConfusionMatrix);
    }
}
