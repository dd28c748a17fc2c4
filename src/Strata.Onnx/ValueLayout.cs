namespace Strata.Onnx;

/// <summary>
/// How the graph's current value stores what Strata holds at that point of the model. ONNX's Conv and pooling
/// operators want channels first (NCHW) while Strata, like Keras, is channels last (NHWC), so a run of
/// convolution and pooling works in NCHW and the exporter converts back only where a layer needs Strata's order.
/// </summary>
internal enum ValueLayout
{
    /// <summary>Exactly Strata's tensor: [N, …per-sample shape] in Strata's element order.</summary>
    Strata,

    /// <summary>Strata's image [N, H, W, C] transposed to [N, C, H, W].</summary>
    ChannelsFirst,

    /// <summary>
    /// A ChannelsFirst image flattened by ONNX's Flatten: [N, C·H·W] in (c, h, w) order, where Strata's Flatten
    /// gives (h, w, c). Same values, permuted features: a Dense reading it permutes its kernel rows instead.
    /// </summary>
    FlattenedChannelsFirst,
}
