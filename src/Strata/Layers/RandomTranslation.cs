using Strata.Kernels;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// Data augmentation by random shifts, as Keras's RandomTranslation with <c>fill_mode="constant"</c> (zeros) and
/// <c>interpolation="nearest"</c>: in training each image of the batch is moved by its own whole number of pixels,
/// dy uniform in [−⌊hf·H⌋, ⌊hf·H⌋] and dx in [−⌊wf·W⌋, ⌊wf·W⌋] (Keras draws a real shift in [−hf·H, hf·H] and rounds
/// it; whole pixels keep every shift equally likely), the uncovered border filled with zeros; in inference it is the
/// identity. Inputs are (height, width) or channels-last (height, width, channels). The draws come from the layer's
/// stream (<see cref="RandomLayer"/>): reproducible with a seed, resumed exactly from a saved model, and the same on
/// any number of data-parallel ranks.
/// </summary>
public sealed class RandomTranslation : RandomLayer, IConfigurableLayer
{
    // _y is this layer's own buffer; _output the last output, which is the input itself when nothing was drawn.
    private Tensor? _y, _output, _dx;
    private int[] _shifts = [];
    private bool _shifted;
    private int _height, _width, _channels;

    /// <param name="heightFactor">Largest vertical shift as a fraction of the height, in [0, 1).</param>
    /// <param name="widthFactor">Largest horizontal shift as a fraction of the width, in [0, 1); by default the height's.</param>
    /// <param name="seed">Seed of the shifts; null draws one.</param>
    /// <param name="inputShape">Per-sample input shape, for the first layer.</param>
    /// <param name="name">Layer name; by default random_translation, random_translation_1, …</param>
    public RandomTranslation(float heightFactor, float? widthFactor = null, int? seed = null, int[]? inputShape = null, string? name = null)
        : base(seed, inputShape, name)
    {
        float width = widthFactor ?? heightFactor;
        if (!(heightFactor >= 0 && heightFactor < 1)) throw new ArgumentOutOfRangeException(nameof(heightFactor), heightFactor, "RandomTranslation: the height factor must be in [0, 1).");
        if (!(width >= 0 && width < 1)) throw new ArgumentOutOfRangeException(nameof(widthFactor), width, "RandomTranslation: the width factor must be in [0, 1).");
        HeightFactor = heightFactor;
        WidthFactor = width;
    }

    public float HeightFactor { get; }
    public float WidthFactor { get; }

    /// <summary>The largest vertical shift in pixels, ⌊hf·H⌋ (after Build).</summary>
    public int MaxShiftHeight { get; private set; }

    /// <summary>The largest horizontal shift in pixels, ⌊wf·W⌋ (after Build).</summary>
    public int MaxShiftWidth { get; private set; }

    internal override void WriteConfig(LayerConfigWriter config)
    {
        config.Float("height_factor", HeightFactor);
        config.Float("width_factor", WidthFactor);
        // Keras's other settings, written so that a Keras reader sees what these shifts do.
        config.String("fill_mode", "constant");
        config.String("interpolation", "nearest");
        config.Float("fill_value", 0f);
        config.OptionalInt("seed", Seed);
    }

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c)
    {
        if (c.String("fill_mode") != "constant" || c.String("interpolation") != "nearest" || c.Float("fill_value") != 0f)
            throw new ArgumentException("RandomTranslation supports fill_mode 'constant' with fill_value 0 and interpolation 'nearest' only.");
        return new RandomTranslation(c.Float("height_factor"), c.Float("width_factor"), c.OptionalInt("seed"), c.InputShape, c.Name);
    }

    protected override Shape OnBuild(Shape inputShape, Random random)
    {
        if (inputShape.Rank is not (2 or 3))
            throw new ArgumentException($"Layer '{Name}' (RandomTranslation) needs images (None, height, width) or (None, height, width, channels); got {inputShape.ToBatchString()}.");
        (_height, _width, _channels) = (inputShape[0], inputShape[1], inputShape.Rank == 3 ? inputShape[2] : 1);
        MaxShiftHeight = (int)MathF.Floor(HeightFactor * _height);
        MaxShiftWidth = (int)MathF.Floor(WidthFactor * _width);
        return inputShape;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        _shifted = training && Trainable && (MaxShiftHeight > 0 || MaxShiftWidth > 0);
        if (!_shifted)
        {
            _output = x;
            return x;
        }
        int batch = x.Shape[0];
        if (!ReuseDraw || _shifts.Length != 2 * batch) DrawShifts(batch);
        var y = Tensor.Ensure(ref _y, x.Shape);
        int image = _height * _width * _channels;
        for (int n = 0; n < batch; n++)
            TranslationKernels.Shift(x.Span.Slice(n * image, image), _height, _width, _channels, _shifts[2 * n], _shifts[2 * n + 1], y.Span.Slice(n * image, image));
        _output = y;
        return y;
    }

    /// <summary>
    /// The shifts of draw k: sample n (at its place in the global batch) takes the hash Stream(Stream(s, k), n); its low
    /// 32 bits give dy and its high 32 bits dx, each modulo its 2·max + 1 choices (a bias under 2⁻²³ for shifts of
    /// fewer than 512 pixels).
    /// </summary>
    private void DrawShifts(int batch)
    {
        if (_shifts.Length != 2 * batch) _shifts = new int[2 * batch];
        ulong stream = DropoutKernels.Stream(StreamSeed, MasksDrawn);
        MasksDrawn++;
        uint rows = (uint)(2 * MaxShiftHeight + 1), columns = (uint)(2 * MaxShiftWidth + 1);
        for (int n = 0; n < batch; n++)
        {
            ulong h = DropoutKernels.Stream(stream, BatchOffset + n);
            _shifts[2 * n] = (int)((uint)h % rows) - MaxShiftHeight;
            _shifts[2 * n + 1] = (int)((uint)(h >> 32) % columns) - MaxShiftWidth;
        }
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _output);
        if (!NeedsInputGradient) return NoGradient;
        if (!_shifted) return dy;
        var dx = Tensor.Ensure(ref _dx, dy.Shape);
        int image = _height * _width * _channels;
        for (int n = 0; n < dy.Shape[0]; n++)
            TranslationKernels.Shift(dy.Span.Slice(n * image, image), _height, _width, _channels, -_shifts[2 * n], -_shifts[2 * n + 1], dx.Span.Slice(n * image, image));
        return dx;
    }
}
