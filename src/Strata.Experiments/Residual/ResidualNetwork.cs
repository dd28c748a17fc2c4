using Strata.Data;
using Strata.Layers;

namespace Strata.Experiments;

/// <summary>
/// The residual experiment's network for 28×28 greyscale images: a 3×3 stride-2 stem of 16 filters (28 → 14), then
/// <c>blocks</c> basic residual blocks of 16 filters with identity shortcuts, global average pooling and a 10-way
/// softmax. Only the normalization and the initialization differ between the variants:
/// <list type="bullet">
/// <item>BN: <see cref="ResidualBlocks.Basic"/>, relu(x + BN(conv(relu(BN(conv(x)))))), the stem conv → BN → ReLU;</item>
/// <item>no BN: the same without BN, each convolution with a bias, relu(x + conv(relu(conv(x)))), He-normal kernels and
/// zero biases as He et al. initialize them, so that each block adds a branch as large as its input;</item>
/// <item>Fixup: <see cref="ResidualBlocks.FixupBasic"/> and <see cref="Strata.Fixup.Initialize"/>: every branch's
/// second convolution and the classifier start at zero, the first convolutions are He-normal × L^(−1/2), the scalar
/// layers train at <see cref="ScalarRate"/> times the rate.</item>
/// </list>
/// The blocks' layers are named <c>block{i}_…</c> (i from 1 at the input), so gradients can be summed per block.
/// </summary>
internal static class ResidualNetwork
{
    /// <summary>Filters of the stem and of every block.</summary>
    public const int Filters = 16;

    /// <summary>The learning-rate multiplier of Fixup's scalar biases and multipliers.</summary>
    public const float ScalarRate = 0.1f;

    /// <summary>The prefix of block <paramref name="block"/>'s layer names (1-based).</summary>
    public static string BlockName(int block) => $"block{block}";

    public static Model Create(ResidualVariant variant, int blocks, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        var input = Input.Of(FashionMnist.ImageSize, FashionMnist.ImageSize);
        var x = new Reshape([FashionMnist.ImageSize, FashionMnist.ImageSize, 1], name: "image").Call(input);
        var branches = new List<IReadOnlyList<Layer>>();
        x = Stem(x, variant);
        for (int i = 1; i <= blocks; i++)
        {
            x = variant switch
            {
                ResidualVariant.BatchNorm => ResidualBlocks.Basic(x, Filters, name: BlockName(i)),
                ResidualVariant.NoNormalization => PlainBlock(x, BlockName(i)),
                _ => ResidualBlocks.FixupBasic(x, Filters, branches, name: BlockName(i)),
            };
        }
        x = new GlobalAveragePooling2D(name: "pool").Call(x);
        if (variant == ResidualVariant.Fixup) x = new ScalarBias(name: "classifier_bias").Call(x);
        var classifier = new Dense(10, activation: Activations.Softmax, name: "classifier");
        var model = new Model(input, classifier.Call(x)) { Name = $"resnet-{blocks}-{variant}", Seed = seed };
        // Fixup draws its branches after the model's own initialization, from the same seed, and trains its scalar
        // biases and multipliers at a tenth of the rate (Zhang et al. §3): each is summed over every position of a
        // feature map, so at the full rate their steps are far larger than the convolutions'.
        if (variant == ResidualVariant.Fixup)
        {
            Strata.Fixup.Initialize(branches, classifier, seed);
            foreach (var layer in model.Layers.Where(l => l is ScalarBias or ScalarScale)) layer.LearningRateMultiplier = ScalarRate;
        }
        return model;
    }

    private static SymbolicTensor Stem(SymbolicTensor x, ResidualVariant variant)
    {
        var conv = new Conv2D(Filters, 3, strides: 2, padding: "same", useBias: variant == ResidualVariant.NoNormalization,
            kernelInitializer: Initializers.HeNormal, name: "stem_conv");
        x = conv.Call(x);
        x = variant switch
        {
            ResidualVariant.BatchNorm => new BatchNormalization(name: "stem_bn").Call(x),
            ResidualVariant.Fixup => new ScalarBias(name: "stem_bias").Call(x),
            _ => x,
        };
        return new Activation(Activations.Relu, name: "stem_relu").Call(x);
    }

    /// <summary>relu(x + conv₂(relu(conv₁(x)))), 3×3 "same" convolutions with biases, He-normal kernels.</summary>
    private static SymbolicTensor PlainBlock(SymbolicTensor x, string name)
    {
        var h = Conv(name + "_1_conv").Call(x);
        h = new Activation(Activations.Relu, name: name + "_1_relu").Call(h);
        h = Conv(name + "_2_conv").Call(h);
        return new Activation(Activations.Relu, name: name + "_out").Call(new Add(name + "_add").Call(x, h));
    }

    private static Conv2D Conv(string name) =>
        new(Filters, 3, padding: "same", kernelInitializer: Initializers.HeNormal, name: name);
}
