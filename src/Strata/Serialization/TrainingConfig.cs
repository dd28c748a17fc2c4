using System.Text.Json;
using Strata.Optimizers;

namespace Strata.Serialization;

/// <summary>
/// What <see cref="Model.Compile"/> was given, in Keras's words: <c>{"loss": "…", "metrics": ["accuracy"],
/// "optimizer": {"class_name": "SGD", "config": {"learning_rate": 0.01, "momentum": 0.0, …, "clipnorm": null}}}</c>.
/// As with layers, reading knows a fixed list of optimizers and schedules.
/// <para>
/// Adaptive clipping has no Keras key, so its keys are Strata's own, written only when set (a config without them is
/// Keras's, and reads as no adaptive clipping): <c>"agc": λ</c> with <c>"agc_epsilon"</c>, <c>"agc_exclude_last"</c>
/// and <c>"agc_exclude"</c> (weight or layer names), or <c>"auto_clip_percentile": p</c>. AutoClip's history of norms
/// is state, not configuration: the model file keeps it as the tensor <c>optimizer/auto_clip/norms</c>.
/// </para>
/// </summary>
internal static class TrainingConfig
{
    public static void Write(Utf8JsonWriter w, Model model)
    {
        w.WriteStartObject();
        LossConfig.WriteLoss(w, model.Loss!);
        w.WriteStartArray("metrics");
        foreach (var metric in model.CompiledMetrics) LossConfig.WriteMetric(w, metric);
        w.WriteEndArray();
        w.WriteString("non_finite_gradients", model.NonFiniteGradients == NonFiniteGradients.Throw ? "throw" : "skip");
        WriteOptimizer(w, model.Optimizer!);
        w.WriteEndObject();
    }

    /// <summary>
    /// Compiles <paramref name="model"/> as the configuration says; returns its (fresh) optimizer and the number of
    /// updates the saved one had applied, which the loader restores with the state.
    /// </summary>
    public static (Optimizer Optimizer, long Iterations) Compile(Model model, JsonElement element, string source)
    {
        var c = new ConfigReader(element, $"{source}: training config");
        Loss loss = LossConfig.ReadLoss(c);
        var metricsElement = c.Element("metrics");
        if (metricsElement.ValueKind != JsonValueKind.Array || metricsElement.GetArrayLength() > 16)
            throw c.Bad("'metrics' must be an array of at most 16 metrics");
        var metrics = metricsElement.EnumerateArray().Select(m => LossConfig.ReadMetric(c, m)).ToArray();
        var policy = c.String("non_finite_gradients") switch
        {
            "skip" => NonFiniteGradients.Skip,
            "throw" => NonFiniteGradients.Throw,
            _ => throw c.Bad("'non_finite_gradients' must be \"skip\" or \"throw\""),
        };
        var (optimizer, iterations) = ReadOptimizer(c.Object("optimizer"));
        c.Done();
        model.Compile(optimizer, loss, metrics, policy);
        return (optimizer, iterations);
    }

