using System.Globalization;
using System.Numerics;

namespace Strata;

/// <summary>
/// The part of Python's format-spec mini-language that Keras's checkpoint paths use (<c>{epoch:02d}</c>,
/// <c>{val_loss:.4f}</c>): <c>[sign][0][width][.precision][type]</c>, type one of d f F e E g G % or none, formatted
/// digit for digit as Python formats them. Rounding is Python's: the exact binary value rounded half to even
/// (<c>format(0.125, ".2f")</c> is 0.12), which .NET's own formatting does not promise, so digits come from exact
/// integer arithmetic. No type on a float gives Python's <c>repr</c> (shortest round trip: 0.1, 1e-05, 2.0).
/// </summary>
internal static class PythonFormat
{
    /// <summary>A parsed spec; <see cref="Type"/> is '\0' when none was given.</summary>
    internal readonly record struct Spec(char Sign, bool ZeroPad, int Width, int? Precision, char Type);

    private const string Types = "dfFeEgG%";

    /// <summary>Parses <paramref name="spec"/> (what follows ':' in a field) of field <paramref name="field"/>.</summary>
    /// <exception cref="ArgumentException">A spec outside the supported subset, or one Python refuses for the value.</exception>
    public static Spec Parse(string spec, string field, bool integer)
    {
        int i = 0;
        char sign = '-';
        if (i < spec.Length && spec[i] is '+' or '-' or ' ') sign = spec[i++];
        bool zero = i < spec.Length && spec[i] == '0';
        if (zero) i++;
        int width = Digits(spec, ref i);
        int? precision = null;
        if (i < spec.Length && spec[i] == '.')
        {
            i++;
            int start = i;
            precision = Digits(spec, ref i);
            if (i == start) throw Bad(spec, field, "'.' needs a precision after it");
        }
        char type = i < spec.Length ? spec[i++] : '\0';
        if (i != spec.Length || (type != '\0' && !Types.Contains(type, StringComparison.Ordinal)) || width > 1000 || precision > 100)
            throw Bad(spec, field, "Strata reads [sign][0][width][.precision][type], type one of d f F e E g G %, width ≤ 1000, precision ≤ 100");
        if (type == 'd' && !integer)
            throw Bad(spec, field, $"'d' formats integers, and '{field}' is a float (Python raises \"Unknown format code 'd' for object of type 'float'\"); use .0f");
        if (type is 'd' or '\0' && integer && precision is not null)
            throw Bad(spec, field, "an integer takes no precision (Python: \"Precision not allowed in integer format specifier\")");
        if (type == '\0' && precision is not null)
            throw Bad(spec, field, "give a type with a precision (.4f, .3e, .5g)");
        return new Spec(sign, zero, width, precision, type);
    }

    /// <summary>Formats <paramref name="value"/> (an integer when <paramref name="integer"/>) by <paramref name="spec"/>.</summary>
    public static string Format(double value, bool integer, Spec spec)
    {
        bool negative = double.IsNegative(value) && !double.IsNaN(value);
        double a = Math.Abs(value);
        string body = integer && spec.Type is 'd' or '\0' ? ((long)a).ToString(CultureInfo.InvariantCulture)
            : !double.IsFinite(a) ? (double.IsNaN(a) ? "nan" : "inf")
            : spec.Type switch
            {
                '\0' => Repr(a),
                'f' or 'F' => Fixed(a, spec.Precision ?? 6),
                'e' or 'E' => Scientific(a, spec.Precision ?? 6),
                'g' or 'G' => General(a, spec.Precision ?? 6),
                '%' => Fixed(a * 100, spec.Precision ?? 6) + "%",
                _ => throw new InvalidOperationException($"Format type '{spec.Type}'."),
            };
        if (spec.Type is 'F' or 'E' or 'G') body = body.ToUpperInvariant();
        string sign = negative ? "-" : spec.Sign == '+' ? "+" : spec.Sign == ' ' ? " " : "";
        int pad = spec.Width - sign.Length - body.Length;
        if (pad <= 0) return sign + body;
        return spec.ZeroPad ? sign + new string('0', pad) + body : new string(' ', pad) + sign + body;
    }

    /// <summary>Python's <c>format(a, ".{p}f")</c> for a finite a ≥ 0.</summary>
    private static string Fixed(double a, int p)
    {
        string digits = Rounded(a, -p).ToString(CultureInfo.InvariantCulture).PadLeft(p + 1, '0');
        return p == 0 ? digits : $"{digits[..^p]}.{digits[^p..]}";
    }

