using Strata.Layers;

namespace Strata;

/// <summary>
/// Well-known architectures built with the functional API, layer for layer as <c>keras.applications</c> builds them
/// (same layers, names, settings and parameter counts; the weights are drawn fresh, not ImageNet's).
/// </summary>
public static class Applications
{
    /// <summary>
    /// ResNet50 (He et al. 2016) as <c>keras.applications.ResNet50</c>: conv1_pad ZeroPadding2D(3) → conv1_conv
    /// Conv2D(64, 7×7, stride 2) → BN → ReLU → pool1_pad ZeroPadding2D(1) → pool1_pool MaxPooling2D(3×3, stride 2), then
    /// four stages of <see cref="ResidualBlocks.Bottleneck"/> blocks, [3, 4, 6, 3] blocks of width 64, 128, 256 and 512
    /// (stride 1 for conv2, 2 for the others, a projection shortcut in each stage's first block), BatchNormalization
    /// ε = 1.001e-5 throughout; with the top, avg_pool GlobalAveragePooling2D → predictions Dense(classes, softmax).
    /// At 224×224×3 and 1000 classes it has Keras's 25,636,712 parameters, 53,120 of them BN's moving statistics.
    /// </summary>
    /// <param name="includeTop">Whether to end with the pooling and the softmax classifier; without, the output is conv5_block3_out.</param>
    /// <param name="inputShape">Per-sample input (height, width, channels); 224×224×3 by default (at least 32×32 as in Keras).</param>
    /// <param name="classes">Classes of the classifier (with the top).</param>
    /// <param name="seed">Seed for the weights (null: random).</param>
    /// <exception cref="ArgumentException">An input that is not an image of at least 32×32.</exception>
    public static Model ResNet50(bool includeTop = true, int[]? inputShape = null, int classes = 1000, int? seed = null)
    {
        int[] shape = inputShape ?? [224, 224, 3];
        if (shape.Length != 3 || shape[0] < 32 || shape[1] < 32 || shape[2] < 1)
            throw new ArgumentException($"ResNet50 takes images (height, width, channels) of at least 32×32; got ({string.Join(", ", shape)}).", nameof(inputShape));
        if (includeTop) ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        const float epsilon = 1.001e-5f;
        var input = Input.Of(new Shape(shape), "input_layer");
        var x = new ZeroPadding2D(3, name: "conv1_pad").Call(input);
        x = new Conv2D(64, 7, strides: 2, name: "conv1_conv").Call(x);
        x = new BatchNormalization(epsilon: epsilon, name: "conv1_bn").Call(x);
        x = new Activation(Activations.Relu, name: "conv1_relu").Call(x);
        x = new ZeroPadding2D(1, name: "pool1_pad").Call(x);
        x = new MaxPooling2D(3, strides: 2, name: "pool1_pool").Call(x);
        (string Name, int Filters, int Blocks, int Stride)[] stages = [("conv2", 64, 3, 1), ("conv3", 128, 4, 2), ("conv4", 256, 6, 2), ("conv5", 512, 3, 2)];
        foreach (var (name, filters, blocks, stride) in stages)
        {
            for (int b = 1; b <= blocks; b++)
                x = ResidualBlocks.Bottleneck(x, filters, b == 1 ? stride : 1, projection: b == 1, name: $"{name}_block{b}", epsilon: epsilon);
        }
        if (includeTop)
        {
            x = new GlobalAveragePooling2D(name: "avg_pool").Call(x);
            x = new Dense(classes, activation: Activations.Softmax, name: "predictions").Call(x);
        }
        return new Model(input, x) { Name = "resnet50", Seed = seed };
    }
}
