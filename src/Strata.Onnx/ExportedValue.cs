namespace Strata.Onnx;

/// <summary>
/// A value of the ONNX graph with what the exporter knows of it: its name, how it is laid out relative to Strata's
/// tensor, Strata's per-sample shape of it, and for a flattened NCHW image the image's shape (see <see cref="ExportContext"/>).
/// A functional model keeps one per call output, so that each call reads its inputs as the layers before left them.
/// </summary>
internal readonly record struct ExportedValue(string Name, ValueLayout Layout, Shape StrataShape, Shape ImageShape);
