namespace Strata.Tests.Models.Callbacks;

/// <summary>Each expected string is what Python 3's <c>format(value, spec)</c> printed for it.</summary>
public class PythonFormatTests
{
    [Theory]
    [InlineData(3, true, "02d", "03")]
    [InlineData(12, true, "02d", "12")]
    [InlineData(3, true, "", "3")]
    [InlineData(7, true, "03", "007")]
    [InlineData(3, true, ".2f", "3.00")]
    [InlineData(3, true, "+d", "+3")]
    [InlineData(0.123456789, false, ".4f", "0.1235")]
    [InlineData(0.125, false, ".2f", "0.12")]
    [InlineData(0.375, false, ".2f", "0.38")]
    [InlineData(2.5, false, ".0f", "2")]
    [InlineData(-0.001, false, ".2f", "-0.00")]
    [InlineData(1234.5678, false, ".2f", "1234.57")]
    [InlineData(0.1, false, "", "0.1")]
    [InlineData(1e-05, false, "", "1e-05")]
    [InlineData(2.0, false, "", "2.0")]
    [InlineData(1e+16, false, "", "1e+16")]
    [InlineData(1000000000000000.0, false, "", "1000000000000000.0")]
    [InlineData(0.0001, false, "", "0.0001")]
    [InlineData(123.25, false, "", "123.25")]
    [InlineData(1e+23, false, "", "1e+23")]
    [InlineData(0.34567891234, false, "", "0.34567891234")]
    [InlineData(0.0, false, "", "0.0")]
    [InlineData(0.000123456, false, ".3e", "1.235e-04")]
    [InlineData(12345.678, false, "e", "1.234568e+04")]
    [InlineData(9.9999, false, ".2e", "1.00e+01")]
    [InlineData(1e-300, false, ".1e", "1.0e-300")]
    [InlineData(0.5, false, ".3g", "0.5")]
    [InlineData(0.0001234567, false, "g", "0.000123457")]
    [InlineData(123456789.0, false, ".4g", "1.235e+08")]
    [InlineData(100.0, false, "g", "100")]
    [InlineData(1e-05, false, "g", "1e-05")]
    [InlineData(9.9999, false, ".3g", "10")]
    [InlineData(0.25, false, "%", "25.000000%")]
    [InlineData(0.256, false, ".1%", "25.6%")]
    [InlineData(0.5, false, "08.3f", "0000.500")]
    [InlineData(-0.5, false, "08.3f", "-000.500")]
    [InlineData(0.5, false, "8.3f", "   0.500")]
    [InlineData(0.5, false, "+.2f", "+0.50")]
    [InlineData(0.5, false, " .2f", " 0.50")]
    [InlineData(double.NaN, false, ".4f", "nan")]
    [InlineData(double.PositiveInfinity, false, ".4f", "inf")]
    [InlineData(double.NegativeInfinity, false, "", "-inf")]
    [InlineData(1.5e-07, false, ".4f", "0.0000")]
    [InlineData(2.675, false, ".2f", "2.67")]
    [InlineData(1.0, false, ".2E", "1.00E+00")]
    [InlineData(1e-05, false, "G", "1E-05")]
    public void Formats_as_python_does(double value, bool integer, string spec, string python) =>
        Assert.Equal(python, PythonFormat.Format(value, integer, PythonFormat.Parse(spec, "key", integer)));

    [Theory]
    [InlineData("d", false, "'d' formats integers")]
    [InlineData(".2", false, "give a type")]
    [InlineData(".2d", true, "no precision")]
    [InlineData("x", false, "type one of")]
    [InlineData(">8", false, "type one of")]
    [InlineData(".f", false, "needs a precision")]
    public void Unsupported_or_invalid_specs_are_refused(string spec, bool integer, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => PythonFormat.Parse(spec, "val_loss", integer));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Contains($"{{val_loss:{spec}}}", e.Message, StringComparison.Ordinal);
    }
}
