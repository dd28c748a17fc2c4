using Strata.Layers;

namespace Strata;

/// <summary>
/// He et al.'s residual blocks (2016, "Deep Residual Learning for Image Recognition") for the functional API, post-
/// activation as in the paper and in Keras's applications: y = relu(F(x) + shortcut(x)). The shortcut is x itself
/// (identity) when F keeps the shape, or a projection, a 1×1 convolution with F's stride followed by BatchNormalization,
/// when it changes the spatial size or the channels (the paper's option B). BatchNormalization follows every
/// convolution. Each layer is named <c>{name}_{part}</c> when <c>name</c> is given (Keras's scheme: <c>_0_conv</c> the
/// projection, <c>_1_conv</c>, <c>_2_conv</c>, … the branch, <c>_add</c>, <c>_out</c>); otherwise the layers take
/// their automatic names.
/// </summary>
public static class ResidualBlocks
{
    /// <summary>
    /// The basic block of the paper's CIFAR-10 networks and ResNet-18/34: two 3×3 convolutions ("same" padding, the first
    /// with <paramref name="stride"/>), each followed by BN, a ReLU between them and after the sum. The convolutions
    /// have no bias (BN's β replaces it) and He-normal kernels, as He et al. initialize them.
    /// </summary>
    /// <param name="x">The block's input, [H, W, C].</param>
    /// <param name="filters">Output channels.</param>
    /// <param name="stride">Stride of the first convolution and of the projection; 2 halves the image.</param>
    /// <param name="name">The layers' name prefix, or null for automatic names.</param>
    /// <param name="epsilon">BatchNormalization's ε (Keras's default 1e-3).</param>
    /// <returns>The block's output, [⌈H/stride⌉, ⌈W/stride⌉, filters].</returns>
    public static SymbolicTensor Basic(SymbolicTensor x, int filters, int stride = 1, string? name = null, float epsilon = 1e-3f)
    {
        ArgumentNullException.ThrowIfNull(x);
        var shortcut = Shortcut(x, filters, stride, name, epsilon, useBias: false);
        var h = ConvBn(x, filters, 3, stride, Part(name, "1"), epsilon, useBias: false);
        h = new Activation(Activations.Relu, name: Part(name, "1_relu")).Call(h);
        h = ConvBn(h, filters, 3, 1, Part(name, "2"), epsilon, useBias: false);
        return Join(shortcut, h, name);
    }

