using Strata.Layers;

namespace Strata.Tests.Models.Functional;

/// <summary>
/// The summary of a functional model: Keras's functional table (an InputLayer row per input, "Connected to" naming each
/// call's inputs as layer[call][output]) in tf.keras's text layout, line 98 with columns at 33%, 55% and 67%.
/// </summary>
public class FunctionalSummaryTests
{
    /// <summary>A residual block on 28×28×1, every name given (automatic names depend on what ran before).</summary>
    private static Model ResidualModel()
    {
        var x = Input.Of(new Shape(28, 28, 1), "input_layer");
        var h = new Conv2D(16, 3, name: "conv2d").Call(x);
        h = new BatchNormalization(name: "batch_normalization").Call(h);
        var relu = new Activation("relu", name: "activation").Call(h);
        var branch = new Conv2D(16, 3, padding: "same", name: "conv2d_1").Call(relu);
        var sum = new Add(name: "add").Call(relu, branch);
        var pooled = new GlobalAveragePooling2D(name: "global_average_pooling2d").Call(sum);
        var y = new Dense(10, activation: "softmax", name: "dense").Call(pooled);
        return new Model(x, y) { Name = "functional", Seed = 1 };
    }

    [Fact]
    public void The_table_connects_each_layer_to_its_inputs_as_keras_prints_it()
    {
        string expected = string.Join(Environment.NewLine,
            "Model: \"functional\"",
            "__________________________________________________________________________________________________",
            " Layer (type)                   Output Shape         Param #     Connected to                     ",
            "==================================================================================================",
            " input_layer (InputLayer)       (None, 28, 28, 1)    0           -                                ",
            "                                                                                                  ",
            " conv2d (Conv2D)                (None, 26, 26, 16)   160         input_layer[0][0]                ",
            "                                                                                                  ",
            " batch_normalization (BatchNor  (None, 26, 26, 16)   64          conv2d[0][0]                     ",
            " malization)                                                                                      ",
            "                                                                                                  ",
            " activation (Activation)        (None, 26, 26, 16)   0           batch_normalization[0][0]        ",
            "                                                                                                  ",
            " conv2d_1 (Conv2D)              (None, 26, 26, 16)   2320        activation[0][0]                 ",
            "                                                                                                  ",
            " add (Add)                      (None, 26, 26, 16)   0           activation[0][0], conv2d_1[0][0] ",
            "                                                                                                  ",
            " global_average_pooling2d (Glo  (None, 16)           0           add[0][0]                        ",
            " balAveragePooling2D)                                                                             ",
            "                                                                                                  ",
            " dense (Dense)                  (None, 10)           170         global_average_pooling2d[0][0]   ",
            "                                                                                                  ",
            "==================================================================================================",
            "Total params: 2,714 (10.60 KB)",
            "Trainable params: 2,682 (10.48 KB)",
            "Non-trainable params: 32 (128.00 B)",
            "__________________________________________________________________________________________________");
        Assert.Equal(expected, ResidualModel().Summary());
    }

    [Fact]
    public void Layers_are_listed_by_depth_as_keras_lists_them()
    {
        Assert.Equal(["input_layer", "conv2d", "batch_normalization", "activation", "conv2d_1", "add", "global_average_pooling2d", "dense"],
            ResidualModel().Layers.Select(l => l.Name));
    }

    [Fact]
    public void A_shared_layer_has_one_row_that_lists_every_call_and_counts_its_weights_once()
    {
        var a = Input.Of(new Shape(8), "input_a");
        var b = Input.Of(new Shape(8), "input_b");
        var shared = new Dense(8, name: "shared");
        var sa = shared.Call(a);
        var sb = shared.Call(b);
        var y = new Add(name: "sum").Call(sa, sb, shared.Call(sb));
        var model = new Model([a, b], [y]) { Name = "siamese" };
        var lines = model.Summary().Split(Environment.NewLine);
        Assert.Equal(["input_a", "input_b", "shared", "sum"], model.Layers.Select(l => l.Name));
        Assert.Contains(" shared (Dense)                 (None, 8)            72          input_a[0][0], input_b[0][0],    ", lines);
        Assert.Contains("                                                                 shared[1][0]                     ", lines);
        Assert.Contains(" sum (Add)                      (None, 8)            0           shared[0][0], shared[1][0],      ", lines);
        Assert.Contains("                                                                 shared[2][0]                     ", lines);
        Assert.Contains("Total params: 72 (288.00 B)", lines);
        Assert.Equal(72, model.CountParams());
    }

    [Fact]
    public void A_functional_stack_prints_as_keras_prints_it_without_connections()
    {
        var x = Input.Of(new Shape(4), "input_layer");
        var y = new Dense(2, name: "dense").Call(new Dense(3, name: "hidden").Call(x));
        string expected = string.Join(Environment.NewLine,
            "Model: \"stack\"",
            "_________________________________________________________________",
            " Layer (type)                Output Shape              Param #   ",
            "=================================================================",
            " input_layer (InputLayer)    (None, 4)                 0         ",
            "                                                                 ",
            " hidden (Dense)              (None, 3)                 15        ",
            "                                                                 ",
            " dense (Dense)               (None, 2)                 8         ",
            "                                                                 ",
            "=================================================================",
            "Total params: 23 (92.00 B)",
            "Trainable params: 23 (92.00 B)",
            "Non-trainable params: 0 (0.00 B)",
            "_________________________________________________________________");
        Assert.Equal(expected, new Model(x, y) { Name = "stack" }.Summary());
    }
}
