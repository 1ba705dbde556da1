namespace Scanner.Observatory;

public sealed class StrictTransportSecurityOutput(string expectation) : ObservatoryOutput(expectation)
{
    public override string Name => "strict-transport-security";

    /// <summary>The header as read (its first 1024 characters).</summary>
    public string? Header { get; set; }

    public bool IncludeSubDomains { get; set; }

    /// <summary>max-age as JavaScript's parseInt reads it: NaN when it has no leading digits.</summary>
    public double? MaxAge { get; set; }

    public bool Preload { get; set; }

    public bool Preloaded { get; set; }

    public override string? Data => Header is null ? null : Serialize(Header);
}

/// <summary>src/analyzer/tests/strict-transport-security.js.</summary>
public static class StrictTransportSecurityTest
{
    // 15768000 is six months, but a lot of sites use 15552000, so Observatory tells a white lie.
    private const int SixMonths = 15552000;

    public static StrictTransportSecurityOutput Run(ObservatoryRequests requests, string expectation = Expectation.HstsImplementedMaxAgeAtLeastSixMonths)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var output = new StrictTransportSecurityOutput(expectation) { Result = Expectation.HstsNotImplemented };
        var response = requests.Responses.Https;
        if (response is null)
        {
            output.Result = Expectation.HstsNotImplementedNoHttps;
        }
        else if (!response.Verified)
        {
            output.Result = Expectation.HstsInvalidCert;
        }
        else if (Headers.First(response, "strict-transport-security") is { } header)
        {
            output.Header = Headers.Prefix(header, 1024);
            output.Result = Read(output);
        }

        // The preload list overrides most anything else.
        if (response is not null && requests.PreloadList.Find(requests.Hostname) is { } includeSubDomains)
        {
            output.Result = Expectation.HstsPreloaded;
            output.IncludeSubDomains = includeSubDomains;
            output.Preloaded = true;
        }

        output.Pass = output.Result is Expectation.HstsImplementedMaxAgeAtLeastSixMonths or Expectation.HstsPreloaded || output.Result == expectation;
        return output;
    }

    private static string Read(StrictTransportSecurityOutput output)
    {
        var header = output.Header!;

        // Node joins a repeated header with ", ": a header set twice is invalid.
        if (header.Contains(',', StringComparison.Ordinal))
        {
            return Expectation.HstsHeaderInvalid;
        }

        foreach (var parameter in header.Split(';').Select(part => part.Trim().ToLowerInvariant()))
        {
            if (parameter.StartsWith("max-age=", StringComparison.Ordinal))
            {
                output.MaxAge = JavaScript.ParseInt(parameter.Length > 128 ? parameter[8..128] : parameter[8..]);
            }
            else if (parameter == "includesubdomains")
            {
                output.IncludeSubDomains = true;
            }
            else if (parameter == "preload")
            {
                output.Preload = true;
            }
        }

        return output.MaxAge switch
        {
            null => Expectation.HstsHeaderInvalid,

            // NaN is not less than six months, so a max-age without digits passes, as in Observatory.
            < SixMonths => Expectation.HstsImplementedMaxAgeLessThanSixMonths,
            _ => Expectation.HstsImplementedMaxAgeAtLeastSixMonths,
        };
    }
}

/// <summary>The few JavaScript built-ins whose exact behaviour a ported rule depends on.</summary>
internal static class JavaScript
{
    /// <summary>parseInt(text, 10): leading whitespace, a sign, then as many digits as there are; NaN without digits.</summary>
    public static double ParseInt(string text)
    {
        var span = text.AsSpan().TrimStart();
        var negative = false;
        if (span.Length > 0 && span[0] is '+' or '-')
        {
            negative = span[0] == '-';
            span = span[1..];
        }

        var digits = 0;
        while (digits < span.Length && char.IsAsciiDigit(span[digits]))
        {
            digits++;
        }

        if (digits == 0)
        {
            return double.NaN;
        }

        var value = double.Parse(span[..digits], System.Globalization.CultureInfo.InvariantCulture);
        return negative ? -value : value;
    }
}