    /// <summary>
    /// The bottleneck block of ResNet-50/101/152 as Keras builds it (<c>keras.applications.resnet</c>'s block1):
    /// 1×1 (<paramref name="filters"/>, with <paramref name="stride"/>) → BN → ReLU → 3×3 "same" → BN → ReLU →
    /// 1×1 (4·<paramref name="filters"/>) → BN, plus the shortcut, then ReLU. Keras's convolutions keep their biases
    /// and Glorot-uniform kernels, and so do these, so that a ResNet50 counts Keras's parameters.
    /// </summary>
    /// <param name="x">The block's input, [H, W, C].</param>
    /// <param name="filters">The bottleneck's width; the block outputs 4·filters channels.</param>
    /// <param name="stride">Stride of the first 1×1 convolution and of the projection.</param>
    /// <param name="projection">
    /// True for a projection shortcut (Keras's conv_shortcut, the first block of each stage); false for the identity,
    /// which needs x to have 4·filters channels and stride 1.
    /// </param>
    /// <param name="name">The layers' name prefix (Keras's <c>conv2_block1</c>), or null for automatic names.</param>
    /// <param name="epsilon">BatchNormalization's ε (Keras's applications use 1.001e-5).</param>
    /// <exception cref="ArgumentException">An identity shortcut where the shape changes; the message gives both shapes.</exception>
    public static SymbolicTensor Bottleneck(SymbolicTensor x, int filters, int stride = 1, bool projection = true, string? name = null,
        float epsilon = 1.001e-5f)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!projection && (stride != 1 || x.Shape[-1] != 4 * filters))
            throw new ArgumentException($"Bottleneck block '{name}': an identity shortcut needs stride 1 and {4 * filters} input channels; the input is {x.Shape.ToBatchString()} with stride {stride}.");
        var shortcut = projection ? ConvBn(x, 4 * filters, 1, stride, Part(name, "0"), epsilon, useBias: true) : x;
        var h = ConvBn(x, filters, 1, stride, Part(name, "1"), epsilon, useBias: true);
        h = new Activation(Activations.Relu, name: Part(name, "1_relu")).Call(h);
        h = ConvBn(h, filters, 3, 1, Part(name, "2"), epsilon, useBias: true);
        h = new Activation(Activations.Relu, name: Part(name, "2_relu")).Call(h);
        h = ConvBn(h, 4 * filters, 1, 1, Part(name, "3"), epsilon, useBias: true);
        return Join(shortcut, h, name);
    }

    /// <summary>
    /// Zhang et al.'s Fixup basic block, without normalization: relu(F(x) + shortcut) with
    /// F(x) = b2b + s·conv2(b2a + relu(b1b + conv1(b1a + x))), each b a <see cref="ScalarBias"/> and s a
    /// <see cref="ScalarScale"/>; the shortcut is x, or, where the shape changes, a bias-free 1×1 convolution with the
    /// stride on b1a + x. The branch's two convolutions (bias-free) are appended to <paramref name="branches"/> for
    /// <see cref="Fixup.Initialize"/>, which then draws them (He-normal × L^(−1/2), and 0 for the second).
    /// </summary>
    /// <param name="x">The block's input, [H, W, C].</param>
    /// <param name="filters">Output channels.</param>
    /// <param name="branches">Collects each block's branch layers, in order.</param>
    /// <param name="stride">Stride of the first convolution and of the projection.</param>
    /// <param name="name">The layers' name prefix, or null for automatic names.</param>
    public static SymbolicTensor FixupBasic(SymbolicTensor x, int filters, ICollection<IReadOnlyList<Layer>> branches, int stride = 1, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(branches);
        var biased = new ScalarBias(name: Part(name, "1a_bias")).Call(x);
        var shortcut = stride == 1 && x.Shape[-1] == filters ? x
            : Conv(filters, 1, stride, Part(name, "0_conv")).Call(biased);
        var conv1 = Conv(filters, 3, stride, Part(name, "1_conv"));
        var h = new ScalarBias(name: Part(name, "1b_bias")).Call(conv1.Call(biased));
        h = new Activation(Activations.Relu, name: Part(name, "1_relu")).Call(h);
        var conv2 = Conv(filters, 3, 1, Part(name, "2_conv"));
        h = conv2.Call(new ScalarBias(name: Part(name, "2a_bias")).Call(h));
        h = new ScalarBias(name: Part(name, "2b_bias")).Call(new ScalarScale(name: Part(name, "scale")).Call(h));
        branches.Add([conv1, conv2]);
        return Join(shortcut, h, name);
    }

    private static Conv2D Conv(int filters, int kernel, int stride, string? name) =>
        new(filters, kernel, strides: stride, padding: "same", useBias: false, kernelInitializer: Initializers.HeNormal, name: name);

    /// <summary>x itself when the block keeps the shape, else a 1×1 projection with the block's stride, then BN.</summary>
    private static SymbolicTensor Shortcut(SymbolicTensor x, int filters, int stride, string? name, float epsilon, bool useBias) =>
        stride == 1 && x.Shape[-1] == filters ? x : ConvBn(x, filters, 1, stride, Part(name, "0"), epsilon, useBias);

    /// <summary>Conv2D ("same" padding; Keras's default Glorot kernel with a bias, He-normal without) → BatchNormalization.</summary>
    private static SymbolicTensor ConvBn(SymbolicTensor x, int filters, int kernel, int stride, string? name, float epsilon, bool useBias)
    {
        var conv = new Conv2D(filters, kernel, strides: stride, padding: "same", useBias: useBias,
            kernelInitializer: useBias ? null : Initializers.HeNormal, name: Part(name, "conv"));
        return new BatchNormalization(epsilon: epsilon, name: Part(name, "bn")).Call(conv.Call(x));
    }

    /// <summary>relu(shortcut + branch): Keras's <c>_add</c> and <c>_out</c>.</summary>
    private static SymbolicTensor Join(SymbolicTensor shortcut, SymbolicTensor branch, string? name) =>
        new Activation(Activations.Relu, name: Part(name, "out")).Call(new Add(Part(name, "add")).Call(shortcut, branch));

    private static string? Part(string? name, string part) => name is null ? null : $"{name}_{part}";
}