    private static void WriteOptimizer(Utf8JsonWriter w, Optimizer optimizer)
    {
        w.WriteStartObject("optimizer");
        w.WriteString("class_name", optimizer.Name);
        w.WriteStartObject("config");
        ConfigReader.WriteFloat(w, "learning_rate", optimizer.LearningRate);
        switch (optimizer)
        {
            case Sgd sgd:
                ConfigReader.WriteFloat(w, "momentum", sgd.Momentum);
                w.WriteBoolean("nesterov", sgd.Nesterov);
                break;
            case Adam adam: // AdamW too
                ConfigReader.WriteFloat(w, "beta_1", adam.Beta1);
                ConfigReader.WriteFloat(w, "beta_2", adam.Beta2);
                ConfigReader.WriteFloat(w, "epsilon", adam.Epsilon);
                if (adam is AdamW adamW) ConfigReader.WriteFloat(w, "weight_decay", adamW.Decay);
                break;
            case RmsProp rms:
                ConfigReader.WriteFloat(w, "rho", rms.Rho);
                ConfigReader.WriteFloat(w, "epsilon", rms.Epsilon);
                break;
            case Nadam nadam:
                ConfigReader.WriteFloat(w, "beta_1", nadam.Beta1);
                ConfigReader.WriteFloat(w, "beta_2", nadam.Beta2);
                ConfigReader.WriteFloat(w, "epsilon", nadam.Epsilon);
                break;
            default:
                throw new NotSupportedException($"The optimizer {optimizer.Name} ({optimizer.GetType().Name}) cannot be saved; save with includeOptimizer: false.");
        }
        WriteOptional(w, "clipvalue", optimizer.ClipValue);
        WriteOptional(w, "clipnorm", optimizer.ClipNorm);
        WriteOptional(w, "global_clipnorm", optimizer.GlobalClipNorm);
        if (optimizer.Agc is float agc)
        {
            ConfigReader.WriteFloat(w, "agc", agc);
            ConfigReader.WriteFloat(w, "agc_epsilon", optimizer.AgcEpsilon);
            w.WriteBoolean("agc_exclude_last", optimizer.AgcExcludeLast);
            w.WriteStartArray("agc_exclude");
            foreach (string name in optimizer.AgcExclude) w.WriteStringValue(name);
            w.WriteEndArray();
        }
        if (optimizer.AutoClipPercentile is float percentile) ConfigReader.WriteFloat(w, "auto_clip_percentile", percentile);
        w.WriteEndObject();
        WriteSchedule(w, optimizer.Schedule);
        w.WriteNumber("iterations", optimizer.Iterations);
        w.WriteEndObject();
    }

    private static (Optimizer, long Iterations) ReadOptimizer(ConfigReader o)
    {
        string type = o.String("class_name");
        var c = o.Object("config");
        float lr = c.Float("learning_rate");
        float? clipValue = c.OptionalFloat("clipvalue"), clipNorm = c.OptionalFloat("clipnorm"), globalClipNorm = c.OptionalFloat("global_clipnorm");
        float? agc = c.OptionalFloat("agc"), autoClip = c.OptionalFloat("auto_clip_percentile");
        try
        {
            Optimizer optimizer = type switch
            {
                "SGD" => new Sgd(lr, c.Float("momentum"), c.Bool("nesterov"), clipValue, clipNorm, globalClipNorm, agc, autoClip),
                "Adam" => new Adam(lr, c.Float("beta_1"), c.Float("beta_2"), c.Float("epsilon"), clipValue, clipNorm, globalClipNorm, agc, autoClip),
                "AdamW" => new AdamW(lr, c.Float("weight_decay"), c.Float("beta_1"), c.Float("beta_2"), c.Float("epsilon"), clipValue, clipNorm, globalClipNorm, agc, autoClip),
                "RMSprop" => new RmsProp(lr, c.Float("rho"), c.Float("epsilon"), clipValue, clipNorm, globalClipNorm, agc, autoClip),
                "Nadam" => new Nadam(lr, c.Float("beta_1"), c.Float("beta_2"), c.Float("epsilon"), clipValue, clipNorm, globalClipNorm, agc, autoClip),
                _ => throw o.Bad($"names an optimizer Strata does not know ('{type}'; known: SGD, Adam, AdamW, RMSprop, Nadam)"),
            };
            // AGC's settings are read only with "agc": without it they are unknown keys, and Done refuses them.
            if (agc is not null) ReadAgcSettings(optimizer, c);
            c.Done();
            optimizer.Schedule = ReadSchedule(o);
            long iterations = o.Long("iterations", 0, long.MaxValue);
            o.Done();
            return (optimizer, iterations);
        }
        catch (ArgumentException e)
        {
            throw o.Bad($"has settings the {type} optimizer refuses: {e.Message}");
        }
    }