    /// <summary>Python's <c>format(a, ".{p}e")</c> for a finite a ≥ 0: d.ddd…e±XX, at least two exponent digits.</summary>
    private static string Scientific(double a, int p)
    {
        var (digits, exponent) = Significant(a, p + 1);
        string mantissa = p == 0 ? digits : $"{digits[0]}.{digits[1..]}";
        return $"{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
    }

    /// <summary>
    /// Python's <c>format(a, ".{p}g")</c>: p significant digits (0 counts as 1); fixed notation when the exponent X of the
    /// rounded value has −4 ≤ X &lt; p, scientific otherwise; trailing zeros and a trailing point removed.
    /// </summary>
    private static string General(double a, int p)
    {
        p = Math.Max(p, 1);
        var (_, exponent) = Significant(a, p);
        string s = exponent >= -4 && exponent < p ? Fixed(a, p - 1 - exponent) : Scientific(a, p - 1);
        int e = s.IndexOf('e', StringComparison.Ordinal);
        string mantissa = e < 0 ? s : s[..e], tail = e < 0 ? "" : s[e..];
        if (mantissa.Contains('.', StringComparison.Ordinal)) mantissa = mantissa.TrimEnd('0').TrimEnd('.');
        return mantissa + tail;
    }

    /// <summary>
    /// Python's <c>repr</c> of a finite a ≥ 0: the shortest digits that read back as a, in fixed notation with at least
    /// one decimal when its exponent X has −4 ≤ X &lt; 16, else d[.ddd]e±XX.
    /// </summary>
    private static string Repr(double a)
    {
        // .NET's "R" gives the same shortest digits as Python's repr; only their layout differs. Read the digits and
        // the decimal exponent of the first one from it ("1.5E+16", "123.25", "0.00012").
        string shortest = a.ToString("R", CultureInfo.InvariantCulture);
        int ePos = shortest.IndexOf('E', StringComparison.Ordinal);
        string fixedPart = ePos < 0 ? shortest : shortest[..ePos];
        int point = fixedPart.IndexOf('.', StringComparison.Ordinal);
        if (point < 0) point = fixedPart.Length;
        string all = fixedPart.Replace(".", "", StringComparison.Ordinal);
        int leading = all.Length - all.TrimStart('0').Length;
        string digits = all.Trim('0');
        if (digits.Length == 0) return "0.0";
        int exponent = point - 1 - leading + (ePos < 0 ? 0 : int.Parse(shortest[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        if (exponent >= -4 && exponent < 16)
        {
            if (exponent < 0) return "0." + new string('0', -exponent - 1) + digits;
            if (digits.Length <= exponent + 1) return digits + new string('0', exponent + 1 - digits.Length) + ".0";
            return $"{digits[..(exponent + 1)]}.{digits[(exponent + 1)..]}";
        }
        string mantissa = digits.Length == 1 ? digits : $"{digits[0]}.{digits[1..]}";
        return $"{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
    }

    /// <summary>a rounded to <paramref name="count"/> significant digits: the digits and the decimal exponent of the first.</summary>
    private static (string Digits, int Exponent) Significant(double a, int count)
    {
        if (a == 0) return (new string('0', count), 0);
        int exponent = (int)Math.Floor(Math.Log10(a));
        for (int attempt = 0; ; attempt++)
        {
            string digits = Rounded(a, exponent - count + 1).ToString(CultureInfo.InvariantCulture);
            // log10 can be one off near a power of ten, and rounding up can add a digit (9.99 → 10.0): adjust and redo.
            if (digits.Length == count || attempt == 3) return (digits, exponent);
            exponent += digits.Length > count ? 1 : -1;
        }
    }

    /// <summary>round(a / 10^position) for a finite a ≥ 0, computed exactly, ties to even.</summary>
    private static BigInteger Rounded(double a, int position)
    {
        long bits = BitConverter.DoubleToInt64Bits(a);
        int biased = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xF_FFFF_FFFF_FFFF;
        if (biased == 0) biased = 1;
        else mantissa |= 1L << 52;
        int binary = biased - 1075; // a = mantissa · 2^binary
        BigInteger numerator = mantissa, denominator = BigInteger.One;
        if (binary > 0) numerator <<= binary;
        else denominator <<= -binary;
        if (position > 0) denominator *= BigInteger.Pow(10, position);
        else numerator *= BigInteger.Pow(10, -position);
        var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        int half = (remainder * 2).CompareTo(denominator);
        return half > 0 || (half == 0 && !quotient.IsEven) ? quotient + 1 : quotient;
    }

    private static int Digits(string s, ref int i)
    {
        int value = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]) && value <= 100_000) value = value * 10 + (s[i++] - '0');
        return value;
    }

    private static ArgumentException Bad(string spec, string field, string why) =>
        new($"The format '{{{field}:{spec}}}' is not supported: {why}.");
}
