using System.Text.Json;
using Strata.Layers;

namespace Strata.Serialization;

/// <summary>
/// Keras-like layer configurations: <c>{"class_name": "Dense", "config": {"name": "dense", "units": 300,
/// "activation": "elu", …}}</c>, with Keras's key names so a person can read a saved model. Reading knows a fixed
/// list of layer types and builds them through their constructors: a file can choose among those and their
/// settings, never make the loader look up or run anything else.
/// </summary>
internal static class LayerConfig
{
    public static void Write(Utf8JsonWriter w, Layer layer)
    {
        w.WriteStartObject();
        w.WriteString("class_name", layer.TypeName);
        w.WritePropertyName("config");
        w.WriteStartObject();
        w.WriteString("name", layer.Name);
        w.WriteBoolean("trainable", layer.Trainable);
        if (layer.DeclaredInputShape is { } declared) WriteInts(w, "input_shape", declared.Dims);
        switch (layer)
        {
            case Dense d:
                w.WriteNumber("units", d.Units);
                WriteActivation(w, "activation", d.Activation);
                w.WriteBoolean("use_bias", d.UseBias);
                WriteInitializer(w, "kernel_initializer", d.KernelInitializer);
                WriteInitializer(w, "bias_initializer", d.BiasInitializer);
                break;
            case Activation a:
                WriteActivation(w, "activation", a.Function);
                break;
            case BatchNormalization bn:
                if (bn.Axis.Count == 1) w.WriteNumber("axis", bn.Axis[0]);
                else WriteInts(w, "axis", [.. bn.Axis]);
                ConfigReader.WriteFloat(w, "momentum", bn.Momentum);
                ConfigReader.WriteFloat(w, "epsilon", bn.Epsilon);
                w.WriteBoolean("center", bn.Center);
                w.WriteBoolean("scale", bn.Scale);
                WriteInitializer(w, "beta_initializer", bn.BetaInitializer);
                WriteInitializer(w, "gamma_initializer", bn.GammaInitializer);
                WriteInitializer(w, "moving_mean_initializer", bn.MovingMeanInitializer);
                WriteInitializer(w, "moving_variance_initializer", bn.MovingVarianceInitializer);
                // As tf.keras, the TensorFlow-only settings only when set, so other configs stay Keras's.
                if (bn.RenormClipping is { } clipping)
                {
                    w.WriteBoolean("renorm", true);
                    w.WriteStartObject("renorm_clipping");
                    if (clipping.RMax is float rMax) ConfigReader.WriteFloat(w, "rmax", rMax);
                    if (clipping.RMin is float rMin) ConfigReader.WriteFloat(w, "rmin", rMin);
                    if (clipping.DMax is float dMax) ConfigReader.WriteFloat(w, "dmax", dMax);
                    w.WriteEndObject();
                    ConfigReader.WriteFloat(w, "renorm_momentum", bn.RenormMomentum);
                }
                if (bn.VirtualBatchSize is int virtualBatchSize) w.WriteNumber("virtual_batch_size", virtualBatchSize);
                if (bn.Synchronized is bool synchronized) w.WriteBoolean("synchronized", synchronized);
                break;
            case LayerNormalization ln:
                if (ln.Axis.Count == 1) w.WriteNumber("axis", ln.Axis[0]);
                else WriteInts(w, "axis", [.. ln.Axis]);
                WritePerSampleNormalization(w, ln);
                break;
            case GroupNormalization gn:
                w.WriteNumber("groups", gn.Groups);
                w.WriteNumber("axis", gn.Axis);
                WritePerSampleNormalization(w, gn);
                break;
            case Normalization n:
                if (n.Axis is int axis) w.WriteNumber("axis", axis);
                else w.WriteNull("axis");
                WriteFloats(w, "mean", n.GivenMean);
                WriteFloats(w, "variance", n.GivenVariance);
                w.WriteBoolean("invert", n.Invert);
                break;
            case Conv2D c:
                w.WriteNumber("filters", c.Filters);
                WriteSize(w, "kernel_size", c.KernelSize);
                WriteSize(w, "strides", c.Strides);
                w.WriteString("padding", c.Padding);
                WriteSize(w, "dilation_rate", c.DilationRate);
                WriteActivation(w, "activation", c.Activation);
                w.WriteBoolean("use_bias", c.UseBias);
                WriteInitializer(w, "kernel_initializer", c.KernelInitializer);
                WriteInitializer(w, "bias_initializer", c.BiasInitializer);
                break;
            case Pooling2D p:
                WriteSize(w, "pool_size", p.PoolSize);
                WriteSize(w, "strides", p.Strides);
                w.WriteString("padding", p.Padding);
                break;
            case Dropout d:
                ConfigReader.WriteFloat(w, "rate", d.Rate);
                if (d.Seed is int seed) w.WriteNumber("seed", seed);
                else w.WriteNull("seed");
                break;
            case Reshape r:
                WriteInts(w, "target_shape", [.. r.TargetShape]);
                break;
            case Recurrent r:
                w.WriteNumber("units", r.Units);
                w.WriteBoolean("return_sequences", r.ReturnSequences);
                w.WriteBoolean("use_bias", r.UseBias);
                WriteInitializer(w, "kernel_initializer", r.KernelInitializer);
                WriteInitializer(w, "recurrent_initializer", r.RecurrentInitializer);
                WriteInitializer(w, "bias_initializer", r.BiasInitializer);
                if (r.LayerNormalization) w.WriteBoolean("layer_normalization", true);
                switch (r)
                {
                    case SimpleRnn simple:
                        WriteActivation(w, "activation", simple.Activation);
                        break;
                    case Lstm lstm:
                        WriteActivation(w, "activation", lstm.Activation);
                        WriteActivation(w, "recurrent_activation", lstm.RecurrentActivation);
                        w.WriteBoolean("unit_forget_bias", lstm.UnitForgetBias);
                        break;
                    case Gru gru:
                        WriteActivation(w, "activation", gru.Activation);
                        WriteActivation(w, "recurrent_activation", gru.RecurrentActivation);
                        w.WriteBoolean("reset_after", gru.ResetAfter);
                        break;
                    default:
                        throw new NotSupportedException($"Layer '{layer.Name}' ({layer.TypeName}) cannot be saved: Strata does not know its configuration.");
                }
                break;
            case Flatten or GlobalAveragePooling2D:
                break;
            default:
                throw new NotSupportedException($"Layer '{layer.Name}' ({layer.TypeName}) cannot be saved: Strata does not know its configuration.");
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Creates the (unbuilt) layer a configuration describes.</summary>
    /// <exception cref="InvalidDataException">Unknown type, unknown or missing setting, or a value out of range.</exception>
    public static Layer Read(JsonElement element, string source, int index)
    {
        var outer = new ConfigReader(element, $"{source}: layer {index}");
        string type = outer.String("class_name");
        var configElement = outer.Element("config");
        outer.Done();
        string name = new ConfigReader(configElement, $"{source}: layer {index} ({type})").String("name");
        if (name.Length is 0 or > 256 || name.Contains('/')) throw outer.Bad($"({type}) has a name that is empty, longer than 256 characters or contains '/'");
        var c = new ConfigReader(configElement, $"{source}: layer '{name}' ({type})");
        c.String("name");
        bool trainable = c.Bool("trainable");
        int[]? input = c.OptionalIntArray("input_shape", 1, int.MaxValue);
        Layer layer;
        try
        {
            layer = type switch
            {
            "Dense" => new Dense(c.Int("units", 1), ReadActivation(c, "activation"), c.Bool("use_bias"),
                ReadInitializer(c, "kernel_initializer"), ReadInitializer(c, "bias_initializer"), input, name),
            "Activation" => new Activation(ReadActivation(c, "activation"), input, name),
            "Flatten" => new Flatten(input, name),
            "BatchNormalization" => new BatchNormalization(ReadAxes(c), c.Float("momentum"), c.Float("epsilon"),
                c.Bool("center"), c.Bool("scale"), ReadInitializer(c, "beta_initializer"), ReadInitializer(c, "gamma_initializer"),
                ReadInitializer(c, "moving_mean_initializer"), ReadInitializer(c, "moving_variance_initializer"), input, name,
                OptionalFlag(c, "renorm"), ReadRenormClipping(c), c.OptionalFloat("renorm_momentum") ?? 0.99f,
                c.OptionalInt("virtual_batch_size", 1, int.MaxValue), c.Has("synchronized") ? c.Bool("synchronized") : null),
            "LayerNormalization" => new LayerNormalization(ReadAxes(c), c.Float("epsilon"), c.Bool("center"), c.Bool("scale"),
                ReadInitializer(c, "beta_initializer"), ReadInitializer(c, "gamma_initializer"), input, name),
            "GroupNormalization" => new GroupNormalization(c.Int("groups", -1, 1 << 20), c.Int("axis", -64, 64), c.Float("epsilon"),
                c.Bool("center"), c.Bool("scale"), ReadInitializer(c, "beta_initializer"), ReadInitializer(c, "gamma_initializer"), input, name),
            "Normalization" => new Normalization(c.OptionalInt("axis", -64, 64), c.OptionalFloatArray("mean", MaxStatistics),
                c.OptionalFloatArray("variance", MaxStatistics), c.Bool("invert"), input, name),
            "Conv2D" => new Conv2D(c.Int("filters", 1), ReadSize(c, "kernel_size"), ReadSize(c, "strides"), c.String("padding"),
                ReadActivation(c, "activation"), c.Bool("use_bias"), ReadInitializer(c, "kernel_initializer"),
                ReadInitializer(c, "bias_initializer"), ReadSize(c, "dilation_rate"), input, name),
            "MaxPooling2D" => new MaxPooling2D(ReadSize(c, "pool_size"), ReadSize(c, "strides"), c.String("padding"), input, name),
            "AveragePooling2D" => new AveragePooling2D(ReadSize(c, "pool_size"), ReadSize(c, "strides"), c.String("padding"), input, name),
            "GlobalAveragePooling2D" => new GlobalAveragePooling2D(input, name),
            "Dropout" => new Dropout(c.Float("rate"), c.OptionalInt("seed"), input, name),
            "Reshape" => new Reshape(c.IntArray("target_shape", -1, int.MaxValue), input, name),
            "SimpleRnn" => new SimpleRnn(c.Int("units", 1), ReadActivation(c, "activation"), c.Bool("return_sequences"), c.Bool("use_bias"),
                ReadInitializer(c, "kernel_initializer"), ReadInitializer(c, "recurrent_initializer"), ReadInitializer(c, "bias_initializer"), input, name,
                OptionalFlag(c, "layer_normalization")),
            "Lstm" => new Lstm(c.Int("units", 1), c.Bool("return_sequences"), ReadActivation(c, "activation"), ReadActivation(c, "recurrent_activation"),
                c.Bool("use_bias"), c.Bool("unit_forget_bias"), ReadInitializer(c, "kernel_initializer"), ReadInitializer(c, "recurrent_initializer"),
                ReadInitializer(c, "bias_initializer"), input, name, OptionalFlag(c, "layer_normalization")),
            "Gru" => new Gru(c.Int("units", 1), c.Bool("return_sequences"), ReadActivation(c, "activation"), ReadActivation(c, "recurrent_activation"),
                c.Bool("use_bias"), c.Bool("reset_after"), ReadInitializer(c, "kernel_initializer"), ReadInitializer(c, "recurrent_initializer"),
                ReadInitializer(c, "bias_initializer"), input, name),
            _ => throw c.Bad("is of a type Strata does not know (known: Dense, Activation, Flatten, BatchNormalization, LayerNormalization, GroupNormalization, Normalization, Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Dropout, Reshape, SimpleRnn, Lstm, Gru)"),
            };
        }
        catch (ArgumentException e)
        {
            throw c.Bad($"has settings the layer refuses: {e.Message}");
        }
        c.Done();
        layer.Trainable = trainable;
        return layer;
    }

    /// <summary>The settings LayerNormalization and GroupNormalization share, after their axes.</summary>
    private static void WritePerSampleNormalization(Utf8JsonWriter w, PerSampleNormalization n)
    {
        ConfigReader.WriteFloat(w, "epsilon", n.Epsilon);
        w.WriteBoolean("center", n.Center);
        w.WriteBoolean("scale", n.Scale);
        WriteInitializer(w, "beta_initializer", n.BetaInitializer);
        WriteInitializer(w, "gamma_initializer", n.GammaInitializer);
    }

    /// <summary>A setting written only when true (absent or null: false), so configs without it stay as they were.</summary>
    private static bool OptionalFlag(ConfigReader c, string key) => c.Optional(key) switch
    {
        null => false,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw c.Bad($"'{key}' must be true or false"),
    };

    /// <summary>tf.keras's renorm_clipping: an object with any of rmax, rmin and dmax, or absent.</summary>
    private static RenormClipping? ReadRenormClipping(ConfigReader c)
    {
        if (c.Optional("renorm_clipping") is not { } e) return null;
        var o = new ConfigReader(e, $"{c.Context}, 'renorm_clipping'");
        var clipping = new RenormClipping(o.OptionalFloat("rmax"), o.OptionalFloat("rmin"), o.OptionalFloat("dmax"));
        o.Done();
        return clipping;
    }

    /// <summary>The most fixed statistics a Normalization config may list (one per feature).</summary>
    private const int MaxStatistics = 1 << 20;

    private static void WriteFloats(Utf8JsonWriter w, string key, IReadOnlyList<float>? values)
    {
        if (values is null)
        {
            w.WriteNull(key);
            return;
        }
        w.WriteStartArray(key);
        foreach (float v in values) w.WriteNumberValue(ConfigReader.RoundTrip(v));
        w.WriteEndArray();
    }

    private static int[] ReadAxes(ConfigReader c)
    {
        var e = c.Element("axis");
        return e.ValueKind == JsonValueKind.Array ? c.IntArray("axis", -64, 64) : [c.Int("axis", -64, 64)];
    }

    /// <summary>
    /// Keras writes sizes as [height, width] pairs, and so do we; a single int (as Keras's constructors accept) means
    /// both axes. Each entry is in 1 … 2¹⁶.
    /// </summary>
    private static Size2D ReadSize(ConfigReader c, string key)
    {
        if (c.Element(key).ValueKind == JsonValueKind.Number) return c.Int(key, 1, 1 << 16);
        int[] pair = c.IntArray(key, 1, 1 << 16, maxLength: 2);
        if (pair.Length != 2) throw c.Bad($"'{key}' must be [height, width] or one size for both");
        return (pair[0], pair[1]);
    }

    private static void WriteSize(Utf8JsonWriter w, string key, Size2D size) => WriteInts(w, key, [size.Height, size.Width]);

    private static void WriteInts(Utf8JsonWriter w, string key, ReadOnlySpan<int> values)
    {
        w.WriteStartArray(key);
        foreach (int v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    /// <summary>An activation is its Keras name; a leaky ReLU with a slope other than Keras's 0.2 is {"name", "alpha"}.</summary>
    private static void WriteActivation(Utf8JsonWriter w, string key, ActivationFunction activation)
    {
        if (activation is LeakyReluActivation { Name: "leaky_relu" } leaky && leaky.Alpha != 0.2f)
        {
            w.WriteStartObject(key);
            w.WriteString("name", "leaky_relu");
            ConfigReader.WriteFloat(w, "alpha", leaky.Alpha);
            w.WriteEndObject();
            return;
        }
        w.WriteString(key, activation.Name);
    }

    private static ActivationFunction ReadActivation(ConfigReader c, string key)
    {
        var e = c.Element(key);
        if (e.ValueKind == JsonValueKind.Object)
        {
            var o = new ConfigReader(e, $"{c.Context}, '{key}'");
            if (o.String("name") != "leaky_relu") throw o.Bad("only leaky_relu takes a parameter");
            var alpha = Activations.LeakyReluWith(o.Float("alpha"));
            o.Done();
            return alpha;
        }
        string name = c.String(key);
        try { return Activations.Get(name); }
        catch (ArgumentException e2) { throw c.Bad($"'{key}': {e2.Message}"); }
    }

    /// <summary>An initializer is its Keras name; random_normal, which has parameters, is {"class_name", "config"}.</summary>
    private static void WriteInitializer(Utf8JsonWriter w, string key, Initializer initializer)
    {
        if (initializer is RandomNormalInitializer normal)
        {
            ConfigReader.WriteClass(w, key, "RandomNormal", c =>
            {
                ConfigReader.WriteFloat(c, "mean", normal.Mean);
                ConfigReader.WriteFloat(c, "stddev", normal.Stddev);
            });
            return;
        }
        if (initializer is OrthogonalInitializer { Gain: not 1.0 } orthogonal)
        {
            ConfigReader.WriteClass(w, key, "Orthogonal", c => c.WriteNumber("gain", orthogonal.Gain));
            return;
        }
        w.WriteString(key, initializer.Name);
    }

    private static Initializer ReadInitializer(ConfigReader c, string key)
    {
        var e = c.Element(key);
        if (e.ValueKind == JsonValueKind.Object)
        {
            var (type, config, o) = ConfigReader.Class(e, $"{c.Context}, '{key}'");
            var initializer = type switch
            {
                "RandomNormal" => Initializers.RandomNormal(config.Float("stddev"), config.Float("mean")),
                "Orthogonal" => Initializers.OrthogonalWith(config.Double("gain")),
                _ => throw o.Bad("names an initializer class Strata does not know (RandomNormal and Orthogonal take a config)"),
            };
            config.Done();
            return initializer;
        }
        string name = c.String(key);
        try { return Initializers.Get(name); }
        catch (ArgumentException e2) { throw c.Bad($"'{key}': {e2.Message}"); }
    }
}
