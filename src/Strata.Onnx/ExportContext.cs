namespace Strata.Onnx;

/// <summary>
/// The state of an export between layers: the graph so far, the name of the value the next layer reads, and
/// how that value is laid out relative to Strata's tensor (see <see cref="ValueLayout"/>).
/// </summary>
internal sealed class ExportContext(OnnxGraphBuilder builder, string input, Shape inputShape)
{
    public OnnxGraphBuilder Builder { get; } = builder;

    /// <summary>The value the next layer reads.</summary>
    public string Current { get; private set; } = input;

    public ValueLayout Layout { get; private set; } = ValueLayout.Strata;

    /// <summary>Strata's per-sample shape of <see cref="Current"/> (the shape Strata would hold, whatever the layout).</summary>
    public Shape StrataShape { get; private set; } = inputShape;

    /// <summary>For <see cref="ValueLayout.FlattenedChannelsFirst"/>: Strata's [H, W, C] of the image before it was flattened.</summary>
    public Shape ImageShape { get; private set; }

    /// <summary>What the context holds now: the current value, its layout and shapes.</summary>
    public ExportedValue State => new(Current, Layout, StrataShape, ImageShape);

    /// <summary>Makes an earlier value current again (the input of a call in a graph).</summary>
    public void Restore(ExportedValue value) => Set(value.Name, value.Layout, value.StrataShape, value.ImageShape);

    /// <summary>Makes <paramref name="value"/> the current value.</summary>
    public void Set(string value, ValueLayout layout, Shape strataShape, Shape imageShape = default)
    {
        Current = value;
        Layout = layout;
        StrataShape = strataShape;
        ImageShape = imageShape;
    }

    /// <summary>Replaces the current value by one of the same layout and shape (after an element-wise node).</summary>
    public void Replace(string value) => Current = value;

    /// <summary>The current value in Strata's layout, inserting the nodes that convert it if needed.</summary>
    public string InStrataLayout(string layerName)
    {
        switch (Layout)
        {
            case ValueLayout.ChannelsFirst:
                // [N, C, H, W] → [N, H, W, C]
                Current = Builder.AddNode("Transpose", $"{layerName}/to_nhwc", [Current], OnnxGraphBuilder.Ints("perm", 0, 2, 3, 1));
                break;
            case ValueLayout.FlattenedChannelsFirst:
            {
                // [N, C·H·W] → [N, C, H, W] → [N, H, W, C] → [N, H·W·C]: Strata's (h, w, c) order again.
                int h = ImageShape[0], w = ImageShape[1], c = ImageShape[2];
                string shape = Builder.AddInt64s($"{layerName}/nchw_shape", 0, c, h, w); // 0 keeps the batch size
                string image = Builder.AddNode("Reshape", $"{layerName}/unflatten", [Current, shape]);
                string nhwc = Builder.AddNode("Transpose", $"{layerName}/to_nhwc", [image], OnnxGraphBuilder.Ints("perm", 0, 2, 3, 1));
                Current = Builder.AddNode("Flatten", $"{layerName}/flatten_nhwc", [nhwc], OnnxGraphBuilder.Int("axis", 1));
                break;
            }
        }
        Layout = ValueLayout.Strata;
        return Current;
    }

    /// <summary>The current image in NCHW for Conv and pooling, transposing Strata's NHWC if needed.</summary>
    public string InChannelsFirst(string layerName)
    {
        if (Layout == ValueLayout.ChannelsFirst) return Current;
        InStrataLayout(layerName);
        if (StrataShape.Rank != 3)
            throw new InvalidOperationException($"Layer '{layerName}' needs an image (height, width, channels); got {StrataShape.ToBatchString()}.");
        // [N, H, W, C] → [N, C, H, W]
        Current = Builder.AddNode("Transpose", $"{layerName}/to_nchw", [Current], OnnxGraphBuilder.Ints("perm", 0, 3, 1, 2));
        Layout = ValueLayout.ChannelsFirst;
        return Current;
    }
}