    /// <summary>AGC's ε and exclusions, from the config.</summary>
    private static void ReadAgcSettings(Optimizer optimizer, ConfigReader c)
    {
        float epsilon = c.Float("agc_epsilon");
        bool excludeLast = c.Bool("agc_exclude_last");
        var e = c.Element("agc_exclude");
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() > 10_000
            || e.EnumerateArray().Any(n => n.ValueKind != JsonValueKind.String || n.GetString()!.Length is 0 or > 1_000))
            throw c.Bad("'agc_exclude' must be an array of at most 10000 names of 1 to 1000 characters");
        optimizer.ConfigureAgc(epsilon, excludeLast, [.. e.EnumerateArray().Select(n => n.GetString()!)]);
    }

    private static void WriteSchedule(Utf8JsonWriter w, LearningRateSchedule? schedule)
    {
        switch (schedule)
        {
            case null:
                w.WriteNull("schedule");
                break;
            case ExponentialDecay e:
                ConfigReader.WriteClass(w, "schedule", "ExponentialDecay", c =>
                {
                    ConfigReader.WriteFloat(c, "initial_learning_rate", e.InitialLearningRate);
                    c.WriteNumber("decay_steps", e.DecaySteps);
                    ConfigReader.WriteFloat(c, "decay_rate", e.DecayRate);
                    c.WriteBoolean("staircase", e.Staircase);
                });
                break;
            case PiecewiseConstantDecay p:
                ConfigReader.WriteClass(w, "schedule", "PiecewiseConstantDecay", c =>
                {
                    c.WriteStartArray("boundaries");
                    foreach (long b in p.Boundaries) c.WriteNumberValue(b);
                    c.WriteEndArray();
                    c.WriteStartArray("values");
                    foreach (float v in p.Values) c.WriteNumberValue(ConfigReader.RoundTrip(v));
                    c.WriteEndArray();
                });
                break;
            case CosineDecay d:
                ConfigReader.WriteClass(w, "schedule", "CosineDecay", c =>
                {
                    ConfigReader.WriteFloat(c, "initial_learning_rate", d.InitialLearningRate);
                    c.WriteNumber("decay_steps", d.DecaySteps);
                    ConfigReader.WriteFloat(c, "alpha", d.Alpha);
                });
                break;
            default:
                throw new NotSupportedException($"The learning-rate schedule {schedule.GetType().Name} cannot be saved; save with includeOptimizer: false.");
        }
    }

    private static LearningRateSchedule? ReadSchedule(ConfigReader o)
    {
        if (o.Optional("schedule") is not { } element) return null;
        var (type, c, s) = ConfigReader.Class(element, $"{o.Context}, 'schedule'");
        LearningRateSchedule schedule = type switch
        {
            "ExponentialDecay" => new ExponentialDecay(c.Float("initial_learning_rate"), c.Long("decay_steps", 1), c.Float("decay_rate"), c.Bool("staircase")),
            "CosineDecay" => new CosineDecay(c.Float("initial_learning_rate"), c.Long("decay_steps", 1), c.Float("alpha")),
            "PiecewiseConstantDecay" => new PiecewiseConstantDecay(
                Numbers(c, "boundaries").Select(b => b.TryGetInt64(out long v) ? v : throw c.Bad("'boundaries' must hold integers")).ToArray(),
                Numbers(c, "values").Select(v => (float)v.GetDouble()).ToArray()),
            _ => throw s.Bad($"names a schedule Strata does not know ('{type}')"),
        };
        c.Done();
        return schedule;
    }

    private static IEnumerable<JsonElement> Numbers(ConfigReader c, string key)
    {
        var e = c.Element(key);
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() > 10_000 || e.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number))
            throw c.Bad($"'{key}' must be an array of at most 10000 numbers");
        return e.EnumerateArray();
    }

    private static void WriteOptional(Utf8JsonWriter w, string key, float? value)
    {
        if (value is float v) ConfigReader.WriteFloat(w, key, v);
        else w.WriteNull(key);
    }
}
